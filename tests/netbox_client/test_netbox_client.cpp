// NetBoxClient against an in-process HTTP server on 127.0.0.1 (nds::http::Server, port 0): pagination,
// auth, bulk writes with splitting, error statuses.
#include "netbox_client/netbox_client.hpp"
#include "netbox_client/netbox_json.hpp"

#include "http/http_server.hpp"
#include "http/url.hpp"

#include <boost/asio/co_spawn.hpp>
#include "util/async.hpp"
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
using nds::http::Request;
using nds::http::Response;
using nds::http::Target;
using nds::netbox::NetBoxClient;
using nds::netbox::NetBoxOptions;

namespace {

/// A fake NetBox: records every request and answers with `reply`.
struct Fixture {
    asio::io_context io;
    std::vector<Request> requests;
    std::function<Response(const Request&)> reply;
    std::chrono::milliseconds delay{0};  ///< per request, to make concurrent requests overlap
    int in_flight = 0;
    int max_in_flight = 0;
    nds::http::Server server;

    Fixture()
        : server(io.get_executor(), "127.0.0.1", 0, [this](Request r) -> asio::awaitable<Response> {
              requests.push_back(r);
              Response response = reply(requests.back());
              max_in_flight = std::max(max_in_flight, ++in_flight);
              if (delay.count() > 0) {
                  asio::steady_timer timer(io, delay);
                  co_await timer.async_wait(asio::use_awaitable);
              }
              --in_flight;
              co_return response;
          }) {
        server.start();
    }

    NetBoxOptions options(std::string token = "0123456789abcdef") const {
        NetBoxOptions o;
        o.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/netbox";
        o.token = std::move(token);
        o.changelog_message = "netbox-dhcp-sync: job 7";
        o.http.max_retries = 0;
        o.http.timeout = std::chrono::milliseconds(5000);
        return o;
    }

    /// Runs `body` to completion on the io_context and returns its result.
    template <class T>
    T run(std::function<asio::awaitable<T>()> body) {
        std::optional<T> result;
        std::exception_ptr error;
        nds::co_spawn_result(io, body(), [&](std::exception_ptr e, std::optional<T> value) {
            if (e) error = e;
            else result = std::move(value);
            io.stop();  // the server keeps accepting: stop the loop, not the server (run() may be called again)
        });
        io.run();
        io.restart();
        if (error) std::rethrow_exception(error);
        return std::move(*result);
    }
};

json::value body_of(const Request& r) { return json::parse(r.body); }

std::string ip_page(const std::vector<int>& ids, const std::string& next) {
    json::array results;
    for (int id : ids)
        results.push_back(json::object{{"id", id}, {"address", "10.0.1." + std::to_string(id) + "/24"}, {"vrf", nullptr},
                                       {"status", json::object{{"value", "dhcp"}, {"label", "DHCP"}}}});
    json::object page{{"count", 5}, {"results", results}};
    page["next"] = next.empty() ? json::value(nullptr) : json::value(next);
    page["previous"] = nullptr;
    return json::serialize(page);
}

/// list_ip_addresses for 10.0.1.0/24 in the global table.
nds::Expected<std::vector<nds::engine::NetBoxIpAddress>> read_ips_of_10_0_1(Fixture& f, const NetBoxOptions& options) {
    NetBoxClient client(f.io.get_executor(), options);
    std::vector<nds::engine::PrefixToRead> prefixes{{*nds::engine::Ipv4Network::parse("10.0.1.0/24"), std::nullopt}};
    return f.run<nds::Expected<std::vector<nds::engine::NetBoxIpAddress>>>(
        [&]() { return client.list_ip_addresses(prefixes); });
}

/// A page as NetBox writes it: compact, count and next first.
std::string drf_ip_page(const std::vector<int>& ids, const std::string& next) {
    std::string results;
    for (int id : ids)
        results += (results.empty() ? "" : ",") +
                   json::serialize(json::object{{"id", id}, {"address", "10.0.1." + std::to_string(id) + "/24"},
                                                {"vrf", nullptr}, {"status", json::object{{"value", "dhcp"}, {"label", "DHCP"}}}});
    return R"({"count":5,"next":)" + (next.empty() ? std::string("null") : json::serialize(json::value(next))) +
           R"(,"previous":null,"results":[)" + results + "]}";
}

/// GET /api/extras/tags/?slug=...: dhcp-sync has id 9, other slugs do not exist.
Response tag_page(const Request& r) {
    json::array results;
    for (const auto& slug : Target::parse(r.target).all("slug"))
        if (slug == "dhcp-sync") results.push_back(json::object{{"id", 9}, {"slug", "dhcp-sync"}, {"name", "dhcp-sync"}});
    return nds::http::json_response(200, json::serialize(json::object{
        {"count", results.size()}, {"next", nullptr}, {"previous", nullptr}, {"results", results}}));
}

nds::engine::IpAddressCreate ip_create(const std::string& address) {
    nds::engine::IpAddressCreate c;
    c.note.server = "dhcp01";
    c.note.scope = "Building A";
    c.note.object = address;
    c.address = *nds::engine::Ipv4Interface::parse(address);
    c.status = "dhcp";
    c.tags = {"dhcp-sync"};
    return c;
}

}  // namespace

