// The NetBox simulator serves objects from rendered JSON it keeps between requests (Resource::rendered):
// every write, seed and configuration change must show in the next read, in lists, details and nested
// objects alike, or every integration test that reads NetBox back would be checking stale data.
#include "tests/support/simulator.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <optional>
#include <string>

using namespace nds::testing;
namespace json = boost::json;

namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef01234567";

class NetboxSimFixture {
public:
    NetboxSimFixture() : sim_(NDS_NETBOX_SIM, {}) {
        sim_.seed(json::object{
            {"users", json::array{json::object{{"username", "alice"}, {"token", kToken}}}},
            {"tags", json::array{json::object{{"name", "dhcp-sync"}}}},
            {"vrfs", json::array{json::object{{"name", "Campus"}}}},
            {"scopes", json::array{json::object{{"name", "Campus A"},
                                                {"prefix", "10.10.1.0/24"},
                                                {"start_ip", "10.10.1.10"},
                                                {"end_ip", "10.10.1.200"}}}},
            {"ip_addresses", json::array{json::object{{"address", "10.10.1.20/24"}, {"dns_name", "a"}},
                                         json::object{{"address", "10.10.1.21/24"}, {"dns_name", "b"}},
                                         json::object{{"address", "10.10.1.22/24"}, {"dns_name", "c"}}}}});
    }

    /// One REST call as alice; the parsed body (null for 204) and the status.
    std::pair<unsigned, json::value> call(const std::string& method, const std::string& target,
                                          const json::value& body = nullptr) {
        auto response = http_call(sim_.port(), method, target, body.is_null() ? "" : json::serialize(body),
                                  {{"Authorization", std::string("Token ") + kToken}});
        return {response.status, response.body.empty() ? json::value(nullptr) : json::parse(response.body)};
    }

    json::array ips(const std::string& query = "") {
        auto [status, page] = call("GET", "/api/ipam/ip-addresses/?limit=0" + query);
        REQUIRE(status == 200);
        return page.at("results").as_array();
    }

    std::optional<json::object> ip(const std::string& address) {
        for (const auto& ip : ips())
            if (ip.at("address").as_string() == address) return ip.as_object();
        return std::nullopt;
    }

    Simulator& sim() { return sim_; }

private:
    Simulator sim_;
};

}  // namespace

TEST_CASE("an IP list shows each write at once: create, update, delete, and a tag created since") {
    NetboxSimFixture nb;
    REQUIRE(nb.ips().size() == 3);  // rendered once here; everything below must see through that

    auto [created_status, created] =
        nb.call("POST", "/api/ipam/ip-addresses/",
                json::array{json::object{{"address", "10.10.1.30/24"}, {"status", "dhcp"}, {"dns_name", "d"}}});
    REQUIRE(created_status == 201);
    CHECK(created.as_array().size() == 1);
    REQUIRE(nb.ip("10.10.1.30/24"));
    CHECK(*nb.ip("10.10.1.30/24") == created.as_array().front().as_object());

    auto b = nb.ip("10.10.1.21/24");
    REQUIRE(b);
    auto [updated_status, updated] = nb.call(
        "PATCH", "/api/ipam/ip-addresses/",
        json::array{json::object{{"id", b->at("id")}, {"dns_name", "b2"}, {"tags", json::array{json::object{{"slug", "dhcp-sync"}}}}}});
    REQUIRE(updated_status == 200);
    CHECK(nb.ip("10.10.1.21/24")->at("dns_name").as_string() == "b2");
    CHECK(nb.ip("10.10.1.21/24")->at("tags").as_array().size() == 1);
    CHECK(nb.ip("10.10.1.20/24")->at("dns_name").as_string() == "a");  // untouched neighbours still served

    auto [tag_status, tag] = nb.call("POST", "/api/extras/tags/", json::object{{"name", "Lab"}, {"slug", "lab"}});
    REQUIRE(tag_status == 201);
    auto [retag_status, retagged] = nb.call(
        "PATCH", "/api/ipam/ip-addresses/" + std::to_string(b->at("id").as_int64()) + "/",
        json::object{{"tags", json::array{json::object{{"slug", "dhcp-sync"}}, json::object{{"slug", "lab"}}}}});
    REQUIRE(retag_status == 200);
    CHECK(nb.ip("10.10.1.21/24")->at("tags").as_array().size() == 2);
    CHECK(nb.ips("&tag=lab").size() == 1);

    auto c = nb.ip("10.10.1.22/24");
    REQUIRE(c);
    auto [deleted_status, deleted] = nb.call("DELETE", "/api/ipam/ip-addresses/", json::array{json::object{{"id", c->at("id")}}});
    CHECK(deleted_status == 204);
    CHECK_FALSE(nb.ip("10.10.1.22/24"));
    CHECK(nb.ips().size() == 3);
}

