// kea_estate: a real Kea 2.2 holding N real leases, for the benchmark.
//   kea_estate --leases 10000 [--rate 1000]
// Creates a network-namespace pair, starts kea-dhcp4 in the server namespace (subnet 10.99.0.0/16, pool
// 10.99.1.0 - 10.99.250.255) with its Control Agent on 127.0.0.1, fills it with perfdhcp clients, prints one
// line `url=http://127.0.0.1:<port>/ subnet=10.99.0.0/16 leases=<n>` on stdout, and keeps Kea running until
// stdin reaches EOF or SIGTERM/SIGINT arrives; then stops Kea and removes the namespaces.
#include "tests/kea/kea_lease_factory.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <poll.h>
#include <unistd.h>

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

}  // namespace

int main(int argc, char** argv) {
    std::size_t leases = 10000;
    int rate = 1000;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--leases" && i + 1 < argc) leases = std::strtoul(argv[++i], nullptr, 10);
        else if (arg == "--rate" && i + 1 < argc) rate = std::atoi(argv[++i]);
        else {
            std::cerr << "usage: kea_estate [--leases N] [--rate R]\n";
            return 2;
        }
    }
    if (auto why = nds::testing::NetworkNamespacePair::unavailable()) {
        std::cerr << "kea_estate: network namespaces unavailable: " << *why << "\n";
        return 1;
    }
    if (auto why = nds::testing::KeaInstance::unavailable()) {
        std::cerr << "kea_estate: " << *why << "\n";
        return 1;
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    try {
        nds::testing::NetworkNamespacePair::Options ns;
        ns.prefix = "ndsbe";
        ns.server_address = "10.99.0.1/16";
        ns.client_address = "10.99.255.254/16";
        nds::testing::NetworkNamespacePair netns(ns);
        nds::testing::KeaInstanceOptions options;
        options.name = "kea-estate";
        options.netns = &netns;
        options.dhcp4 = R"({"valid-lifetime": 86400, "subnet4": [{"id": 1, "subnet": "10.99.0.0/16",
                            "pools": [{"pool": "10.99.1.0 - 10.99.250.255"}]}]})";
        nds::testing::KeaInstance kea(options);
        auto fill = nds::testing::fill_leases_with_perfdhcp(kea, netns, leases, rate);
        std::cout << "url=" << kea.url() << " subnet=10.99.0.0/16 leases=" << fill.leases << std::endl;
        std::cerr << "kea_estate: " << fill.rounds << " perfdhcp round(s), " << fill.released
                  << " extra lease(s) released; running until stdin closes or SIGTERM\n";
        while (!stop_requested) {
            pollfd in{STDIN_FILENO, POLLIN, 0};
            int ready = ::poll(&in, 1, 200);
            if (ready > 0) {
                char buffer[256];
                if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0) break;
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "kea_estate: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
