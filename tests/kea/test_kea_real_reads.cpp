// The Kea backend's reads against a real kea-dhcp4 + kea-ctrl-agent (control only, 127.0.0.1).
#include "kea_client/kea_commands.hpp"
#include "tests/kea/kea_lease_factory.hpp"
#include "tests/kea/kea_test_util.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include "tests/kea/kea_skip.hpp"

#include <algorithm>

namespace json = boost::json;
using namespace nds::testing;
using nds::errc;

namespace {

const char* kConfig = R"({
  "valid-lifetime": 4000,
  "option-data": [ {"name": "domain-name-servers", "data": "192.0.2.53"} ],
  "subnet4": [
    { "id": 1, "subnet": "192.0.2.0/24",
      "pools": [ {"pool": "192.0.2.10 - 192.0.2.20"}, {"pool": "192.0.2.32/28"} ],
      "user-context": { "netbox-dhcp-sync": { "name": "Lab", "description": "lab net" }, "owner": "ops" },
      "option-data": [ {"name": "routers", "data": "192.0.2.1"}, {"name": "domain-name", "data": "lab.example"},
                       {"code": 42, "data": "192.0.2.123, 192.0.2.124"} ],
      "reservations": [ {"hw-address": "02:00:00:00:00:42", "ip-address": "192.0.2.5", "hostname": "printer",
                         "user-context": {"netbox-dhcp-sync": {"description": "2nd floor"}}},
                        {"client-id": "01:02:00:00:00:00:43", "ip-address": "192.0.2.6", "hostname": "cam"} ] },
    { "id": 2, "subnet": "198.51.100.0/24", "valid-lifetime": 600, "pools": [ {"pool": "198.51.100.100-198.51.100.150"} ] }
  ],
  "shared-networks": [ { "name": "campus", "option-data": [ {"name": "routers", "data": "10.5.0.1"} ],
      "subnet4": [ { "id": 5, "subnet": "10.5.0.0/24", "pools": [ {"pool": "10.5.0.100 - 10.5.0.200"} ] } ] } ]
})";

const nds::engine::DhcpScope* find_scope(const std::vector<nds::engine::DhcpScope>& scopes, const char* id) {
    for (const auto& s : scopes)
        if (s.scope_id == ipv4(id)) return &s;
    return nullptr;
}

nds::engine::ScopeReadRequest all_of(const char* scope) {
    return nds::engine::ScopeReadRequest{ipv4(scope), true, true, true};
}

}  // namespace

