// The NetBox client against the NetBox simulator (a process, answering as NetBox 4.6 with plugin v1.3.5):
// rejected bulk writes are split until the bad object is alone, tags go by id, populated ranges and the
// plugin's sync job are read, and NetBox 4.7 without the plugin is named as such.
#include "netbox_client/netbox_client.hpp"
#include "netbox_client/netbox_json.hpp"
#include "tests/sim/netbox_sim_test_client.hpp"
#include "util/async.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

using namespace nds::testing;
namespace asio = boost::asio;
namespace json = boost::json;
using nds::netbox::NetBoxClient;

namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kBlindToken = "blind789abcdef0123456789abcdef01234567ab";  // may not view tags or jobs

struct ClientWorld {
    Simulator sim{NDS_NETBOX_SIM, {}};
    asio::io_context io;

    ClientWorld() {
        sim.seed(json::object{
            {"users", json::array{json::object{{"username", "alice"}, {"token", kToken}},
                                  json::object{{"username", "blind"}, {"token", kBlindToken},
                                               {"can_view_tags", false}, {"can_view_jobs", false}}}},
            {"tags", json::array{json::object{{"name", "dhcp-sync"}, {"slug", "dhcp-sync"}}}},
            {"servers", json::array{json::object{{"name", "dhcp01"}}}},
            {"scopes", json::array{json::object{{"name", "A"}, {"prefix", "10.10.1.0/24"}, {"start_ip", "10.10.1.10"},
                                                {"end_ip", "10.10.1.200"}, {"server", "dhcp01"},
                                                {"exclusion_ranges", json::array{json::object{{"start_ip", "10.10.1.1"},
                                                                                              {"end_ip", "10.10.1.9"}}}}}}},
            {"ip_addresses", json::array{json::object{{"address", "10.10.1.20/24"}, {"tags", json::array{"dhcp-sync"}}},
                                         json::object{{"address", "10.10.1.21/24"},
                                                      {"tunnel_termination", json::object{{"tunnel", "HQ"}, {"id", 3}}}},
                                         json::object{{"address", "10.10.1.22/24"}}}},
            {"ip_ranges", json::array{json::object{{"start_address", "10.10.1.100/24"}, {"end_address", "10.10.1.150/24"},
                                                   {"mark_populated", true}},
                                      json::object{{"start_address", "10.10.2.1/24"}, {"end_address", "10.10.2.9/24"},
                                                   {"mark_populated", true}}}}});
    }

    nds::netbox::NetBoxOptions options(const char* token = kToken) const {
        nds::netbox::NetBoxOptions o;
        o.url = sim.url();
        o.token = token;
        o.changelog_message = "netbox-dhcp-sync test";
        o.http.max_retries = 0;
        return o;
    }

    template <class T>
    T run(asio::awaitable<T> operation) { return nds::run_to_completion(io, std::move(operation)); }
};

nds::engine::ExclusionRangeCreate range(const char* start, const char* end) {
    nds::engine::ExclusionRangeCreate c;
    c.scope_id = 1;
    c.start_ip = *nds::engine::Ipv4Address::parse(start);
    c.end_ip = *nds::engine::Ipv4Address::parse(end);
    c.note.object = std::string(start) + "-" + end;
    return c;
}

std::vector<nds::engine::PrefixToRead> scope_prefix() {
    return {{*nds::engine::Ipv4Network::parse("10.10.1.0/24"), std::nullopt}};
}

}  // namespace

TEST_CASE("client and simulator: duplicate exclusion ranges are isolated from a 500 IntegrityError, the rest created") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options());
    std::vector<nds::engine::ExclusionRangeCreate> creates{range("10.10.1.201", "10.10.1.202"), range("10.10.1.1", "10.10.1.9"),
                                                           range("10.10.1.203", "10.10.1.204"), range("10.10.1.203", "10.10.1.204")};
    auto report = w.run(client.create_exclusion_ranges(creates));
    CHECK(report.applied == 2);
    REQUIRE(report.failures.size() == 2);
    for (const auto& f : report.failures) CHECK(f.error.find("IntegrityError: duplicate key value violates unique constraint") == 0);
    CHECK(report.failures[0].object == "10.10.1.1-10.10.1.9");        // against the existing range
    CHECK(report.failures[1].object == "10.10.1.203-10.10.1.204");    // the second of two equal new ones
    CHECK(w.sim.state().at("exclusion_ranges").as_array().size() == 3);
}

TEST_CASE("client and simulator: a bulk delete holding a protected IP deletes the others and reports that one") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options());
    std::vector<nds::engine::IpAddressDelete> deletes(3);
    for (int i = 0; i < 3; ++i) {
        deletes[i].id = i + 1;
        deletes[i].note.object = "ip " + std::to_string(i + 1);
    }
    auto report = w.run(client.delete_ip_addresses(deletes));
    CHECK(report.applied == 2);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].object == "ip 2");
    CHECK(report.failures[0].error == "Unable to delete object. 1 dependent objects were found: HQ: Termination 3 (3)");
    CHECK(w.sim.state().at("ip_addresses").as_array().size() == 1);
}

