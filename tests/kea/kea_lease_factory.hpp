// Real leases from real DHCP clients, for tests and the benchmark: perfdhcp (kea-admin) in the client
// namespace of a NetworkNamespacePair runs DHCPv4 DORA exchanges against the kea-dhcp4 that serves the
// server namespace (KeaInstanceOptions::netns), each as a new random client, until Kea holds the number of
// leases asked for. busybox udhcpc runs one client with a script of ours that only sets the address.
#pragma once

#include "tests/kea/kea_instance.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace nds::testing {

struct LeaseFill {
    std::size_t leases = 0;     ///< leases Kea holds at the end (== the count asked for)
    int rounds = 0;             ///< perfdhcp runs it took
    std::size_t released = 0;   ///< leases over the count deleted again (lease4-del)
    std::string last_output;    ///< perfdhcp's report of the last round
    std::vector<std::size_t> held_after_round;  ///< leases Kea held after each round
};

/// Makes Kea hold exactly `count` leases, all from perfdhcp clients (plus those it held before, which count).
/// perfdhcp needs an address on the client interface (NetworkNamespacePair::Options::client_address) and
/// the subnet's pools must have room. `rate` is exchanges per second. Throws std::runtime_error when
/// perfdhcp cannot run or 20 rounds do not get there.
LeaseFill fill_leases_with_perfdhcp(const KeaInstance& kea, const NetworkNamespacePair& netns, std::size_t count,
                                    int rate = 1000);

/// Every lease Kea holds (lease4-get-page, 1000 a page), as Kea's JSON records.
std::vector<boost::json::object> all_leases(const KeaInstance& kea);

/// Adds a lease through the API (lease4-add): `extra` can set "state", "valid-lft", "hostname".
void add_lease(const KeaInstance& kea, const std::string& ip, const std::string& mac, boost::json::object extra = {});

struct UdhcpcResult {
    int exit_code = -1;
    std::string output;
    std::string address;  ///< what the script was told to set ("" when no lease)
};

/// busybox udhcpc once on the client interface. Without `release`: -n -q, get a lease and exit (the lease
/// stays). With `release`: udhcpc runs in the foreground until bound, then gets SIGUSR2, on which it sends
/// DHCPRELEASE (its -q -R exit path does not send one), then SIGTERM. The -s script is written into
/// `work_dir`; it only sets the address on the interface and notes it in a file (never the stock scripts:
/// they rewrite the host's resolv.conf).
UdhcpcResult run_udhcpc(const NetworkNamespacePair& netns, const std::string& work_dir, bool release = false);

}  // namespace nds::testing
