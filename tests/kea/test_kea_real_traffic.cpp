// Real DHCP clients get real leases from kea-dhcp4 in a network namespace; the backend reads exactly those.
#include "tests/kea/kea_lease_factory.hpp"
#include "sync_engine/client_id.hpp"
#include "tests/kea/kea_test_util.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

namespace json = boost::json;
using namespace nds::testing;

namespace {

#define SKIP_WITHOUT_NAMESPACES_OR_KEA()                                         \
    if (auto why = KeaInstance::unavailable()) {                                 \
        MESSAGE("skipped: Kea cannot run here: " << *why);                       \
        return;                                                                  \
    }                                                                            \
    if (auto why = NetworkNamespacePair::unavailable()) {                        \
        MESSAGE("skipped: no network namespaces for real DHCP traffic: " << *why); \
        return;                                                                  \
    }

std::set<std::string> lease_pairs(const std::vector<nds::engine::DhcpLease>& leases) {
    std::set<std::string> out;
    for (const auto& l : leases) out.insert(l.ip.to_string() + " " + l.client_id);
    return out;
}

}  // namespace

TEST_CASE("real DHCP: udhcpc clients get leases and a reservation, the backend reads exactly them, a release removes one") {
    SKIP_WITHOUT_NAMESPACES_OR_KEA();
    NetworkNamespacePair::Options ns;
    ns.prefix = "ndsk";
    ns.server_address = "192.0.2.1/24";
    ns.client_mac = "02:00:00:00:00:01";
    NetworkNamespacePair netns(ns);
    KeaInstanceOptions options;
    options.name = "kea-udhcpc";
    options.netns = &netns;
    options.dhcp4 = R"({"valid-lifetime": 600, "subnet4": [{"id": 1, "subnet": "192.0.2.0/24",
        "pools": [{"pool": "192.0.2.100 - 192.0.2.200"}],
        "option-data": [{"name": "routers", "data": "192.0.2.1"}],
        "reservations": [{"hw-address": "02:00:00:00:00:02", "ip-address": "192.0.2.50", "hostname": "resv-two"}]}]})";
    KeaInstance kea(options);
    std::string work = kea.directory();

    auto first = run_udhcpc(netns, work);
    REQUIRE_MESSAGE(first.exit_code == 0, first.output);
    CHECK(first.address == "192.0.2.100");
    netns.set_client_mac("02:00:00:00:00:02");
    auto second = run_udhcpc(netns, work);
    REQUIRE_MESSAGE(second.exit_code == 0, second.output);
    CHECK(second.address == "192.0.2.50");  // the reservation

    boost::asio::io_context io;
    auto backend = nds::kea::make_kea_backend(io.get_executor(), kea_options(kea));
    REQUIRE(run(io, backend->health()));
    auto read = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("192.0.2.0"), true, true, false}));
    CHECK(read.data.error.empty());
    REQUIRE(read.data.leases);
    CHECK(lease_pairs(*read.data.leases) ==
          std::set<std::string>{"192.0.2.100 02-00-00-00-00-01", "192.0.2.50 02-00-00-00-00-02"});
    REQUIRE(read.data.reservations);
    REQUIRE(read.data.reservations->size() == 1);
    CHECK((*read.data.reservations)[0].name == "resv-two");

    // The first client renews and releases its lease on exit (udhcpc -R): Kea drops it.
    netns.set_client_mac("02:00:00:00:00:01");
    auto released = run_udhcpc(netns, work, true);
    REQUIRE_MESSAGE(released.exit_code == 0, released.output);
    REQUIRE(run(io, backend->health()));  // the next run
    auto after = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("192.0.2.0"), true, false, false}));
    REQUIRE(after.data.leases);
    CHECK(lease_pairs(*after.data.leases) == std::set<std::string>{"192.0.2.50 02-00-00-00-00-02"});
}

TEST_CASE("real DHCP: perfdhcp fills a subnet and the paged read returns exactly Kea's leases") {
    SKIP_WITHOUT_NAMESPACES_OR_KEA();
    NetworkNamespacePair::Options ns;
    ns.prefix = "ndsk";
    ns.server_address = "10.98.0.1/16";
    ns.client_address = "10.98.255.254/16";
    NetworkNamespacePair netns(ns);
    KeaInstanceOptions options;
    options.name = "kea-perfdhcp";
    options.netns = &netns;
    options.dhcp4 = R"({"valid-lifetime": 86400, "subnet4": [{"id": 7, "subnet": "10.98.0.0/16",
        "pools": [{"pool": "10.98.1.0 - 10.98.20.255"}]}]})";
    KeaInstance kea(options);
    auto fill = fill_leases_with_perfdhcp(kea, netns, 300, 500);
    REQUIRE(fill.leases == 300);

    boost::asio::io_context io;
    CommandCounter counter;
    auto opts = kea_options(kea);
    opts.lease_page_size = 100;
    counter.install(opts);
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));
    auto read = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("10.98.0.0"), true, false, false}));
    REQUIRE(read.data.leases);
    std::set<std::string> want;
    for (const auto& l : all_leases(kea))
        want.insert(std::string(l.at("ip-address").as_string()) + " " +
                    nds::engine::normalize_client_id(std::string(l.at("hw-address").as_string())));
    CHECK(lease_pairs(*read.data.leases) == want);
    CHECK(read.data.leases->size() == 300);
    CHECK(counter["lease4-get-page"] == 4);  // 100, 100, 100, then the empty page
}
