// How the NetBox simulator renders and filters reads like NetBox 4.5/4.6: fields= / omit= / brief narrow what
// is rendered (and what it costs), last_updated__gte/__lte, the Date header from the simulator's own clock,
// and the change log's time filters and retention.
#include "tests/sim/netbox_sim_test_client.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <set>
#include <string>

using namespace nds::testing;
namespace json = boost::json;

namespace {

constexpr const char* kAuth = "Token 0123456789abcdef0123456789abcdef01234567";

struct Reads {
    Simulator sim{NDS_NETBOX_SIM, {}};
    Reads() {
        sim.seed(json::object{
            {"users", json::array{json::object{{"username", "alice"}, {"token", std::string(kAuth).substr(6)}}}},
            {"tags", json::array{json::object{{"name", "dhcp-sync"}}}},
            {"servers", json::array{json::object{{"name", "dhcp01"}}}},
            {"scopes", json::array{json::object{{"name", "A"}, {"prefix", "10.10.1.0/24"}, {"start_ip", "10.10.1.10"},
                                                {"end_ip", "10.10.1.200"}, {"server", "dhcp01"},
                                                {"exclusion_ranges", json::array{json::object{{"start_ip", "10.10.1.1"},
                                                                                              {"end_ip", "10.10.1.9"}}}}}}},
            {"ip_addresses", json::array{
                json::object{{"address", "10.10.1.20/24"}, {"tags", json::array{"dhcp-sync"}}, {"last_updated", "2020-01-01T00:00:00.000000Z"}},
                json::object{{"address", "10.10.1.21/24"}, {"last_updated", "2020-06-01T00:00:00.000000Z"}},
                json::object{{"address", "10.10.1.22/24"}}}}});
    }
    SimReply get(const std::string& target) { return sim_call(sim, kAuth, "GET", target); }
    SimReply call(const std::string& method, const std::string& target, const json::value& body) {
        return sim_call(sim, kAuth, method, target, body);
    }
    json::array results(const std::string& target) {
        auto r = get(target);
        REQUIRE(r.status == 200);
        return r.body.at("results").as_array();
    }
};

std::vector<std::string> keys(const json::value& object) {
    std::vector<std::string> out;
    for (const auto& [k, v] : object.as_object()) out.emplace_back(k);
    return out;
}

std::string header(const SimReply& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "";
}

}  // namespace

TEST_CASE("fields= renders only the named top-level fields, in the serializer's order") {
    Reads nb;
    auto ips = nb.results("/api/ipam/ip-addresses/?fields=tags,id,address");
    REQUIRE(ips.size() == 3);
    CHECK(keys(ips[0]) == std::vector<std::string>{"id", "address", "tags"});
    CHECK(ips[0].at("tags").at(0).at("slug").as_string() == "dhcp-sync");  // a nested object keeps its brief form
    CHECK(keys(nb.results("/api/ipam/ip-addresses/?fields=id,nope")[0]) == std::vector<std::string>{"id"});
    CHECK(nb.results("/api/ipam/ip-addresses/?fields=nope")[0].as_object().empty());
    CHECK(keys(nb.results("/api/ipam/ip-addresses/?fields=id,vrf.name")[0]) == std::vector<std::string>{"id"});
    CHECK(keys(nb.results("/api/ipam/ip-addresses/?fields=id,%20address")[0]) == std::vector<std::string>{"id"});  // no trimming
    // fields wins over omit and brief; an empty value is no value.
    CHECK(keys(nb.results("/api/ipam/ip-addresses/?fields=id&omit=id&brief=1")[0]) == std::vector<std::string>{"id"});
    CHECK(nb.results("/api/ipam/ip-addresses/?fields=")[0].as_object().contains("custom_fields"));
    auto detail = nb.get("/api/ipam/ip-addresses/1/?fields=id,dns_name");
    CHECK(keys(detail.body) == std::vector<std::string>{"id", "dns_name"});
}

TEST_CASE("omit= drops fields, brief renders brief_fields, and next links keep them") {
    Reads nb;
    auto omitted = nb.results("/api/ipam/ip-addresses/?omit=custom_fields,tags");
    CHECK_FALSE(omitted[0].as_object().contains("custom_fields"));
    CHECK_FALSE(omitted[0].as_object().contains("tags"));
    CHECK(omitted[0].as_object().contains("dns_name"));
    auto brief = nb.results("/api/ipam/ip-addresses/?brief=false");  // any non-empty value turns brief on
    CHECK(keys(brief[0]) == std::vector<std::string>{"id", "url", "display", "family", "address", "description"});
    CHECK(keys(nb.results("/api/plugins/windows-dhcp/scopes/?brief=1")[0]) ==
          std::vector<std::string>{"id", "url", "display", "name", "start_ip", "end_ip"});
    CHECK(keys(nb.results("/api/ipam/prefixes/?brief=1")[0]) ==
          std::vector<std::string>{"id", "url", "display", "family", "prefix", "description", "_depth"});
    auto page = nb.get("/api/ipam/ip-addresses/?fields=id&limit=2");
    std::string next(page.body.at("next").as_string());
    CHECK(next.find("fields=id") != std::string::npos);
    CHECK(keys(nb.results(next.substr(next.find("/api/")))[0]) == std::vector<std::string>{"id"});
}