TEST_CASE("real Kea: health, scopes, pools, reservations and options as the sync reads them") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-reads";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    boost::asio::io_context io;
    auto backend = nds::kea::make_kea_backend(io.get_executor(), kea_options(kea));

    auto health = run(io, backend->health());
    REQUIRE_MESSAGE(health, health.error().message);
    CHECK(health->software == "ISC Kea dhcp4");
    CHECK(health->version == "2.2.0");
    CHECK(health->warnings.empty());
    auto caps = backend->capabilities();
    CHECK(caps.exclusions == nds::engine::ExclusionModel::derived_from_pools);
    CHECK(caps.push_to_failover_partner);
    CHECK(caps.unsupported.empty());

    auto scopes = run(io, backend->list_scopes(false));
    REQUIRE(scopes);
    REQUIRE(scopes->items.size() == 3);
    CHECK(scopes->problems.empty());
    const auto* lab = find_scope(scopes->items, "192.0.2.0");
    REQUIRE(lab);
    CHECK(lab->name == "Lab");
    CHECK(lab->description == "lab net");
    CHECK(lab->start_ip == ipv4("192.0.2.10"));
    CHECK(lab->end_ip == ipv4("192.0.2.47"));
    CHECK(lab->lease_duration_seconds == 4000);
    CHECK(lab->router == ipv4("192.0.2.1"));
    CHECK(lab->failover_name.empty());
    const auto* other = find_scope(scopes->items, "198.51.100.0");
    REQUIRE(other);
    CHECK(other->lease_duration_seconds == 600);
    CHECK_FALSE(other->router);
    const auto* campus = find_scope(scopes->items, "10.5.0.0");
    REQUIRE(campus);
    CHECK(campus->router == ipv4("10.5.0.1"));  // from the shared network

    auto read = run(io, backend->read_scope(all_of("192.0.2.0")));
    CHECK(read.data.error.empty());
    CHECK(read.data.complete);
    REQUIRE(read.data.exclusions);
    REQUIRE(read.data.exclusions->size() == 1);
    CHECK((*read.data.exclusions)[0].start_ip == ipv4("192.0.2.21"));
    CHECK((*read.data.exclusions)[0].end_ip == ipv4("192.0.2.31"));
    REQUIRE(read.data.reservations);
    REQUIRE(read.data.reservations->size() == 2);
    auto reservations = *read.data.reservations;  // Kea lists them in an order of its own
    std::sort(reservations.begin(), reservations.end(), [](const auto& x, const auto& y) { return x.ip < y.ip; });
    CHECK(reservations[0].client_id == "02-00-00-00-00-42");
    CHECK(reservations[0].name == "printer");
    CHECK(reservations[0].description == "2nd floor");
    CHECK(reservations[1].client_id == "02-00-00-00-00-43");
    CHECK(reservations[1].name == "cam");
    REQUIRE(read.data.leases);
    CHECK(read.data.leases->empty());

    auto options_read = run(io, backend->list_scope_options(ipv4("192.0.2.0")));
    REQUIRE(options_read);
    REQUIRE(options_read->items.size() == 3);
    CHECK(options_read->items[0].code == 3);
    CHECK(options_read->items[1].code == 15);
    CHECK(options_read->items[1].value == std::vector<std::string>{"lab.example"});
    CHECK(options_read->items[2].code == 42);
    CHECK(options_read->items[2].name == "ntp-servers");
    CHECK(options_read->items[2].value == std::vector<std::string>{"192.0.2.123", "192.0.2.124"});
    CHECK(options_read->items[2].type == "IPv4Address");

    auto all = run(io, backend->list_all_reservations());
    REQUIRE(all);
    CHECK(all->items.size() == 2);
    auto failovers = run(io, backend->list_failovers());
    REQUIRE(failovers);
    CHECK(failovers->items.empty());

    auto missing = run(io, backend->read_scope(all_of("10.77.0.0")));
    CHECK(missing.data.error.find("no subnet 10.77.0.0") != std::string::npos);
    CHECK_FALSE(missing.data.leases);
}

TEST_CASE("real Kea: leases seeded with lease4-add, declined and reclaimed ones are not leases, an empty subnet is empty") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-leases";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    add_lease(kea, "192.0.2.11", "1a:1b:1c:1d:1e:01", {{"hostname", "pc-one"}, {"valid-lft", 3600}});
    add_lease(kea, "192.0.2.12", "1a:1b:1c:1d:1e:02");
    add_lease(kea, "192.0.2.13", "1a:1b:1c:1d:1e:03", {{"state", 1}});  // declined
    add_lease(kea, "192.0.2.14", "1a:1b:1c:1d:1e:04", {{"state", 2}});  // expired-reclaimed
    add_lease(kea, "10.5.0.100", "1a:1b:1c:1d:1e:05");

    boost::asio::io_context io;
    CommandCounter counter;
    auto opts = kea_options(kea);
    counter.install(opts);
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));

    auto lab = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("192.0.2.0"), true, false, false}));
    CHECK(lab.data.error.empty());
    REQUIRE(lab.data.leases);
    REQUIRE(lab.data.leases->size() == 2);
    CHECK((*lab.data.leases)[0].ip == ipv4("192.0.2.11"));
    CHECK((*lab.data.leases)[0].client_id == "1a-1b-1c-1d-1e-01");
    CHECK((*lab.data.leases)[0].hostname == "pc-one");
    CHECK((*lab.data.leases)[0].lease_expiry.size() == 20);  // 2026-12-02T17:00:00Z
    CHECK((*lab.data.leases)[1].ip == ipv4("192.0.2.12"));
    CHECK_FALSE(lab.data.reservations);  // not asked for

    auto campus = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("10.5.0.0"), true, false, false}));
    REQUIRE(campus.data.leases);
    CHECK(campus.data.leases->size() == 1);
    // Kea answers result 3 for a subnet without leases: an empty list, not an error.
    auto empty = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("198.51.100.0"), true, false, false}));
    CHECK(empty.data.error.empty());
    REQUIRE(empty.data.leases);
    CHECK(empty.data.leases->empty());
    // One run reads the server's leases once, whatever the number of scopes.
    CHECK(counter["lease4-get-page"] == 1);
}

