#include "tests/support/simulator.hpp"

#include "http/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include "util/async.hpp"
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace nds::testing {

namespace asio = boost::asio;
namespace json = boost::json;

http::Response http_call(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body, const http::Headers& headers, bool tls) {
    asio::io_context io(1);
    http::ClientOptions options;
    options.max_retries = 0;
    options.timeout = std::chrono::seconds(60);
    options.verify_tls = false;
    http::Client client(io.get_executor(), (tls ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port),
                        options);
    http::Request request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.headers = headers;
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    std::optional<Expected<http::Response>> result;
    result.emplace(nds::run_to_completion(io, client.send(request)));
    if (!result || !*result)
        throw std::runtime_error(method + " " + target + ": " + (result ? result->error().message : "no result"));
    return std::move(**result);
}

Simulator::Simulator(const std::string& program, std::vector<std::string> args, const std::string& log_path) {
    tls_ = std::find(args.begin(), args.end(), "--tls-cert") != args.end();
    args.insert(args.begin(), {"--port", "0"});
    process_ = std::make_unique<ChildProcess>(program, args, log_path);
    auto line = process_->read_line(std::chrono::seconds(20));
    if (!line || line->rfind("LISTENING ", 0) != 0)
        throw std::runtime_error(program + " did not print LISTENING <port> (got '" + line.value_or("<eof>") + "')");
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(10)));
}

json::value Simulator::get(const std::string& target) {
    auto response = http_call(port_, "GET", target, "", {}, tls_);
    if (!response.ok()) throw std::runtime_error("GET " + target + ": HTTP " + std::to_string(response.status) + " " + response.body);
    return json::parse(response.body);
}

json::value Simulator::post(const std::string& target, const json::value& body) {
    auto response = http_call(port_, "POST", target, json::serialize(body), {}, tls_);
    if (!response.ok()) throw std::runtime_error("POST " + target + ": HTTP " + std::to_string(response.status) + " " + response.body);
    return response.body.empty() ? json::value() : json::parse(response.body);
}

void Simulator::remove(const std::string& target) {
    auto response = http_call(port_, "DELETE", target, "", {}, tls_);
    if (!response.ok()) throw std::runtime_error("DELETE " + target + ": HTTP " + std::to_string(response.status));
}

void Simulator::add_fault(const json::object& rule) { post("/_sim/faults", json::object{{"rules", json::array{rule}}}); }

}  // namespace nds::testing