TEST_CASE("reads follow next over 3 pages, keep only path+query of next, send auth and limit/ordering") {
    Fixture f;
    f.reply = [&](const Request& r) {
        auto t = Target::parse(r.target);
        std::string offset = t.get("offset").value_or("0");
        // `next` names another origin (NetBox behind a proxy): only its path and query may be used.
        std::string base = "http://netbox.internal:8000/netbox/api/ipam/ip-addresses/?parent=10.0.1.0%2F24&vrf_id=null&limit=2&ordering=id&offset=";
        if (offset == "0") return nds::http::json_response(200, ip_page({1, 2}, base + "2"));
        if (offset == "2") return nds::http::json_response(200, ip_page({3, 4}, base + "4"));
        return nds::http::json_response(200, ip_page({5}, ""));
    };
    auto options = f.options();
    options.page_size = 2;
    auto ips = read_ips_of_10_0_1(f, options);
    REQUIRE(ips);
    REQUIRE(ips->size() == 5);
    CHECK((*ips)[4].address == *nds::engine::Ipv4Address::parse("10.0.1.5"));
    CHECK((*ips)[0].status == "dhcp");
    REQUIRE(f.requests.size() == 3);
    auto first = Target::parse(f.requests[0].target);
    CHECK(first.path == "/netbox/api/ipam/ip-addresses/");
    CHECK(first.get("limit") == "2");
    CHECK(first.get("ordering") == "id");
    CHECK(first.get("parent") == "10.0.1.0/24");
    CHECK(first.get("vrf_id") == "null");
    CHECK(Target::parse(f.requests[2].target).get("offset") == "4");
    CHECK(f.requests[0].header("Authorization") == "Token 0123456789abcdef");
    CHECK(f.requests[0].header("Accept") == "application/json");
}

TEST_CASE("pages in NetBox's own form: every page once, in order, one request in flight") {
    Fixture f;
    std::string base = "http://netbox/api/ipam/ip-addresses/?parent=10.0.1.0%2F24&vrf_id=null&limit=2&ordering=id&offset=";
    f.reply = [&](const Request& r) {
        std::string offset = Target::parse(r.target).get("offset").value_or("0");
        if (offset == "0") return nds::http::json_response(200, drf_ip_page({1, 2}, base + "2"));
        if (offset == "2") return nds::http::json_response(200, drf_ip_page({3, 4}, base + "4"));
        return nds::http::json_response(200, drf_ip_page({5}, ""));
    };
    auto options = f.options();
    options.page_size = 2;
    options.max_concurrent_writes = 1;
    f.delay = std::chrono::milliseconds(20);
    auto ips = read_ips_of_10_0_1(f, options);
    REQUIRE(ips);
    REQUIRE(ips->size() == 5);
    for (std::size_t i = 0; i < ips->size(); ++i)
        CHECK((*ips)[i].address == *nds::engine::Ipv4Address::parse("10.0.1." + std::to_string(i + 1)));
    REQUIRE(f.requests.size() == 3);
    CHECK(Target::parse(f.requests[1].target).get("offset") == "2");
    CHECK(Target::parse(f.requests[2].target).get("offset") == "4");
    CHECK(f.max_in_flight == 1);
}

TEST_CASE("IPs of many prefixes: chunks read side by side (bounded), each page once, merged in order") {
    Fixture f;
    f.delay = std::chrono::milliseconds(5);
    // 120 prefixes -> 3 requests of at most 50 parents, each answered in 2 pages of 2 IPs from its first parent.
    f.reply = [&](const Request& r) {
        auto t = Target::parse(r.target);
        std::string first_parent = t.all("parent").front();  // "10.1.<n>.0/24"
        std::string net = first_parent.substr(0, first_parent.rfind(".0/24"));
        int offset = std::stoi(t.get("offset").value_or("0"));
        int third = std::stoi(net.substr(net.rfind('.') + 1));
        std::string results;
        for (int k = 1; k <= 2; ++k)
            results += (results.empty() ? "" : ",") +
                       json::serialize(json::object{{"id", third * 10 + offset + k}, {"address", net + "." + std::to_string(offset + k) + "/24"},
                                                    {"vrf", nullptr}, {"status", json::object{{"value", "dhcp"}, {"label", "DHCP"}}}});
        std::string next = offset == 0 ? json::serialize(json::value("http://netbox" + t.path + "?" +
                                                                     r.target.substr(r.target.find('?') + 1) + "&offset=2"))
                                       : "null";
        return nds::http::json_response(200, R"({"count":4,"next":)" + next + R"(,"previous":null,"results":[)" + results + "]}");
    };
    auto options = f.options();
    options.page_size = 2;
    options.max_concurrent_writes = 2;
    NetBoxClient client(f.io.get_executor(), options);
    std::vector<nds::engine::PrefixToRead> prefixes;
    for (int i = 0; i < 120; ++i)
        prefixes.push_back({*nds::engine::Ipv4Network::parse("10.1." + std::to_string(i) + ".0/24"), std::nullopt});
    auto ips = f.run<nds::Expected<std::vector<nds::engine::NetBoxIpAddress>>>(
        [&]() { return client.list_ip_addresses(prefixes); });
    REQUIRE(ips);
    CHECK(f.requests.size() == 6);
    CHECK(f.max_in_flight == 2);
    std::vector<std::string> addresses;
    for (const auto& ip : *ips) addresses.push_back(ip.address.to_string());
    CHECK(addresses == std::vector<std::string>{"10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.50.1", "10.1.50.2",
                                                "10.1.50.3", "10.1.50.4", "10.1.100.1", "10.1.100.2", "10.1.100.3", "10.1.100.4"});
}

