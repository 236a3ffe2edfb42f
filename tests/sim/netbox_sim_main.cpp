// netbox_sim --port 0 [--listen 127.0.0.1]: prints "LISTENING <port>" and serves until SIGTERM/SIGINT.
#include "tests/sim/netbox_sim.hpp"
#include "tests/sim/sim_common.hpp"

#include <memory>

int main(int argc, char** argv) {
    using namespace nds::sim;
    return run_simulator(argc, argv, {}, {},
                         [](boost::asio::any_io_executor, const SimArgs&, const std::string& base_url) {
                             auto sim = std::make_shared<netbox::NetboxSim>(base_url);
                             return nds::http::Handler([sim](nds::http::Request request) {
                                 return sim->handle(std::move(request));
                             });
                         });
}