TEST_CASE("real Kea: leases read in pages of the configured size") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-pages";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    for (int i = 0; i < 10; ++i)
        add_lease(kea, "192.0.2." + std::to_string(10 + i), "1a:1b:1c:00:00:" + std::to_string(10 + i));
    add_lease(kea, "198.51.100.100", "1a:1b:1c:00:01:00");

    boost::asio::io_context io;
    CommandCounter counter;
    auto opts = kea_options(kea);
    opts.lease_page_size = 3;
    counter.install(opts);
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));
    auto lab = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("192.0.2.0"), true, false, false}));
    REQUIRE(lab.data.leases);
    CHECK(lab.data.leases->size() == 10);
    auto other = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("198.51.100.0"), true, false, false}));
    REQUIRE(other.data.leases);
    CHECK(other.data.leases->size() == 1);
    // 11 leases, 3 a page: pages of 3, 3, 3 and 2 = ceil(11 / 3) requests for both scopes.
    CHECK(counter["lease4-get-page"] == 4);

    SUBCASE("a lease count that is a multiple of the page: one more request finds the end (result 3)") {
        add_lease(kea, "198.51.100.101", "1a:1b:1c:00:01:01");
        REQUIRE(run(io, backend->health()));  // a new run
        auto again = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("198.51.100.0"), true, false, false}));
        REQUIRE(again.data.leases);
        CHECK(again.data.leases->size() == 2);
        CHECK(counter["lease4-get-page"] == 4 + 5);  // 12 leases: 3, 3, 3, 3, then an empty page
    }
}

TEST_CASE("real Kea: basic auth, wrong credentials and exactly application/json") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-auth";
    options.dhcp4 = kConfig;
    options.username = "admin";
    options.password = "s3cret";
    KeaInstance kea(options);
    boost::asio::io_context io;

    auto good = kea_options(kea);
    good.username = "admin";
    good.password = "s3cret";
    auto backend = nds::kea::make_kea_backend(io.get_executor(), good);
    auto health = run(io, backend->health());
    REQUIRE_MESSAGE(health, health.error().message);

    auto wrong = kea_options(kea);
    wrong.username = "admin";
    wrong.password = "nope";
    auto refused = run(io, nds::kea::make_kea_backend(io.get_executor(), wrong)->health());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().is(errc::authentication));
    CHECK(refused.error().http_status == 401);

    auto none = run(io, nds::kea::make_kea_backend(io.get_executor(), kea_options(kea))->list_scopes(false));
    REQUIRE_FALSE(none);
    CHECK(none.error().is(errc::authentication));

    // Why the backend sends exactly "application/json": the CA refuses a charset parameter.
    auto [status, body] = post_json(kea.ca_port(), R"({"command":"version-get","service":["dhcp4"]})",
                                    "application/json; charset=utf-8", nds::kea::basic_authorization("admin", "s3cret"));
    CHECK(status == 400);
}

TEST_CASE("real Kea: a stopped server and an unreachable agent are errors, never empty lists") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-down";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    boost::asio::io_context io;
    auto backend = nds::kea::make_kea_backend(io.get_executor(), kea_options(kea));
    REQUIRE(run(io, backend->health()));

    kea.stop_server();  // the CA answers, kea-dhcp4 is gone: result 1 "unable to forward command"
    auto scopes = run(io, backend->list_scopes(false));
    REQUIRE_FALSE(scopes);
    CHECK(scopes.error().is(errc::refused));
    CHECK(scopes.error().message.find("config-get") != std::string::npos);

    kea.stop_agent();  // nothing listens any more
    auto health = run(io, backend->health());
    REQUIRE_FALSE(health);
    CHECK(health.error().is(errc::transport));
    auto read = run(io, backend->read_scope(all_of("192.0.2.0")));
    CHECK_FALSE(read.data.error.empty());
    CHECK_FALSE(read.data.leases);
    CHECK_FALSE(read.data.reservations);
    CHECK_FALSE(read.data.exclusions);
}
