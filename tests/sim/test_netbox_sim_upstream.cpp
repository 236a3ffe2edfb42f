// The NetBox simulator answers as the real NetBox 4.5/4.6 (and 4.7) with plugin v1.3.5 do, read from their
// code: unique violations are 500 IntegrityError, protected deletes 409, bulk creates validate against the
// state before the request, populated IP ranges refuse new IPs, references by attributes honour view
// permissions, the plugin's model clean() reports one error at a time, auth texts, 4.7 without the plugin,
// and the jobs list.
#include "tests/sim/netbox_sim_test_client.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <string>

using namespace nds::testing;
namespace json = boost::json;

namespace {

constexpr const char* kAlice = "Token 0123456789abcdef0123456789abcdef01234567";
constexpr const char* kBlind = "Token blind789abcdef0123456789abcdef01234567";     // cannot view tags or jobs
constexpr const char* kReader = "Token reader89abcdef0123456789abcdef01234567";   // write_enabled false
constexpr const char* kExclusions = "/api/plugins/windows-dhcp/exclusion-ranges/";
constexpr const char* kIps = "/api/ipam/ip-addresses/";

struct Nb {
    Simulator sim{NDS_NETBOX_SIM, {}};

    Nb() {
        sim.seed(json::object{
            {"users", json::array{json::object{{"username", "alice"}, {"token", std::string(kAlice).substr(6)}},
                                  json::object{{"username", "blind"}, {"token", std::string(kBlind).substr(6)},
                                               {"can_view_tags", false}, {"can_view_jobs", false}},
                                  json::object{{"username", "reader"}, {"token", std::string(kReader).substr(6)},
                                               {"write_enabled", false}}}},
            {"tags", json::array{json::object{{"name", "DHCP Sync"}, {"slug", "dhcp-sync"}}}},
            {"vrfs", json::array{json::object{{"name", "Campus"}}}},
            {"servers", json::array{json::object{{"name", "dhcp01"}}, json::object{{"name", "dhcp02"}}}},
            {"failovers", json::array{json::object{{"name", "FO"}, {"primary_server", "dhcp01"}, {"secondary_server", "dhcp02"}}}},
            {"option_codes", json::array{json::object{{"code", 6}, {"name", "DNS Servers"}}}},
            {"scopes", json::array{json::object{{"name", "A"}, {"prefix", "10.10.1.0/24"}, {"start_ip", "10.10.1.10"},
                                                {"end_ip", "10.10.1.200"}, {"server", "dhcp01"},
                                                {"exclusion_ranges", json::array{json::object{{"start_ip", "10.10.1.1"},
                                                                                              {"end_ip", "10.10.1.9"}}}}}}},
            {"ip_addresses", json::array{json::object{{"address", "10.10.1.20/24"}},
                                         json::object{{"address", "10.10.1.21/24"},
                                                      {"tunnel_termination", json::object{{"tunnel", "HQ"}, {"id", 3}}}}}},
            {"ip_ranges", json::array{json::object{{"start_address", "10.10.1.100/24"}, {"end_address", "10.10.1.150/24"},
                                                   {"mark_populated", true}},
                                      json::object{{"start_address", "10.10.1.160/24"}, {"end_address", "10.10.1.170/24"}},
                                      json::object{{"start_address", "10.10.1.100/24"}, {"end_address", "10.10.1.150/24"},
                                                   {"vrf", "Campus"}, {"mark_populated", true}}}}});
    }

    SimReply call(const std::string& method, const std::string& target, const json::value& body = nullptr,
                  const std::string& auth = kAlice) {
        return sim_call(sim, auth, method, target, body);
    }
    std::size_t count(const std::string& target) {
        auto r = call("GET", target);
        REQUIRE(r.status == 200);
        return r.body.at("results").as_array().size();
    }
    std::int64_t scope_id() { return call("GET", "/api/plugins/windows-dhcp/scopes/").body.at("results").at(0).at("id").as_int64(); }
};

json::object exclusion(std::int64_t scope, const char* start, const char* end) {
    return {{"scope_id", scope}, {"start_ip", start}, {"end_ip", end}};
}

void check_integrity_error(const SimReply& r) {
    CHECK(r.status == 500);
    CHECK(r.body.at("exception").as_string() == "IntegrityError");
    CHECK(std::string(r.body.at("error").as_string()).find("duplicate key value violates unique constraint") == 0);
    CHECK(r.body.as_object().contains("netbox_version"));
    CHECK(r.body.as_object().contains("python_version"));
}

}  // namespace

