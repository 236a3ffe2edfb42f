// psu_sim --port 0 --token <app token> [--reader-token <token>] [--hostname dhcp01.example.com]
//         [--script 1.0.2|fixed] [--script-version 1.0.2] [--listen 127.0.0.1]:
// prints "LISTENING <port>" and serves one simulated Windows DHCP server until SIGTERM/SIGINT.
#include "tests/sim/psu_sim.hpp"
#include "tests/sim/sim_common.hpp"

#include <iostream>
#include <memory>
#include <string_view>

int main(int argc, char** argv) {
    using namespace nds::sim;
    // A bad --script is a usage error (exit 2), like every other bad argument.
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string_view(argv[i]) == "--script" && !psu::parse_script(argv[i + 1])) {
            std::cerr << "bad --script: " << argv[i + 1] << " (expected 1.0.2 or fixed)\n";
            return 2;
        }
    }
    return run_simulator(argc, argv, {"token", "reader-token", "hostname", "script", "script-version"}, {"token"},
                         [](boost::asio::any_io_executor, const SimArgs& args, const std::string&) {
                             auto arg = [&](const char* name, std::string fallback) {
                                 auto it = args.extra.find(name);
                                 return it == args.extra.end() ? fallback : it->second;
                             };
                             psu::PsuOptions options;
                             options.token = args.extra.at("token");
                             options.reader_token = arg("reader-token", "");
                             options.hostname = arg("hostname", "dhcp01.example.com");
                             options.script = *psu::parse_script(arg("script", "1.0.2"));
                             options.script_version = arg("script-version", "1.0.2");
                             auto sim = std::make_shared<psu::PsuSim>(std::move(options));
                             return nds::http::Handler([sim](nds::http::Request request) {
                                 return sim->handle(std::move(request));
                             });
                         });
}
