// The NetBox simulator served in the test's own process, on 127.0.0.1 and the test's io_context: the
// runner, executor and import tests talk to it over real HTTP without starting a child process.
#pragma once

#include "http/http_client.hpp"
#include "http/http_server.hpp"
#include "tests/sim/netbox_sim.hpp"
#include "util/async.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace nds::testing {

class InProcessNetBox {
public:
    explicit InProcessNetBox(boost::asio::io_context& io) : io_(io) {
        server_ = std::make_unique<http::Server>(io.get_executor(), "127.0.0.1", 0, [this](http::Request request) {
            return sim_->handle(std::move(request));
        });
        server_->start();
        url_ = "http://127.0.0.1:" + std::to_string(server_->port());
        sim_ = std::make_unique<sim::netbox::NetboxSim>(url_);
    }

    const std::string& url() const { return url_; }

    /// A control or API call, run to completion; throws on a transport failure.
    http::Response call(const std::string& method, const std::string& target, const std::string& body = "",
                        const std::string& token = "") {
        http::Request request;
        request.method = method;
        request.target = target;
        request.body = body;
        if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
        if (!token.empty()) request.headers.emplace_back("Authorization", "Token " + token);
        http::ClientOptions options;
        options.max_retries = 0;
        http::Client client(io_.get_executor(), url_, options);
        auto response = run_to_completion(io_, client.send(std::move(request)));
        if (!response) throw std::runtime_error(method + " " + target + ": " + response.error().message);
        return std::move(*response);
    }

    void seed(const boost::json::value& body) {
        auto response = call("POST", "/_sim/seed", boost::json::serialize(body));
        if (response.status != 200) throw std::runtime_error("seed refused: " + response.body);
    }

    boost::json::value state() { return boost::json::parse(call("GET", "/_sim/state").body); }

    /// Writes counted since the last reset.
    long writes() {
        return boost::json::parse(call("GET", "/_sim/stats").body).at("writes").to_number<long>();
    }
    void reset_stats() { call("POST", "/_sim/stats/reset"); }
    void add_fault(const boost::json::object& rule) {
        call("POST", "/_sim/faults", boost::json::serialize(boost::json::object{{"rules", boost::json::array{rule}}}));
    }

private:
    boost::asio::io_context& io_;
    std::unique_ptr<http::Server> server_;
    std::unique_ptr<sim::netbox::NetboxSim> sim_;
    std::string url_;
};

}  // namespace nds::testing