TEST_CASE("a duplicate exclusion range is a 500 IntegrityError and rolls the whole bulk create back") {
    Nb nb;
    auto scope = nb.scope_id();
    // Against an existing range: unique_together is not validated by NetBox's serializer, so the database refuses it.
    auto existing = nb.call("POST", kExclusions, json::array{exclusion(scope, "10.10.1.201", "10.10.1.210"),
                                                             exclusion(scope, "10.10.1.1", "10.10.1.9")});
    check_integrity_error(existing);
    CHECK(std::string(existing.body.at("error").as_string()).find("Key (scope_id, start_ip, end_ip)=") != std::string::npos);
    // Two equal new ranges in one request.
    check_integrity_error(nb.call("POST", kExclusions, json::array{exclusion(scope, "10.10.1.220", "10.10.1.230"),
                                                                   exclusion(scope, "10.10.1.220", "10.10.1.230")}));
    CHECK(nb.count(kExclusions) == 1);  // nothing of either request was committed
    CHECK(nb.call("POST", kExclusions, exclusion(scope, "10.10.1.220", "10.10.1.230")).status == 201);
}

TEST_CASE("a failover name or option code already in NetBox is 400, the same name twice in one request is 500") {
    Nb nb;
    auto fo = [](const char* name) {
        return json::object{{"name", name}, {"primary_server_id", 1}, {"secondary_server_id", 2}};
    };
    auto existing = nb.call("POST", "/api/plugins/windows-dhcp/failover/", json::array{fo("FO2"), fo("FO")});
    CHECK(existing.status == 400);  // unique=True: DRF's UniqueValidator, against the state before the request
    CHECK(existing.body.at(1).at("name").at(0).as_string() == "DHCP Failover with this name already exists.");
    check_integrity_error(nb.call("POST", "/api/plugins/windows-dhcp/failover/", json::array{fo("FO3"), fo("FO3")}));

    auto code = [](int c) { return json::object{{"code", c}, {"name", "Option"}}; };
    auto dup = nb.call("POST", "/api/plugins/windows-dhcp/option-codes/", json::array{code(6)});
    CHECK(dup.status == 400);
    CHECK(dup.body.at(0).at("code").at(0).as_string() == "DHCP Option Code Definition with this Option Code already exists.");
    check_integrity_error(nb.call("POST", "/api/plugins/windows-dhcp/option-codes/", json::array{code(42), code(42)}));
    CHECK(nb.count("/api/plugins/windows-dhcp/option-codes/") == 1);
}

TEST_CASE("a bulk delete holding an IP a tunnel termination uses answers 409 and deletes nothing") {
    Nb nb;
    auto r = nb.call("DELETE", kIps, json::array{json::object{{"id", 1}}, json::object{{"id", 2}}});
    CHECK(r.status == 409);
    CHECK(r.body.at("detail").as_string() == "Unable to delete object. 1 dependent objects were found: HQ: Termination 3 (3)");
    CHECK(nb.count(kIps) == 2);
    CHECK(nb.call("DELETE", kIps, json::array{json::object{{"id", 1}}}).status == 204);
}