TEST_CASE("client and simulator: a token that may not view tags writes the managed tag by the id its reads gave") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options(kBlindToken));
    auto ips = w.run(client.list_ip_addresses(scope_prefix()));
    REQUIRE(ips);
    nds::engine::IpAddressCreate c;
    c.address = *nds::engine::Ipv4Interface::parse("10.10.1.30/24");
    c.status = "active";
    c.tags = {"dhcp-sync"};
    c.note.object = "10.10.1.30/24";
    std::vector<nds::engine::IpAddressCreate> creates{c};
    auto report = w.run(client.create_ip_addresses(creates));
    CHECK(report.failures.empty());
    CHECK(report.applied == 1);
    auto created = sim_call(w.sim, std::string("Token ") + kToken, "GET", "/api/ipam/ip-addresses/?address=10.10.1.30");
    CHECK(created.body.at("results").at(0).at("tags").at(0).at("slug").as_string() == "dhcp-sync");

    // A client that never read the tag cannot look it up with this token: the object fails, nothing is sent.
    NetBoxClient fresh(w.io.get_executor(), w.options(kBlindToken));
    c.address = *nds::engine::Ipv4Interface::parse("10.10.1.31/24");
    creates = {c};
    auto refused = w.run(fresh.create_ip_addresses(creates));
    REQUIRE(refused.failures.size() == 1);
    CHECK(refused.failures[0].error.find("has no known NetBox id") != std::string::npos);
}

TEST_CASE("client and simulator: the managed tag's id from ensure_tag, populated ranges of the scope's prefix") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options());
    auto tag = w.run(client.ensure_tag("dhcp-sync", "dhcp-sync", ""));
    REQUIRE(tag);
    CHECK_FALSE(*tag);
    nds::engine::IpAddressCreate inside;
    inside.address = *nds::engine::Ipv4Interface::parse("10.10.1.120/24");
    inside.tags = {"dhcp-sync"};
    inside.note.object = "10.10.1.120/24";
    std::vector<nds::engine::IpAddressCreate> creates{inside};
    auto report = w.run(client.create_ip_addresses(creates));  // NetBox refuses it: the engine's rule avoids this
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].error == "address: Cannot create IP address 10.10.1.120/24 inside range 10.10.1.100-150/24.");

    auto ranges = w.run(client.list_populated_ranges(scope_prefix()));
    REQUIRE(ranges);
    REQUIRE(ranges->size() == 1);  // 10.10.2.1-9 is outside the prefix
    CHECK(ranges->front().display == "10.10.1.100-150/24");
    CHECK(ranges->front().start == *nds::engine::Ipv4Address::parse("10.10.1.100"));
    CHECK(ranges->front().end == *nds::engine::Ipv4Address::parse("10.10.1.150"));
    CHECK(client.netbox_date());
}

TEST_CASE("client and simulator: the plugin's sync job, and a token that may not read jobs") {
    ClientWorld w;
    w.sim.seed(json::object{{"jobs", json::array{
        json::object{{"name", "Windows DHCP Sync"}, {"status", "scheduled"}, {"interval", 60}},
        json::object{{"name", "Windows DHCP Sync"}, {"status", "completed"}, {"interval", 60},
                     {"started", "2020-01-01T00:00:00Z"}, {"completed", "2020-01-01T00:01:00Z"},
                     {"log", json::array{"Starting DHCP sync: lease_status='old' reservation_status='old'"}}}}}});
    NetBoxClient client(w.io.get_executor(), w.options());
    auto jobs = w.run(client.plugin_sync_jobs());
    REQUIRE(jobs);
    CHECK(jobs->active());
    CHECK(jobs->queued.size() == 1);
    CHECK(jobs->recent.empty());  // finished years ago on NetBox's clock
    CHECK(jobs->lease_status.empty());

    // A run that finished a minute ago on NetBox's clock, which runs an hour ahead of ours.
    w.sim.post("/_sim/config", json::object{{"clock_offset_seconds", 3600}});
    auto now = std::chrono::system_clock::now() + std::chrono::hours(1) - std::chrono::minutes(1);
    w.sim.seed(json::object{{"jobs", json::array{json::object{
        {"name", "Windows DHCP Sync"}, {"status", "completed"}, {"completed", nds::netbox::json_codec::iso_utc(now)},
        {"log", json::array{"Starting DHCP sync: sync_ip_addresses=True lease_status='dhcp' reservation_status='reserved'"}}}}}});
    jobs = w.run(client.plugin_sync_jobs(std::chrono::minutes(30)));
    REQUIRE(jobs);
    REQUIRE(jobs->recent.size() == 1);
    CHECK(jobs->lease_status == "dhcp");
    CHECK(jobs->reservation_status == "reserved");

    NetBoxClient blind(w.io.get_executor(), w.options(kBlindToken));
    auto denied = w.run(blind.plugin_sync_jobs());
    REQUIRE_FALSE(denied);
    CHECK(denied.error().is(nds::errc::refused));
}

TEST_CASE("client and simulator: NetBox 4.7 without the plugin") {
    ClientWorld w;
    w.sim.post("/_sim/config", json::object{{"api_version", "4.7"}});
    NetBoxClient client(w.io.get_executor(), w.options());
    auto status = w.run(client.status());
    REQUIRE(status);
    CHECK_FALSE(status->plugin_installed);
    CHECK(status->plugin_problem.find("NetBox 4.7.1 does not load the netbox-windows-dhcp plugin") == 0);
    auto scopes = w.run(client.list_scopes());
    REQUIRE_FALSE(scopes);
    CHECK(scopes.error().is(nds::errc::unsupported));
    CHECK(scopes.error().message.find("not loaded by NetBox 4.7") != std::string::npos);
    w.sim.post("/_sim/config", json::object{{"plugin_supports_47", true}});
    CHECK(w.run(client.plugin_status()));
    CHECK(w.run(client.list_scopes()));
}