TEST_CASE("a detail read equals the list item, and a rejected bulk write changes neither") {
    NetboxSimFixture nb;
    auto a = nb.ip("10.10.1.20/24");
    REQUIRE(a);
    auto [detail_status, detail] = nb.call("GET", "/api/ipam/ip-addresses/" + std::to_string(a->at("id").as_int64()) + "/");
    REQUIRE(detail_status == 200);
    CHECK(detail.as_object() == *a);

    // The second item is a duplicate of an existing address: the whole request is rolled back.
    auto [status, errors] = nb.call(
        "PATCH", "/api/ipam/ip-addresses/",
        json::array{json::object{{"id", a->at("id")}, {"dns_name", "renamed"}},
                    json::object{{"id", a->at("id").as_int64() + 1}, {"address", "10.10.1.20/24"}}});
    CHECK(status == 400);
    CHECK(nb.ip("10.10.1.20/24")->at("dns_name").as_string() == "a");
}

TEST_CASE("a scope shows its prefix's new CIDR, and seeding and page-size changes show in the next read") {
    NetboxSimFixture nb;
    auto [scopes_status, scopes] = nb.call("GET", "/api/plugins/windows-dhcp/scopes/");
    REQUIRE(scopes_status == 200);
    REQUIRE(scopes.at("results").as_array().size() == 1);
    const json::value& prefix = scopes.at("results").at(0).at("prefix");
    CHECK(prefix.at("prefix").as_string() == "10.10.1.0/24");

    auto [patch_status, patched] = nb.call("PATCH", "/api/ipam/prefixes/" + std::to_string(prefix.at("id").as_int64()) + "/",
                                           json::object{{"prefix", "10.10.0.0/23"}});
    REQUIRE(patch_status == 200);
    auto [after_status, after] = nb.call("GET", "/api/plugins/windows-dhcp/scopes/");
    REQUIRE(after_status == 200);
    CHECK(after.at("results").at(0).at("prefix").at("prefix").as_string() == "10.10.0.0/23");

    nb.sim().seed(json::object{{"ip_addresses", json::array{json::object{{"address", "10.10.1.40/24"}}}}});
    CHECK(nb.ip("10.10.1.40/24"));

    nb.sim().post("/_sim/config", json::object{{"max_page_size", 2}});
    auto [page_status, page] = nb.call("GET", "/api/ipam/ip-addresses/?limit=0");
    REQUIRE(page_status == 200);
    CHECK(page.at("count").as_int64() == 4);
    CHECK(page.at("results").as_array().size() == 2);
    CHECK(page.at("previous").is_null());
    REQUIRE(page.at("next").is_string());
    std::string next(page.at("next").as_string());
    auto [next_status, second] = nb.call("GET", next.substr(next.find("/api/")));
    REQUIRE(next_status == 200);
    CHECK(second.at("results").as_array().size() == 2);
    CHECK(second.at("next").is_null());
    CHECK(second.at("previous").is_string());
}