TEST_CASE("a bulk create validates every IP against the state before the request") {
    Nb nb;
    auto ip = [](const char* address) { return json::object{{"address", address}}; };
    // Two new IPs with the same address in one batch: both created (IP addresses have no database uniqueness).
    auto twice = nb.call("POST", kIps, json::array{ip("10.10.1.30/24"), ip("10.10.1.30/24")});
    CHECK(twice.status == 201);
    CHECK(twice.body.as_array().size() == 2);
    CHECK(nb.count(std::string(kIps) + "?address=10.10.1.30") == 2);
    // One that duplicates an existing IP is refused, at its position, and nothing is created.
    auto existing = nb.call("POST", kIps, json::array{ip("10.10.1.31/24"), ip("10.10.1.20/24")});
    CHECK(existing.status == 400);
    CHECK(existing.body.at(0).as_object().empty());
    CHECK(existing.body.at(1).at("address").at(0).as_string() == "Duplicate IP address found in global table: 10.10.1.20/24");
    CHECK(nb.count(std::string(kIps) + "?address=10.10.1.31") == 0);

    // NetBox 4.7 validates and saves each element in turn: the second one sees the first.
    nb.sim.post("/_sim/config", json::object{{"api_version", "4.7"}});
    auto sequential = nb.call("POST", kIps, json::array{ip("10.10.1.32/24"), ip("10.10.1.32/24")});
    CHECK(sequential.status == 400);
    CHECK(sequential.body.at("errors").at(0).at("index").as_int64() == 1);
}

TEST_CASE("IP ranges are listed with NetBox's filters") {
    Nb nb;
    const std::string ranges = "/api/ipam/ip-ranges/?limit=0";
    CHECK(nb.count(ranges) == 3);
    CHECK(nb.count(ranges + "&mark_populated=true") == 2);
    CHECK(nb.count(ranges + "&mark_populated=false") == 1);
    CHECK(nb.count(ranges + "&mark_populated=true&vrf_id=null") == 1);
    CHECK(nb.count(ranges + "&vrf_id=1") == 1);
    CHECK(nb.count(ranges + "&parent=10.10.1.0/24&vrf_id=null") == 2);
    CHECK(nb.count(ranges + "&parent=10.10.1.0/25") == 0);  // both ends must lie inside
    CHECK(nb.count(ranges + "&parent=not-a-prefix") == 0);
    CHECK(nb.count(ranges + "&start_address=10.10.1.100") == 2);      // host only
    CHECK(nb.count(ranges + "&start_address=10.10.1.100/25") == 0);   // with a mask: exact
    CHECK(nb.count(ranges + "&end_address=10.10.1.170/24") == 1);
    CHECK(nb.count(ranges + "&contains=10.10.1.165") == 1);
    auto unknown_vrf = nb.call("GET", ranges + "&vrf_id=99");
    CHECK(unknown_vrf.status == 400);
    CHECK(unknown_vrf.body.at("vrf_id").at(0).as_string() == "Select a valid choice. 99 is not one of the available choices.");
    auto range = nb.call("GET", "/api/ipam/ip-ranges/1/");
    REQUIRE(range.status == 200);
    CHECK(range.body.at("display").as_string() == "10.10.1.100-150/24");
    CHECK(range.body.at("size").as_int64() == 51);
    CHECK(range.body.at("mark_populated").as_bool());
}

TEST_CASE("an IP inside a populated IP range of its VRF cannot be created") {
    Nb nb;
    auto inside = nb.call("POST", kIps, json::array{json::object{{"address", "10.10.1.120/24"}}});
    CHECK(inside.status == 400);
    CHECK(inside.body.at(0).at("address").at(0).as_string() ==
          "Cannot create IP address 10.10.1.120/24 inside range 10.10.1.100-150/24.");
    // Not populated, or another VRF's range: created.
    CHECK(nb.call("POST", kIps, json::object{{"address", "10.10.1.165/24"}}).status == 201);
    nb.sim.post("/_sim/config", json::object{{"enforce_global_unique", false}});
    CHECK(nb.call("POST", kIps, json::object{{"address", "10.10.1.120/24"}, {"vrf", nullptr}}).status == 400);
    CHECK(nb.call("POST", kIps, json::object{{"address", "10.10.1.120/24"}, {"vrf", 1}}).status == 400);
    CHECK(nb.call("POST", kIps, json::object{{"address", "10.10.1.151/24"}, {"vrf", 1}}).status == 201);
    // The check is for creates only: an IP already inside (seeded) can be updated.
    nb.sim.seed(json::object{{"ip_addresses", json::array{json::object{{"address", "10.10.1.110/24"}}}}});
    auto seeded = nb.call("GET", std::string(kIps) + "?address=10.10.1.110").body.at("results").at(0).at("id");
    CHECK(nb.call("PATCH", std::string(kIps) + std::to_string(seeded.as_int64()) + "/",
                  json::object{{"description", "x"}}).status == 200);
}