TEST_CASE("a next that names a page already read is an error, not an endless read") {
    Fixture f;
    std::string base = "http://netbox/api/ipam/ip-addresses/?parent=10.0.1.0%2F24&vrf_id=null&limit=2&ordering=id&offset=";
    f.reply = [&](const Request&) {
        // Every page says the next one is the second: the second page points back to itself.
        return nds::http::json_response(200, drf_ip_page({1, 2}, base + "2"));
    };
    auto options = f.options();
    options.page_size = 2;
    auto ips = read_ips_of_10_0_1(f, options);
    REQUIRE_FALSE(ips);
    CHECK(ips.error().message.find("pagination loops") != std::string::npos);
    CHECK(f.requests.size() == 2);
}

TEST_CASE("authorization header: nbt_ tokens are Bearer, others Token") {
    CHECK(NetBoxClient::authorization_header("nbt_abcdefghijkl.0123") == "Bearer nbt_abcdefghijkl.0123");
    CHECK(NetBoxClient::authorization_header("0123456789") == "Token 0123456789");
    CHECK(NetBoxClient::authorization_header(" Bearer nbt_x.y ") == "Bearer nbt_x.y");
    CHECK(NetBoxClient::authorization_header("") == "");
}

TEST_CASE("403 is an Error with status 403 and NetBox's detail") {
    Fixture f;
    f.reply = [](const Request&) { return nds::http::json_response(403, R"({"detail": "Invalid v2 token"})"); };
    NetBoxClient client(f.io.get_executor(), f.options("nbt_abcdefghijkl.secret"));
    auto user = f.run<nds::Expected<std::string>>([&]() { return client.authenticated_user(); });
    REQUIRE_FALSE(user);
    CHECK(user.error().http_status == 403);
    CHECK(user.error().message.find("Invalid v2 token") != std::string::npos);
    CHECK(f.requests.at(0).target == "/netbox/api/authentication-check/");
    CHECK(f.requests.at(0).header("Authorization") == "Bearer nbt_abcdefghijkl.secret");
}

TEST_CASE("a bulk create rejected with a 4.6 array error applies the others on resend") {
    Fixture f;
    int next_id = 100;
    f.reply = [&](const Request& r) {
        if (r.method == "GET") return tag_page(r);  // the managed tag's id, looked up before the first write
        auto items = body_of(r).as_array();
        json::array errors;
        bool bad = false;
        for (const auto& item : items) {
            if (item.at("address").as_string() == "10.0.1.6/24") {
                errors.push_back(json::object{{"address", json::array{"Duplicate IP address found in global table: 10.0.1.6/24"}}});
                bad = true;
            } else {
                errors.push_back(json::object{});
            }
        }
        if (bad) return nds::http::json_response(400, json::serialize(errors));
        json::array created;
        for (const auto& item : items) created.push_back(json::object{{"id", ++next_id}, {"address", item.at("address")}});
        return nds::http::json_response(201, json::serialize(created));
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    std::vector<nds::engine::IpAddressCreate> creates{ip_create("10.0.1.5/24"), ip_create("10.0.1.6/24"),
                                                      ip_create("10.0.1.7/24"), ip_create("10.0.1.8/24")};
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.create_ip_addresses(creates); });
    CHECK(report.applied == 3);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].object == "10.0.1.6/24");
    CHECK(report.failures[0].server == "dhcp01");
    CHECK(report.failures[0].scope == "Building A");
    CHECK(report.failures[0].kind == nds::engine::ObjectKind::ip_address);
    CHECK(report.failures[0].error == "address: Duplicate IP address found in global table: 10.0.1.6/24");
    CHECK(report.created_ids == std::vector<nds::engine::ObjectId>{101, 0, 102, 103});
    REQUIRE(f.requests.size() == 3);
    CHECK(f.requests[0].method == "GET");
    CHECK(Target::parse(f.requests[0].target).path == "/netbox/api/extras/tags/");
    CHECK(f.requests[1].method == "POST");
    CHECK(f.requests[1].target == "/netbox/api/ipam/ip-addresses/");
    CHECK(f.requests[1].header("Content-Type") == "application/json");
    CHECK(body_of(f.requests[1]).at(0).at("tags") == json::array{9});  // tags by id, never by slug
    auto resent = body_of(f.requests[2]);
    for (const auto& item : resent.as_array())
        CHECK(item.at("changelog_message").as_string() == "netbox-dhcp-sync: job 7");
    CHECK(body_of(f.requests[2]).as_array().size() == 3);
}