TEST_CASE("rendered objects are counted and cost per object, less when narrowed") {
    Reads nb;
    nb.sim.post("/_sim/stats/reset", json::object{});
    auto config = nb.sim.post("/_sim/config", json::object{{"latency_ms_per_object_rendered", 150},
                                                           {"latency_ms_per_object_rendered_narrow", 0}});
    CHECK(config.at("latency_ms_per_object_rendered").as_int64() == 150);
    auto timed = [&](const std::string& target) {
        auto start = std::chrono::steady_clock::now();
        REQUIRE(nb.get(target).status == 200);
        return std::chrono::steady_clock::now() - start;
    };
    auto full = timed("/api/ipam/ip-addresses/");          // 3 objects x 150 ms
    auto narrow = timed("/api/ipam/ip-addresses/?fields=id");
    CHECK(full >= std::chrono::milliseconds(450));
    CHECK(narrow < full);
    timed("/api/ipam/ip-addresses/1/?brief=1");
    auto stats = nb.sim.stats();
    CHECK(stats.at("objects_rendered").as_int64() == 7);
    CHECK(stats.at("objects_rendered_narrow").as_int64() == 4);
}

TEST_CASE("last_updated__gte and __lte filter IPs, prefixes, scopes and exclusion ranges") {
    Reads nb;
    CHECK(nb.results("/api/ipam/ip-addresses/?last_updated__gte=2020-03-01T00:00:00Z").size() == 2);
    CHECK(nb.results("/api/ipam/ip-addresses/?last_updated__lte=2020-03-01").size() == 1);
    CHECK(nb.results("/api/ipam/ip-addresses/?last_updated__gte=2020-03-01T00:00:00Z&last_updated__lte=2020-12-31").size() == 1);
    auto created = nb.call("POST", "/api/ipam/ip-addresses/", json::object{{"address", "10.10.1.30/24"}});
    REQUIRE(created.status == 201);
    std::string stamp(created.body.at("last_updated").as_string());
    CHECK(nb.results("/api/ipam/ip-addresses/?last_updated__gte=" + stamp).size() == 1);  // >= includes it
    for (const char* path : {"/api/ipam/prefixes/", "/api/plugins/windows-dhcp/scopes/", "/api/plugins/windows-dhcp/exclusion-ranges/"}) {
        CHECK(nb.results(std::string(path) + "?last_updated__gte=2020-01-01T00:00:00Z").size() == 1);
        CHECK(nb.results(std::string(path) + "?last_updated__gte=2099-01-01T00:00:00Z").empty());
        CHECK(nb.results(std::string(path) + "?last_updated__lte=2099-01-01T00:00:00%2B02:00").size() == 1);
    }
    auto bad = nb.get("/api/ipam/ip-addresses/?last_updated__gte=yesterday");
    CHECK(bad.status == 400);
    CHECK(bad.body.at("last_updated__gte").at(0).as_string() == "Enter a valid date/time.");
}

TEST_CASE("the Date header and new timestamps follow the simulator's clock offset") {
    Reads nb;
    auto now = nb.get("/api/status/");
    CHECK_FALSE(header(now, "Date").empty());
    CHECK(header(now, "Date").size() == 29);
    nb.sim.post("/_sim/config", json::object{{"clock_offset_seconds", 366 * 86400}});
    auto later = nb.get("/api/status/");
    CHECK(header(later, "Date") != header(now, "Date"));
    auto created = nb.call("POST", "/api/ipam/ip-addresses/", json::object{{"address", "10.10.1.31/24"}});
    REQUIRE(created.status == 201);
    auto year = [](const std::string& iso) { return std::stoi(iso.substr(0, 4)); };
    auto date_year = [](const std::string& date) { return std::stoi(date.substr(12, 4)); };
    CHECK(year(std::string(created.body.at("last_updated").as_string())) == date_year(header(later, "Date")));
    CHECK(date_year(header(later, "Date")) >= date_year(header(now, "Date")) + 1);
}

TEST_CASE("object changes filter by type, action and time, and the retention drops old records") {
    Reads nb;
    REQUIRE(nb.call("POST", "/api/ipam/ip-addresses/", json::object{{"address", "10.10.1.40/24"}}).status == 201);
    REQUIRE(nb.call("DELETE", "/api/ipam/ip-addresses/", json::array{json::object{{"id", 1}}}).status == 204);
    const std::string changes = "/api/core/object-changes/?limit=0";
    CHECK(nb.results(changes).size() == 2);
    auto deletes = nb.results(changes + "&changed_object_type=ipam.ipaddress&action=delete");
    REQUIRE(deletes.size() == 1);
    CHECK(deletes[0].at("changed_object_id").as_int64() == 1);
    CHECK(nb.results(changes + "&changed_object_type=ipam.prefix").empty());
    std::string first_time(nb.results(changes)[0].at("time").as_string());
    CHECK(nb.results(changes + "&time_after=" + first_time).size() == 2);
    CHECK(nb.results(changes + "&time_before=" + first_time).size() == 1);
    CHECK(nb.results(changes + "&time_after=2099-01-01T00:00:00Z").empty());
    CHECK(nb.get(changes + "&time_after=soon").status == 400);
    CHECK(keys(nb.results(changes + "&fields=id,changed_object_id")[0]) == std::vector<std::string>{"id", "changed_object_id"});

    // Two hours later on NetBox's clock, with one hour of retention: the log no longer reaches back.
    nb.sim.post("/_sim/config", json::object{{"clock_offset_seconds", 7200}, {"changelog_retention_seconds", 3600}});
    CHECK(nb.results(changes).empty());
    REQUIRE(nb.call("POST", "/api/ipam/ip-addresses/", json::object{{"address", "10.10.1.41/24"}}).status == 201);
    auto kept = nb.results(changes);
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].at("action").at("value").as_string() == "create");
}