TEST_CASE("a tag referenced by attributes is found only when the token's user may view tags, by id always") {
    Nb nb;
    auto by_slug = nb.call("POST", kIps, json::object{{"address", "10.10.1.40/24"}, {"tags", json::array{json::object{{"slug", "dhcp-sync"}}}}},
                           kBlind);
    CHECK(by_slug.status == 400);
    CHECK(by_slug.body.at("tags").at(0).as_string() ==
          "Related object not found using the provided attributes: {'slug': 'dhcp-sync'}");
    auto by_id = nb.call("POST", kIps, json::object{{"address", "10.10.1.40/24"}, {"tags", json::array{1}}}, kBlind);
    CHECK(by_id.status == 201);
    CHECK(by_id.body.at("tags").at(0).at("slug").as_string() == "dhcp-sync");
    CHECK(nb.call("POST", kIps, json::object{{"address", "10.10.1.41/24"}, {"tags", json::array{json::object{{"id", 1}}}}},
                  kBlind).status == 201);
    CHECK(nb.call("POST", kIps, json::object{{"address", "10.10.1.42/24"}, {"tags", json::array{json::object{{"slug", "dhcp-sync"}}}}})
              .status == 201);  // alice may view tags
    auto list = nb.call("GET", "/api/extras/tags/", nullptr, kBlind);
    CHECK(list.status == 403);
    CHECK(list.body.at("detail").as_string() == "You do not have permission to perform this action.");
}

TEST_CASE("plugin model validation reports one error, in the plugin's order and keys") {
    Nb nb;
    const std::string scopes = "/api/plugins/windows-dhcp/scopes/";
    auto scope = [](json::object extra) {
        json::object o{{"name", "B"}, {"prefix_id", 1}, {"start_ip", "10.10.1.10"}, {"end_ip", "10.10.1.20"}, {"server_id", 1}};
        for (auto& [k, v] : extra) o[k] = v;
        return o;
    };
    auto both = nb.call("POST", scopes, scope({{"failover_id", 1}}));
    CHECK(both.status == 400);
    CHECK(both.body == json::parse(R"({"__all__":["A scope cannot have both a server and a failover relationship. Set only one."]})"));
    auto neither = nb.call("POST", scopes, scope({{"server_id", nullptr}}));
    CHECK(neither.body == json::parse(R"({"__all__":["A scope must be associated with either a server or a failover relationship."]})"));
    // start and end outside the prefix, and start > end: only the first problem.
    auto outside = nb.call("POST", scopes, scope({{"start_ip", "10.10.2.50"}, {"end_ip", "10.10.2.40"}}));
    CHECK(outside.body == json::parse(R"({"start_ip":["Start IP must be within the prefix 10.10.1.0/24."]})"));
    auto reversed = nb.call("POST", scopes, scope({{"start_ip", "10.10.1.50"}, {"end_ip", "10.10.1.40"}}));
    CHECK(reversed.body == json::parse(R"({"end_ip":["End IP must be greater than or equal to the Start IP."]})"));

    auto range = nb.call("POST", kExclusions, exclusion(nb.scope_id(), "10.10.2.9", "10.10.2.1"));
    CHECK(range.body == json::parse(R"({"end_ip":["End IP must be greater than or equal to the Start IP."]})"));
    auto range_outside = nb.call("POST", kExclusions, exclusion(nb.scope_id(), "10.10.2.1", "10.10.2.9"));
    CHECK(range_outside.body == json::parse(R"({"start_ip":["Start IP must be within the scope prefix 10.10.1.0/24."]})"));

    auto same = nb.call("POST", "/api/plugins/windows-dhcp/failover/",
                        json::object{{"name", "X"}, {"primary_server_id", 1}, {"secondary_server_id", 1}});
    CHECK(same.body == json::parse(R"({"secondary_server":["Primary and secondary servers must be different."]})"));

    // The plugin's post_clean runs inside IPAddress.clean()'s super().clean(): before the duplicate check.
    auto dhcp = nb.call("POST", kIps, json::object{{"address", "10.10.9.20/24"}, {"status", "dhcp"}});
    CHECK(dhcp.body == json::parse(R"({"__all__":["IP addresses with status \"dhcp\" must fall within a configured DHCP scope prefix. No matching scope found for 10.10.9.20."]})"));
    auto excluded = nb.call("POST", kIps, json::object{{"address", "10.10.1.5/24"}, {"status", "dhcp"}});
    CHECK(excluded.body.at("__all__").at(0).as_string() ==
          "10.10.1.5 falls within exclusion range 10.10.1.1\u201310.10.1.9 of scope \"A\". Excluded IPs cannot have status \"dhcp\".");
    nb.sim.seed(json::object{{"ip_addresses", json::array{json::object{{"address", "10.10.9.21/24"}}}}});
    auto plugin_first = nb.call("POST", kIps, json::object{{"address", "10.10.9.21/24"}, {"status", "dhcp"}});
    CHECK(plugin_first.body.as_object().contains("__all__"));
    CHECK_FALSE(plugin_first.body.as_object().contains("address"));
}