TEST_CASE("bulk PATCH: unattributed 400 is bisected, ip_write_batch_size and concurrency bound the requests") {
    Fixture f;
    f.reply = [&](const Request& r) {
        auto items = body_of(r).as_array();
        for (const auto& item : items)
            if (item.at("id").as_int64() == 5)
                return nds::http::json_response(400, R"({"dns_name": ["Only alphanumeric characters are allowed"]})");
        json::array updated;
        for (const auto& item : items) updated.push_back(json::object{{"id", item.at("id")}});
        return nds::http::json_response(200, json::serialize(updated));
    };
    f.delay = std::chrono::milliseconds(20);
    auto options = f.options();
    options.page_size = 1000;
    options.ip_write_batch_size = 4;
    options.max_concurrent_writes = 2;
    NetBoxClient client(f.io.get_executor(), options);
    std::vector<nds::engine::IpAddressUpdate> updates;
    for (int id = 1; id <= 8; ++id) {
        nds::engine::IpAddressUpdate u;
        u.id = id;
        u.note.object = "ip " + std::to_string(id);
        u.dns_name = "host" + std::to_string(id);
        updates.push_back(u);
    }
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.update_ip_addresses(updates); });
    CHECK(report.applied == 7);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].object == "ip 5");
    CHECK(report.failures[0].error == "dns_name: Only alphanumeric characters are allowed");
    CHECK(f.max_in_flight == 2);  // two batches of 4, two writers
    for (const auto& r : f.requests) {
        CHECK(r.method == "PATCH");
        CHECK(body_of(r).as_array().size() <= 4);
        CHECK(body_of(r).as_array()[0].at("id").is_int64());
    }
}

TEST_CASE("bulk delete: a 409 (a protected object, nothing deleted) is split until the protected object is alone") {
    Fixture f;
    f.reply = [](const Request& r) {
        if (r.body.find(R"("id":2)") != std::string::npos)
            return nds::http::json_response(
                409, R"j({"detail": "Unable to delete object. 1 dependent objects were found: HQ: Termination 3 (3)"})j");
        return Response{204, {}, ""};
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    std::vector<nds::engine::ScopeDelete> deletes(3);
    for (int i = 0; i < 3; ++i) {
        deletes[i].id = i + 1;
        deletes[i].note.object = "scope " + std::to_string(i + 1);
    }
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.delete_scopes(deletes); });
    CHECK(report.applied == 2);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].object == "scope 2");
    CHECK(report.failures[0].error == "Unable to delete object. 1 dependent objects were found: HQ: Termination 3 (3)");
    CHECK(f.requests.at(0).method == "DELETE");
    CHECK(f.requests.at(0).target == "/netbox/api/plugins/windows-dhcp/scopes/");
    CHECK(f.requests.at(0).body == R"([{"id":1,"changelog_message":"netbox-dhcp-sync: job 7"},{"id":2,"changelog_message":"netbox-dhcp-sync: job 7"},{"id":3,"changelog_message":"netbox-dhcp-sync: job 7"}])");
}

TEST_CASE("create_scopes creates the new scopes' exclusion ranges with the returned ids") {
    Fixture f;
    f.reply = [&](const Request& r) {
        auto items = body_of(r).as_array();
        json::array created;
        int id = Target::parse(r.target).path.find("scopes") != std::string::npos ? 50 : 500;
        for (std::size_t i = 0; i < items.size(); ++i) created.push_back(json::object{{"id", id + static_cast<int>(i)}});
        return nds::http::json_response(201, json::serialize(created));
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    nds::engine::ScopeCreate s;
    s.name = "Imported";
    s.note.object = "Imported";
    s.start_ip = *nds::engine::Ipv4Address::parse("10.0.9.10");
    s.end_ip = *nds::engine::Ipv4Address::parse("10.0.9.200");
    s.server_id = 1;
    s.exclusions = {{*nds::engine::Ipv4Address::parse("10.0.9.20"), *nds::engine::Ipv4Address::parse("10.0.9.30")}};
    nds::engine::ScopeCreate unresolved = s;
    unresolved.note.object = "No prefix";
    std::vector<nds::engine::ScopeCreate> creates{s, unresolved};
    std::vector<nds::engine::ObjectId> prefix_ids{77, 0};
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.create_scopes(creates, prefix_ids); });
    CHECK(report.applied == 1);
    CHECK(report.exclusions_applied == 1);
    CHECK(report.created_ids == std::vector<nds::engine::ObjectId>{50, 0});
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].object == "No prefix");
    REQUIRE(f.requests.size() == 2);
    auto scope = body_of(f.requests[0]).as_array().at(0).as_object();
    CHECK(scope.at("prefix_id").as_int64() == 77);
    CHECK(scope.at("server_id").as_int64() == 1);
    CHECK(scope.at("failover_id").is_null());
    CHECK(f.requests[1].target == "/netbox/api/plugins/windows-dhcp/exclusion-ranges/");
    auto range = body_of(f.requests[1]).as_array().at(0).as_object();
    CHECK(range.at("scope_id").as_int64() == 50);
    CHECK(range.at("start_ip").as_string() == "10.0.9.20");
}

