// NetBoxClient against an in-process HTTP server on 127.0.0.1 (nds::http::Server, port 0): pagination,
// auth, bulk writes with splitting, error statuses.
#include "netbox_client/netbox_client.hpp"

#include "http/http_server.hpp"
#include "http/url.hpp"

#include <boost/asio/co_spawn.hpp>
#include "util/async.hpp"
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <doctest/doctest.h>

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
    REQUIRE(f.requests.size() == 2);
    CHECK(f.requests[0].method == "POST");
    CHECK(f.requests[0].target == "/netbox/api/ipam/ip-addresses/");
    CHECK(f.requests[0].header("Content-Type") == "application/json");
    auto resent = body_of(f.requests[1]);
    for (const auto& item : resent.as_array())
        CHECK(item.at("changelog_message").as_string() == "netbox-dhcp-sync: job 7");
    CHECK(body_of(f.requests[1]).as_array().size() == 3);
}

TEST_CASE("bulk PATCH: unattributed 400 is bisected, page_size and concurrency bound the requests") {
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
    options.page_size = 4;
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

TEST_CASE("bulk delete: a 409 fails every object of that request with the status and detail") {
    Fixture f;
    f.reply = [](const Request&) {
        return nds::http::json_response(409, R"({"detail": "Unable to delete object. 1 dependent objects were found"})");
    };
    NetBoxClient client(f.io.get_executor(), f.options());
    std::vector<nds::engine::ScopeDelete> deletes(2);
    deletes[0].id = 1;
    deletes[1].id = 2;
    auto report = f.run<nds::netbox::WriteReport>([&]() { return client.delete_scopes(deletes); });
    CHECK(report.applied == 0);
    REQUIRE(report.failures.size() == 2);
    CHECK(report.failures[0].error.find("HTTP 409") != std::string::npos);
    CHECK(report.failures[0].error.find("dependent objects") != std::string::npos);
    CHECK(f.requests.at(0).method == "DELETE");
    CHECK(f.requests.at(0).target == "/netbox/api/plugins/windows-dhcp/scopes/");
    CHECK(f.requests.at(0).body == R"([{"id":1,"changelog_message":"netbox-dhcp-sync: job 7"},{"id":2,"changelog_message":"netbox-dhcp-sync: job 7"}])");
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