TEST_CASE("authentication failures use NetBox's texts") {
    Nb nb;
    auto detail = [&](const std::string& auth, const std::string& method = "GET") {
        auto r = nb.call(method, "/api/status/", nullptr, auth);
        CHECK(r.status == 403);
        return std::string(r.body.at("detail").as_string());
    };
    CHECK(detail("") == "Authentication credentials were not provided.");
    CHECK(detail("Basic abc") == "Authentication credentials were not provided.");
    CHECK(detail("Token a b") == "Invalid authorization header: Must be in the form \"Bearer <key>.<token>\" or \"Token <token>\"");
    CHECK(detail("Token") == "Invalid authorization header: Must be in the form \"Bearer <key>.<token>\" or \"Token <token>\"");
    CHECK(detail("Bearer nbt_nodot").find("Invalid authorization header: Could not parse key from v2 token.") == 0);
    CHECK(detail("Token 0000000000000000000000000000000000000000") == "Invalid v1 token");
    CHECK(detail("Bearer nbt_abc.def") == "Invalid v2 token");
    auto write = nb.call("POST", kIps, json::object{{"address", "10.10.1.50/24"}}, kReader);
    CHECK(write.status == 403);
    CHECK(write.body.at("detail").as_string() == "You do not have permission to perform this action.");
}

TEST_CASE("a changelog_message over 200 characters fails the write with 500, 200 characters are fine") {
    Nb nb;
    std::string long_message(201, 'x');
    auto r = nb.call("POST", kIps, json::array{json::object{{"address", "10.10.1.60/24"}, {"changelog_message", long_message}}});
    CHECK(r.status == 500);
    CHECK(r.body.at("exception").as_string() == "DataError");
    CHECK(nb.count(std::string(kIps) + "?address=10.10.1.60") == 0);
    auto del = nb.call("DELETE", kIps, json::array{json::object{{"id", 1}, {"changelog_message", long_message}}});
    CHECK(del.status == 500);
    CHECK(nb.count(kIps) == 2);
    // 200 characters of two bytes each (400 bytes) are 200 characters for NetBox.
    std::string umlauts;
    for (int i = 0; i < 200; ++i) umlauts += "\u00e4";
    CHECK(nb.call("POST", kIps, json::array{json::object{{"address", "10.10.1.60/24"}, {"changelog_message", umlauts}}}).status == 201);
    auto changes = nb.sim.get("/_sim/changes").as_array();
    CHECK(changes.back().at("message").as_string() == umlauts);
}

TEST_CASE("filters with an unknown VRF id or tag slug are 400") {
    Nb nb;
    auto vrf = nb.call("GET", std::string(kIps) + "?vrf_id=42");
    CHECK(vrf.status == 400);
    CHECK(vrf.body.at("vrf_id").at(0).as_string() == "Select a valid choice. 42 is not one of the available choices.");
    CHECK(nb.call("GET", "/api/ipam/prefixes/?vrf_id=42").status == 400);
    auto tag = nb.call("GET", std::string(kIps) + "?tag=nope");
    CHECK(tag.status == 400);
    CHECK(tag.body.at("tag").at(0).as_string() == "Select a valid choice. nope is not one of the available choices.");
    CHECK(nb.call("GET", std::string(kIps) + "?vrf_id=null&vrf_id=1").status == 200);
}