TEST_CASE("ensure_tag creates a missing tag and leaves an existing one") {
    Fixture f;
    bool exists = false;
    f.reply = [&](const Request& r) {
        if (r.method == "POST") {
            exists = true;
            return nds::http::json_response(201, R"({"id": 9, "slug": "dhcp-sync"})");
        }
        std::string results = exists ? R"([{"id": 9, "slug": "dhcp-sync", "name": "dhcp-sync"}])" : "[]";
        return nds::http::json_response(200, R"({"count": 0, "next": null, "previous": null, "results": )" + results + "}");
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    auto created = f.run<nds::Expected<bool>>([&]() { return client.ensure_tag("dhcp-sync", "dhcp-sync", "managed by netbox-dhcp-sync"); });
    REQUIRE(created);
    CHECK(*created);
    REQUIRE(f.requests.size() == 2);
    CHECK(Target::parse(f.requests[0].target).get("slug") == "dhcp-sync");
    CHECK(body_of(f.requests[1]).at("color").as_string() == "9e9e9e");
    auto again = f.run<nds::Expected<bool>>([&]() { return client.ensure_tag("dhcp-sync", "dhcp-sync", ""); });
    REQUIRE(again);
    CHECK_FALSE(*again);
}

TEST_CASE("status reports the NetBox version and the plugin") {
    Fixture f;
    f.reply = [](const Request&) {
        return nds::http::json_response(200, R"({"netbox-version": "4.6.8", "plugins": {"netbox_windows_dhcp": "1.3.5"}})");
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    auto status = f.run<nds::Expected<NetBoxClient::Status>>([&]() { return client.status(); });
    REQUIRE(status);
    CHECK(status->netbox_version == "4.6.8");
    CHECK(status->plugin_installed);
    CHECK(status->plugin_version == "1.3.5");
    CHECK(f.requests.at(0).target == "/netbox/api/status/");
}

TEST_CASE("import reads: option codes and option values from the plugin's collections") {
    Fixture f;
    f.reply = [&](const Request& r) {
        auto path = Target::parse(r.target).path;
        if (path == "/netbox/api/plugins/windows-dhcp/option-codes/")
            return nds::http::json_response(200, R"({"count":1,"next":null,"previous":null,"results":[{"id":1,"code":6,"name":"DNS","data_type":"IPAddressList","vendor_class":""}]})");
        return nds::http::json_response(200, R"({"count":1,"next":null,"previous":null,"results":[{"id":9,"option_definition":{"id":1},"value":"8.8.8.8","friendly_name":""}]})");
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    auto codes = f.run<nds::Expected<std::vector<nds::engine::NetBoxOptionCode>>>([&]() { return client.list_option_codes(); });
    auto values = f.run<nds::Expected<std::vector<nds::engine::NetBoxOptionValue>>>([&]() { return client.list_option_values(); });
    REQUIRE(codes);
    REQUIRE(values);
    CHECK(codes->at(0).code == 6);
    CHECK(values->at(0).definition_id == 1);
    REQUIRE(f.requests.size() == 2);
    CHECK(Target::parse(f.requests[1].target).path == "/netbox/api/plugins/windows-dhcp/option-values/");
}

TEST_CASE("import writes: failovers and option codes POST to their collections, a value without definition id fails alone") {
    Fixture f;
    f.reply = [&](const Request& r) {
        auto items = body_of(r).as_array();
        json::array created;
        for (std::size_t i = 0; i < items.size(); ++i) created.push_back(json::object{{"id", 60 + static_cast<int>(i)}});
        return nds::http::json_response(201, json::serialize(created));
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    nds::engine::FailoverCreate fo;
    fo.name = "FO-1";
    fo.note.object = "FO-1";
    fo.primary_server_id = 1;
    fo.secondary_server_id = 2;
    std::vector<nds::engine::FailoverCreate> failovers{fo};
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.create_failovers(failovers); });
    CHECK(report.applied == 1);
    CHECK(report.created_ids == std::vector<nds::engine::ObjectId>{60});
    CHECK(f.requests.back().target == "/netbox/api/plugins/windows-dhcp/failover/");

    nds::engine::OptionValueCreate known;
    known.code = 6;
    known.value = "8.8.8.8";
    known.note.object = "Option 6: 8.8.8.8";
    nds::engine::OptionValueCreate unknown = known;
    unknown.note.object = "Option 252: x";
    std::vector<nds::engine::OptionValueCreate> values{known, unknown};
    std::vector<nds::engine::ObjectId> definitions{40, 0};
    auto vreport = f.run<nds::netbox::WriteReport>([&]() { return client.create_option_values(values, definitions); });
    CHECK(vreport.applied == 1);
    CHECK(vreport.created_ids == std::vector<nds::engine::ObjectId>{60, 0});
    REQUIRE(vreport.failures.size() == 1);
    CHECK(vreport.failures[0].object == "Option 252: x");
    CHECK(f.requests.back().target == "/netbox/api/plugins/windows-dhcp/option-values/");
    CHECK(body_of(f.requests.back()).as_array().size() == 1);
    CHECK(body_of(f.requests.back()).as_array().at(0).at("option_definition_id").as_int64() == 40);
}

TEST_CASE("a 500 IntegrityError (nothing committed) is split until the clashing object is alone, with NetBox's message") {
    Fixture f;
    int next_id = 0;
    f.reply = [&](const Request& r) {
        auto body = body_of(r);
        for (const auto& item : body.as_array())
            if (item.at("start_ip").as_string() == "10.0.1.1")
                return nds::http::json_response(500, json::serialize(json::object{
                    {"error", "duplicate key value violates unique constraint \"x_uniq\"\nDETAIL:  Key (scope_id, start_ip, end_ip)=(4, 10.0.1.1, 10.0.1.9) already exists."},
                    {"exception", "IntegrityError"}, {"netbox_version", "4.6.8"}, {"python_version", "3.12.3"}}));
        json::array created;
        for (std::size_t i = 0; i < body_of(r).as_array().size(); ++i) created.push_back(json::object{{"id", ++next_id}});
        return nds::http::json_response(201, json::serialize(created));
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    std::vector<nds::engine::ExclusionRangeCreate> creates;
    for (const char* start : {"10.0.1.1", "10.0.1.20", "10.0.1.30", "10.0.1.40"}) {
        nds::engine::ExclusionRangeCreate c;
        c.scope_id = 4;
        c.start_ip = *nds::engine::Ipv4Address::parse(start);
        c.end_ip = *nds::engine::Ipv4Address::parse(start);
        c.note.object = start;
        creates.push_back(c);
    }
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.create_exclusion_ranges(creates); });
    CHECK(report.applied == 3);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].object == "10.0.1.1");
    CHECK(report.failures[0].error ==
          "IntegrityError: duplicate key value violates unique constraint \"x_uniq\" DETAIL: Key (scope_id, start_ip, "
          "end_ip)=(4, 10.0.1.1, 10.0.1.9) already exists.");
    CHECK(f.requests.size() == 5);  // [1,20,30,40] -> [1,20] [30,40] -> [1] [20]
}

