// psu_sim --port 0 --token <app token> [--hostname dhcp01.example.com] [--listen 127.0.0.1]:
// prints "LISTENING <port>" and serves one simulated Windows DHCP server until SIGTERM/SIGINT.
#include "tests/sim/psu_sim.hpp"
#include "tests/sim/sim_common.hpp"

#include <memory>

int main(int argc, char** argv) {
    using namespace nds::sim;
    return run_simulator(argc, argv, {"token", "hostname"}, {"token"},
                         [](boost::asio::any_io_executor, const SimArgs& args, const std::string&) {
                             auto it = args.extra.find("hostname");
                             auto sim = std::make_shared<psu::PsuSim>(
                                 args.extra.at("token"), it == args.extra.end() ? "dhcp01.example.com" : it->second);
                             return nds::http::Handler([sim](nds::http::Request request) {
                                 return sim->handle(std::move(request));
                             });
                         });
}