TEST_CASE("NetBox 4.7 does not load plugin v1.3.5 unless the simulator is told the plugin supports it") {
    Nb nb;
    nb.sim.post("/_sim/config", json::object{{"api_version", "4.7"}});
    CHECK(nb.call("GET", "/api/plugins/windows-dhcp/servers/").status == 404);
    CHECK(nb.call("GET", "/api/plugins/windows-dhcp/scopes/1/").status == 404);
    auto status = nb.call("GET", "/api/status/");
    CHECK(status.body.at("netbox-version").as_string() == "4.7.1");
    CHECK(status.body.at("plugins").as_object().empty());
    CHECK(nb.call("GET", kIps).status == 200);  // core endpoints are unaffected

    nb.sim.post("/_sim/config", json::object{{"plugin_supports_47", true}});
    CHECK(nb.call("GET", "/api/plugins/windows-dhcp/servers/").status == 200);
    CHECK(nb.call("GET", "/api/status/").body.at("plugins").at("netbox_windows_dhcp").as_string() == "1.3.5");
}

TEST_CASE("the jobs list shows the plugin's system job, filtered like NetBox, to users who may view jobs") {
    Nb nb;
    nb.sim.seed(json::object{{"jobs", json::array{
        json::object{{"name", "Windows DHCP Sync"}, {"status", "scheduled"}, {"interval", 60},
                     {"created", "2026-09-01T09:00:00.000000Z"}, {"scheduled", "2026-09-01T11:00:00.000000Z"}},
        json::object{{"name", "Windows DHCP Sync"}, {"status", "completed"}, {"interval", 60},
                     {"created", "2026-09-01T09:00:00.000000Z"}, {"started", "2026-09-01T10:00:00.000000Z"},
                     {"completed", "2026-09-01T10:01:00.000000Z"},
                     {"log", json::array{"Starting DHCP sync: sync_ip_addresses=True push_reservations=False "
                                         "push_scope_info=False sync_active_scopes_only=False protect_tag=None "
                                         "update_client_id=False lease_status='dhcp' reservation_status='reserved'"}}},
        json::object{{"name", "Sync dhcp01"}, {"status", "completed"}, {"completed", "2026-09-01T08:00:00Z"}}}}});
    const std::string jobs = "/api/core/jobs/?limit=0";
    CHECK(nb.count(jobs) == 3);
    CHECK(nb.count(jobs + "&name=Windows%20DHCP%20Sync") == 2);
    CHECK(nb.count(jobs + "&name=Windows%20DHCP%20Sync&status=scheduled&status=running") == 1);
    CHECK(nb.count(jobs + "&completed__after=2026-09-01T09:30:00Z") == 1);
    CHECK(nb.count(jobs + "&completed__before=2026-09-01T09:30:00%2B00:00") == 1);
    CHECK(nb.count(jobs + "&created__before=2026-09-01T09:30:00Z") == 2);  // the third was created now
    CHECK(nb.call("GET", jobs + "&status=bogus").status == 400);
    CHECK(nb.call("GET", jobs + "&completed__after=yesterday").status == 400);
    auto job = nb.call("GET", "/api/core/jobs/2/").body.as_object();
    CHECK(job.at("object_type").is_null());
    CHECK(job.at("object_id").is_null());
    CHECK(job.at("interval").as_int64() == 60);
    CHECK(job.at("status").at("value").as_string() == "completed");
    CHECK(std::string(job.at("log_entries").at(0).at("message").as_string()).find("lease_status='dhcp'") != std::string::npos);
    auto denied = nb.call("GET", jobs, nullptr, kBlind);
    CHECK(denied.status == 403);
    CHECK(nb.call("POST", "/api/core/jobs/", json::object{{"name", "x"}}).status == 405);
}