TEST_CASE("any other 500 fails the batch's objects without a split") {
    Fixture f;
    f.reply = [](const Request&) {
        return nds::http::json_response(500, R"({"error": "server closed the connection", "exception": "OperationalError",
                                                 "netbox_version": "4.6.8", "python_version": "3.12.3"})");
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    std::vector<nds::engine::IpAddressDelete> deletes(3);
    for (int i = 0; i < 3; ++i) deletes[i].id = i + 1;
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.delete_ip_addresses(deletes); });
    CHECK(report.applied == 0);
    CHECK(report.failures.size() == 3);
    CHECK(f.requests.size() == 1);
    CHECK(report.failures[0].error.find("HTTP 500: OperationalError: server closed the connection") != std::string::npos);
}

TEST_CASE("tags are written by id: known from the reads and ensure_tag, else looked up, else the object fails alone") {
    Fixture f;
    int next_id = 0;
    f.reply = [&](const Request& r) {
        auto t = Target::parse(r.target);
        if (r.method == "GET" && t.path == "/netbox/api/extras/tags/") return tag_page(r);
        if (r.method == "GET") {  // an IP read: its nested tags carry their ids
            return nds::http::json_response(200, R"({"count":1,"next":null,"previous":null,"results":[{"id":70,
                "address":"10.0.1.70/24","vrf":null,"status":{"value":"dhcp"},
                "tags":[{"id":4,"slug":"keep","name":"Keep"},{"id":9,"slug":"dhcp-sync","name":"dhcp-sync"}]}]})");
        }
        auto body = body_of(r);
        json::array written;
        for (const auto& item : body.as_array())
            written.push_back(json::object{{"id", r.method == "POST" ? json::value(++next_id) : item.at("id")}});
        return nds::http::json_response(r.method == "POST" ? 201 : 200, json::serialize(written));
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    std::vector<nds::engine::PrefixToRead> prefixes{{*nds::engine::Ipv4Network::parse("10.0.1.0/24"), std::nullopt}};
    auto ips = f.run<nds::Expected<std::vector<nds::engine::NetBoxIpAddress>>>([&]() { return client.list_ip_addresses(prefixes); });
    REQUIRE(ips);
    f.requests.clear();

    nds::engine::IpAddressUpdate u;
    u.id = 70;
    u.tags = std::vector<std::string>{"keep", "dhcp-sync"};
    std::vector<nds::engine::IpAddressUpdate> updates{u};
    auto updated = f.run<nds::netbox::WriteReport>([&]() { return client.update_ip_addresses(updates); });
    CHECK(updated.failures.empty());
    REQUIRE(f.requests.size() == 1);  // both ids known from the read: no lookup
    CHECK(body_of(f.requests[0]).at(0).at("tags") == json::array{4, 9});

    f.requests.clear();
    auto unknown = ip_create("10.0.1.80/24");
    unknown.tags = {"dhcp-sync", "nope"};
    std::vector<nds::engine::IpAddressCreate> creates{ip_create("10.0.1.81/24"), unknown};
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.create_ip_addresses(creates); });
    REQUIRE(f.requests.size() == 2);  // the lookup of "nope", then one POST without the object
    CHECK(Target::parse(f.requests[0].target).all("slug") == std::vector<std::string>{"nope"});
    CHECK(body_of(f.requests[1]).as_array().size() == 1);
    CHECK(report.applied == 1);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].object == "10.0.1.80/24");
    CHECK(report.failures[0].error.find("has no known NetBox id") != std::string::npos);
    CHECK(report.created_ids == std::vector<nds::engine::ObjectId>{1, 0});
}

TEST_CASE("IP creates go in batches of ip_write_batch_size, other writes in page_size") {
    Fixture f;
    int next_id = 0;
    f.reply = [&](const Request& r) {
        if (r.method == "GET") return tag_page(r);
        json::array created;
        for (std::size_t i = 0; i < body_of(r).as_array().size(); ++i) created.push_back(json::object{{"id", ++next_id}});
        return nds::http::json_response(201, json::serialize(created));
    };
    auto options = f.options();
    CHECK(options.ip_write_batch_size == 100);  // the default (see NetBoxOptions)
    options.page_size = 1000;
    NetBoxClient client(f.io.get_executor(), options);
    std::vector<nds::engine::IpAddressCreate> creates;
    for (int i = 0; i < 250; ++i) creates.push_back(ip_create("10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1) + "/16"));
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.create_ip_addresses(creates); });
    CHECK(report.applied == 250);
    std::vector<std::size_t> sizes;
    for (const auto& r : f.requests)
        if (r.method == "POST") sizes.push_back(body_of(r).as_array().size());
    std::sort(sizes.rbegin(), sizes.rend());  // batches run concurrently: their order on the wire may vary
    CHECK(sizes == std::vector<std::size_t>{100, 100, 50});

    f.requests.clear();
    std::vector<nds::engine::IpAddressDelete> deletes(250);
    for (int i = 0; i < 250; ++i) deletes[i].id = i + 1;
    f.reply = [](const Request&) { return Response{204, {}, ""}; };
    f.run<nds::netbox::WriteReport>([&]() { return client.delete_ip_addresses(deletes); });
    CHECK(f.requests.size() == 1);  // deletes do not run the plugin's validation: page_size
}

TEST_CASE("the changelog message is cut to 200 characters, never inside a UTF-8 sequence") {
    Fixture f;
    f.reply = [](const Request&) { return Response{204, {}, ""}; };
    auto options = f.options();
    options.changelog_message.clear();
    for (int i = 0; i < 250; ++i) options.changelog_message += "\u00e4";  // 2 bytes each
    NetBoxClient client(f.io.get_executor(), options);
    std::vector<nds::engine::IpAddressDelete> deletes(1);
    deletes[0].id = 1;
    f.run<nds::netbox::WriteReport>([&]() { return client.delete_ip_addresses(deletes); });
    std::string sent(body_of(f.requests.at(0)).at(0).at("changelog_message").as_string());
    CHECK(sent.size() == 400);
    std::string expected;
    for (int i = 0; i < 200; ++i) expected += "\u00e4";
    CHECK(sent == expected);
}

TEST_CASE("NetBox 4.7 without the plugin: status names the problem, plugin reads are errc::unsupported") {
    Fixture f;
    f.reply = [](const Request& r) {
        if (Target::parse(r.target).path == "/netbox/api/status/")
            return nds::http::json_response(200, R"({"netbox-version": "4.7.1", "plugins": {}})");
        Response response = nds::http::json_response(404, R"({"detail": "Not found."})");
        response.headers.emplace_back("API-Version", "4.7");
        return response;
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    auto status = f.run<nds::Expected<NetBoxClient::Status>>([&]() { return client.status(); });
    REQUIRE(status);
    CHECK_FALSE(status->plugin_installed);
    CHECK(status->plugin_problem.find("NetBox 4.7.1 does not load the netbox-windows-dhcp plugin") == 0);
    auto required = f.run<nds::Expected<NetBoxClient::Status>>([&]() { return client.plugin_status(); });
    REQUIRE_FALSE(required);
    CHECK(required.error().is(nds::errc::unsupported));
    auto servers = f.run<nds::Expected<std::vector<nds::engine::NetBoxServer>>>([&]() { return client.list_servers(); });
    REQUIRE_FALSE(servers);
    CHECK(servers.error().is(nds::errc::unsupported));
    CHECK(servers.error().message.find("the netbox-windows-dhcp plugin is not loaded by NetBox 4.7") != std::string::npos);
}

TEST_CASE("populated IP ranges: one read per VRF, only ranges overlapping the prefixes") {
    Fixture f;
    f.reply = [](const Request& r) {
        auto t = Target::parse(r.target);
        std::string vrf = t.get("vrf_id").value_or("?");
        json::array results;
        if (vrf == "null") {
            results.push_back(json::object{{"id", 1}, {"start_address", "10.0.1.100/24"}, {"end_address", "10.0.1.150/24"},
                                           {"vrf", nullptr}, {"mark_populated", true}, {"display", "10.0.1.100-150/24"}});
            results.push_back(json::object{{"id", 2}, {"start_address", "10.0.9.1/24"}, {"end_address", "10.0.9.9/24"},
                                           {"vrf", nullptr}, {"mark_populated", true}});
            // spans two prefixes: still overlapping
            results.push_back(json::object{{"id", 3}, {"start_address", "10.0.0.250/16"}, {"end_address", "10.0.1.5/16"},
                                           {"vrf", nullptr}, {"mark_populated", true}});
        } else {
            results.push_back(json::object{{"id", 4}, {"start_address", "10.0.1.1/24"}, {"end_address", "10.0.1.9/24"},
                                           {"vrf", json::object{{"id", 5}}}, {"mark_populated", true}});
        }
        return nds::http::json_response(200, json::serialize(json::object{
            {"count", results.size()}, {"next", nullptr}, {"previous", nullptr}, {"results", results}}));
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    std::vector<nds::engine::PrefixToRead> prefixes{{*nds::engine::Ipv4Network::parse("10.0.1.0/24"), std::nullopt},
                                                    {*nds::engine::Ipv4Network::parse("10.0.1.0/24"), 5}};
    auto ranges = f.run<nds::Expected<std::vector<nds::engine::NetBoxIpRange>>>([&]() { return client.list_populated_ranges(prefixes); });
    REQUIRE(ranges);
    REQUIRE(ranges->size() == 3);
    CHECK((*ranges)[0].id == 1);
    CHECK((*ranges)[0].display == "10.0.1.100-150/24");
    CHECK((*ranges)[0].start == *nds::engine::Ipv4Address::parse("10.0.1.100"));
    CHECK((*ranges)[1].id == 3);
    CHECK((*ranges)[2].id == 4);
    CHECK((*ranges)[2].vrf_id == 5);
    REQUIRE(f.requests.size() == 2);
    for (const auto& r : f.requests) {
        auto t = Target::parse(r.target);
        CHECK(t.path == "/netbox/api/ipam/ip-ranges/");
        CHECK(t.get("mark_populated") == "true");
    }
}

TEST_CASE("the plugin's sync job: queued runs, recent runs on NetBox's clock, the logged statuses, 403 as refused") {
    Fixture f;
    bool deny = false;
    f.reply = [&](const Request& r) {
        if (deny) return nds::http::json_response(403, R"({"detail": "You do not have permission to perform this action."})");
        auto t = Target::parse(r.target);
        json::array results;
        if (!t.all("status").empty()) {
            results.push_back(json::object{{"id", 11}, {"name", "Windows DHCP Sync"}, {"status", json::object{{"value", "scheduled"}}},
                                           {"scheduled", "2026-09-01T11:00:00Z"}, {"interval", 60}, {"log_entries", json::array{}}});
        } else {
            auto entry = [](const char* m) { return json::object{{"level", "info"}, {"message", m}}; };
            results.push_back(json::object{{"id", 9}, {"name", "Windows DHCP Sync"}, {"status", json::object{{"value", "completed"}}},
                                           {"completed", "2026-09-01T09:01:00Z"},
                                           {"log_entries", json::array{entry("Starting DHCP sync: lease_status='old' reservation_status='x'")}}});
            results.push_back(json::object{{"id", 10}, {"name", "Windows DHCP Sync"}, {"status", json::object{{"value", "errored"}}},
                                           {"completed", "2026-09-01T10:01:00Z"},
                                           {"log_entries", json::array{entry("Loaded 2 protected prefix(es)"),
                                                                       entry("Starting DHCP sync: sync_ip_addresses=True protect_tag=None "
                                                                             "update_client_id=False lease_status='dhcp' reservation_status=\"it's\"")}}});
        }
        Response response = nds::http::json_response(200, json::serialize(json::object{
            {"count", results.size()}, {"next", nullptr}, {"previous", nullptr}, {"results", results}}));
        response.headers.emplace_back("Date", "Tue, 01 Sep 2026 10:30:00 GMT");
        return response;
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    auto jobs = f.run<nds::Expected<NetBoxClient::PluginSyncJobs>>([&]() { return client.plugin_sync_jobs(std::chrono::minutes(120)); });
    REQUIRE(jobs);
    CHECK(jobs->active());
    REQUIRE(jobs->queued.size() == 1);
    CHECK(jobs->queued[0].status == "scheduled");
    CHECK(jobs->queued[0].interval == 60);
    REQUIRE(jobs->recent.size() == 2);
    CHECK(jobs->recent[0].id == 10);  // newest first
    CHECK(jobs->lease_status == "dhcp");
    CHECK(jobs->reservation_status == "it's");
    REQUIRE(f.requests.size() == 2);
    auto first = Target::parse(f.requests[0].target);
    CHECK(first.get("name") == "Windows DHCP Sync");
    CHECK(first.all("status") == std::vector<std::string>{"pending", "scheduled", "running"});
    CHECK(Target::parse(f.requests[1].target).get("completed__after") == "2026-09-01T08:30:00Z");  // NetBox's Date - 2 h
    REQUIRE(client.netbox_date());
    CHECK(nds::netbox::json_codec::iso_utc(*client.netbox_date()) == "2026-09-01T10:30:00Z");

    deny = true;
    auto denied = f.run<nds::Expected<NetBoxClient::PluginSyncJobs>>([&]() { return client.plugin_sync_jobs(); });
    REQUIRE_FALSE(denied);
    CHECK(denied.error().is(nds::errc::refused));
    CHECK(denied.error().http_status == 403);
}
