#include "tests/sim/sim_common.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <iostream>
#include <random>

namespace nds::sim {

namespace asio = boost::asio;

// ---------------------------------------------------------------------------------------------------------
// JSON helpers

http::Response json_reply(unsigned status, const json::value& value) {
    return http::json_response(status, json::serialize(value));
}

http::Response no_content() {
    http::Response response;
    response.status = 204;
    return response;
}

http::Response message_reply(unsigned status, std::string_view key, std::string_view message) {
    json::object body;
    body[key] = message;
    return json_reply(status, body);
}

std::optional<json::value> parse_json(std::string_view body) {
    boost::system::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec) return std::nullopt;
    return value;
}

const json::value* field(const json::object& object, std::string_view key) {
    auto it = object.find(key);
    return it == object.end() ? nullptr : &it->value();
}

std::optional<std::int64_t> as_int(const json::value& value) {
    if (value.is_int64()) return value.get_int64();
    if (value.is_uint64() && value.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(value.get_uint64());
    if (value.is_double()) {
        double d = value.get_double();
        if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

std::optional<std::string> string_field(const json::object& object, std::string_view key) {
    const json::value* v = field(object, key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

std::optional<std::int64_t> int_field(const json::object& object, std::string_view key) {
    const json::value* v = field(object, key);
    if (v == nullptr) return std::nullopt;
    return as_int(*v);
}

std::optional<bool> bool_field(const json::object& object, std::string_view key) {
    const json::value* v = field(object, key);
    if (v == nullptr || !v->is_bool()) return std::nullopt;
    return v->get_bool();
}

std::string string_or(const json::object& object, std::string_view key, std::string fallback) {
    auto v = string_field(object, key);
    return v ? *v : std::move(fallback);
}

std::int64_t int_or(const json::object& object, std::string_view key, std::int64_t fallback) {
    return int_field(object, key).value_or(fallback);
}

bool bool_or(const json::object& object, std::string_view key, bool fallback) {
    return bool_field(object, key).value_or(fallback);
}

std::string now_iso() {
    auto now = std::chrono::system_clock::now();
    auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - seconds).count();
    std::time_t t = std::chrono::system_clock::to_time_t(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
    return buffer;
}

std::string random_uuid() {
    static std::mt19937_64 rng{std::random_device{}()};
    std::uint64_t hi = rng(), lo = rng();
    hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-%04llx-%04llx-%012llx",
                  static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                  static_cast<unsigned long long>(hi & 0xFFFF), static_cast<unsigned long long>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
    return buffer;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// Faults

namespace {

/// A valid JSON array of about `mb` MiB: [{"filler":"xxxx…"},…] (no field any parser knows).
std::string huge_json_body(std::uint64_t mb) {
    const std::string element = "{\"filler\":\"" + std::string(1000, 'x') + "\"}";
    const std::uint64_t target = mb * 1024 * 1024;
    std::string body;
    body.reserve(target + element.size() + 2);
    body += '[';
    while (body.size() < target) {
        if (body.size() > 1) body += ',';
        body += element;
    }
    body += ']';
    return body;
}

}  // namespace

std::optional<std::string> Faults::add(const json::value& body) {
    if (!body.is_object()) return "body must be an object with \"rules\"";
    const json::value* rules = field(body.get_object(), "rules");
    if (rules == nullptr || !rules->is_array()) return "\"rules\" must be an array";
    std::vector<FaultRule> parsed;
    for (const json::value& item : rules->get_array()) {
        if (!item.is_object()) return "each rule must be an object";
        const json::object& o = item.get_object();
        FaultRule rule;
        rule.method = string_or(o, "method", "*");
        rule.path_prefix = string_or(o, "path_prefix", "");
        rule.query_contains = string_or(o, "query_contains", "");
        auto count = int_or(o, "count", 0);
        if (count < 0) return "\"count\" must be >= 0";
        rule.forever = count == 0;
        rule.remaining = static_cast<std::uint64_t>(count);
        rule.latency_ms = static_cast<unsigned>(std::max<std::int64_t>(0, int_or(o, "latency_ms", 0)));
        rule.hang = bool_or(o, "hang", false);
        rule.empty_list = bool_or(o, "empty_list", false);
        if (auto m = string_field(o, "malformed")) rule.malformed = *m;
        auto retry_after = int_or(o, "retry_after", 0);
        if (retry_after < 0 || retry_after > 3600) return "\"retry_after\" must be 0..3600 seconds";
        rule.retry_after = static_cast<unsigned>(retry_after);
        rule.html = bool_or(o, "html", false);
        auto huge = int_or(o, "huge_body_mb", 0);
        if (huge < 0 || huge > 1024) return "\"huge_body_mb\" must be 0..1024";
        rule.huge_body_mb = static_cast<std::uint64_t>(huge);
        rule.cut = string_or(o, "cut", "");
        if (!rule.cut.empty() && rule.cut != "reset" && rule.cut != "truncate")
            return "\"cut\" must be \"reset\" or \"truncate\"";
        if (const json::value* b = field(o, "body")) {
            // A body may be given as a JSON string (sent verbatim) or as a JSON value (serialised).
            rule.body = b->is_string() ? std::string(b->get_string()) : json::serialize(*b);
        }
        auto status = int_field(o, "status");
        if (status) {
            if (*status < 100 || *status > 599) return "\"status\" must be an HTTP status code";
            rule.status = static_cast<unsigned>(*status);
        } else if (rule.html) {
            rule.status = 502;
        } else if (rule.latency_ms == 0 && !rule.hang && !rule.empty_list && !rule.malformed &&
                   rule.huge_body_mb == 0 && rule.cut.empty()) {
            // A rule with no effect at all would silently do nothing; default to the documented 500.
            rule.status = 500;
        }
        parsed.push_back(std::move(rule));
    }
    for (auto& rule : parsed) rules_.push_back(std::move(rule));
    return std::nullopt;
}

FaultDecision Faults::match(std::string_view method, std::string_view path, std::string_view query) {
    FaultDecision decision;
    for (auto it = rules_.begin(); it != rules_.end(); ++it) {
        FaultRule& rule = *it;
        if (rule.method != "*" && !iequals(rule.method, method)) continue;
        if (path.substr(0, rule.path_prefix.size()) != rule.path_prefix) continue;
        if (!rule.query_contains.empty() && query.find(rule.query_contains) == std::string_view::npos) continue;

        decision.latency = std::chrono::milliseconds(rule.latency_ms);
        decision.hang = rule.hang;
        if (rule.empty_list) {
            decision.response = http::json_response(200, "[]");
        } else if (rule.malformed) {
            decision.response = http::json_response(200, *rule.malformed);
        } else if (rule.huge_body_mb > 0) {
            decision.response = http::json_response(200, huge_json_body(rule.huge_body_mb));
        } else if (!rule.cut.empty()) {
            decision.cut = rule.cut == "reset" ? Cut::reset : Cut::truncate;
        } else if (rule.html) {
            http::Response page;
            page.status = rule.status;
            page.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
            page.body = "<!DOCTYPE html>\n<html><head><title>" + std::to_string(rule.status) +
                        " - Server Error</title></head>\n<body><h1>Server Error</h1><p>The gateway did not get a "
                        "response from the upstream server.</p></body></html>\n";
            decision.response = std::move(page);
        } else if (rule.status != 0) {
            decision.response = http::json_response(rule.status, rule.body);
        }
        if (decision.response && rule.retry_after > 0)
            decision.response->headers.emplace_back("Retry-After", std::to_string(rule.retry_after));
        if (!rule.forever && --rule.remaining == 0) rules_.erase(it);
        return decision;
    }
    return decision;
}

json::array Faults::to_json() const {
    json::array out;
    for (const auto& rule : rules_) {
        json::object o;
        o["method"] = rule.method;
        o["path_prefix"] = rule.path_prefix;
        o["query_contains"] = rule.query_contains;
        o["status"] = rule.status;
        o["body"] = rule.body;
        o["count"] = rule.forever ? 0 : rule.remaining;
        o["latency_ms"] = rule.latency_ms;
        o["hang"] = rule.hang;
        o["empty_list"] = rule.empty_list;
        if (rule.malformed) o["malformed"] = *rule.malformed;
        o["retry_after"] = rule.retry_after;
        o["html"] = rule.html;
        o["huge_body_mb"] = rule.huge_body_mb;
        o["cut"] = rule.cut;
        out.push_back(std::move(o));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// Stats and costs

bool is_write_method(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

void Stats::count_request(std::string_view method, std::string_view path) {
    ++requests_;
    if (method == "GET") ++reads_;
    if (is_write_method(method)) ++writes_;
    std::string key = std::string(method) + " " + std::string(path);
    auto it = by_path_.find(key);
    if (it != by_path_.end()) {
        ++it->second;
    } else if (by_path_.size() < max_paths) {
        by_path_.emplace(std::move(key), 1);
    } else {
        ++by_path_["(other)"];
    }
}

json::object Stats::to_json() const {
    json::object o;
    o["requests"] = requests_;
    o["reads"] = reads_;
    o["writes"] = writes_;
    json::object paths;
    for (const auto& [key, n] : by_path_) paths[key] = n;
    o["by_path"] = std::move(paths);
    o["objects_written"] = objects_written_;
    return o;
}

void Stats::reset() { *this = Stats{}; }

std::optional<std::string> Costs::apply(const json::object& config) {
    for (auto [key, target] : {std::pair<const char*, unsigned*>{"latency_ms_per_request", &latency_ms_per_request},
                               {"latency_ms_per_object_written", &latency_ms_per_object_written}}) {
        if (const json::value* v = field(config, key)) {
            auto n = as_int(*v);
            if (!n || *n < 0) return std::string("\"") + key + "\" must be a non-negative integer";
            *target = static_cast<unsigned>(*n);
        }
    }
    return std::nullopt;
}

json::object Costs::to_json() const {
    return {{"latency_ms_per_request", latency_ms_per_request},
            {"latency_ms_per_object_written", latency_ms_per_object_written}};
}

asio::awaitable<void> sleep_ms(std::uint64_t ms) {
    if (ms == 0) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(ms));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

std::optional<http::Response> handle_shared_control(const http::Request& request, std::string_view path,
                                                    Faults& faults, Stats& stats) {
    if (path == "/_sim/faults") {
        if (request.method == "DELETE") {
            faults.clear();
            return json_reply(200, json::object{{"ok", true}});
        }
        if (request.method == "GET") return json_reply(200, json::object{{"rules", faults.to_json()}});
        if (request.method == "POST") {
            auto body = parse_json(request.body);
            if (!body) return message_reply(400, "error", "body is not valid JSON");
            if (auto error = faults.add(*body)) return message_reply(400, "error", *error);
            return json_reply(200, json::object{{"ok", true}});
        }
        return message_reply(405, "error", "method not allowed");
    }
    if (path == "/_sim/stats") {
        if (request.method != "GET") return message_reply(405, "error", "method not allowed");
        return json_reply(200, stats.to_json());
    }
    if (path == "/_sim/stats/reset") {
        if (request.method != "POST") return message_reply(405, "error", "method not allowed");
        stats.reset();
        return json_reply(200, json::object{{"ok", true}});
    }
    return std::nullopt;
}

http::Response cut_response(http::Response response, Cut cut) {
    if (cut == Cut::none) return response;
    response.headers.emplace_back(std::string(http::kSimulateCutHeader), cut == Cut::reset ? "reset" : "truncate");
    return response;
}

asio::awaitable<PreHandled> pre_handle(const http::Request& request, const http::Target& target, Faults& faults,
                                       Stats& stats, const Costs& costs) {
    stats.count_request(request.method, target.path);
    auto q = request.target.find('?');
    std::string_view query = q == std::string::npos ? std::string_view{}
                                                    : std::string_view(request.target).substr(q + 1);
    FaultDecision decision = faults.match(request.method, target.path, query);
    co_await sleep_ms(static_cast<std::uint64_t>(decision.latency.count()) + costs.latency_ms_per_request);
    if (decision.hang) {
        // Hold the connection without answering; a client must time out on its own. The process still exits
        // promptly on SIGTERM because stopping the io_context abandons this coroutine.
        co_await sleep_ms(10ull * 60 * 1000);
        co_return PreHandled{message_reply(504, "error", "injected hang ended"), Cut::none};
    }
    co_return PreHandled{std::move(decision.response), decision.cut};
}

// ---------------------------------------------------------------------------------------------------------
// Runner

int run_simulator(int argc, char** argv, const std::vector<std::string>& extra_flags,
                  const std::vector<std::string>& required_flags, const HandlerFactory& factory) {
    SimArgs args;
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << "usage: " << argv[0] << " --port N [--listen 127.0.0.1] [--tls-cert PEM --tls-key PEM]";
            for (const auto& f : extra_flags) std::cout << " [--" << f << " VALUE]";
            std::cout << "\n";
            return 0;
        }
        if (flag.rfind("--", 0) != 0 || i + 1 >= argc) {
            std::cerr << "bad argument: " << flag << "\n";
            return 2;
        }
        std::string name = flag.substr(2), value = argv[++i];
        if (name == "port") {
            try {
                int port = std::stoi(value);
                if (port < 0 || port > 65535) throw std::out_of_range("port");
                args.port = static_cast<std::uint16_t>(port);
            } catch (const std::exception&) {
                std::cerr << "bad --port: " << value << "\n";
                return 2;
            }
        } else if (name == "listen") {
            args.listen = value;
        } else if (name == "tls-cert") {
            args.tls_cert = value;
        } else if (name == "tls-key") {
            args.tls_key = value;
        } else if (std::find(extra_flags.begin(), extra_flags.end(), name) != extra_flags.end()) {
            args.extra[name] = value;
        } else {
            std::cerr << "unknown flag: " << flag << "\n";
            return 2;
        }
    }
    if (args.tls_cert.empty() != args.tls_key.empty()) {
        std::cerr << "--tls-cert and --tls-key go together\n";
        return 2;
    }
    for (const auto& name : required_flags) {
        if (!args.extra.count(name)) {
            std::cerr << "missing required flag --" << name << "\n";
            return 2;
        }
    }

    try {
        asio::io_context io;
        // The server needs the handler and the handler needs the port: bind through a forwarding handler.
        auto real = std::make_shared<http::Handler>();
        http::Handler forward = [real](http::Request request) -> asio::awaitable<http::Response> {
            co_return co_await (*real)(std::move(request));
        };
        http::ServerOptions server_options;
        server_options.tls_cert_file = args.tls_cert;
        server_options.tls_key_file = args.tls_key;
        http::Server server(io.get_executor(), args.listen, args.port, forward, server_options);
        std::string host = args.listen.find(':') != std::string::npos ? "[" + args.listen + "]" : args.listen;
        std::string scheme = args.tls_cert.empty() ? "http" : "https";
        std::string base_url = scheme + "://" + host + ":" + std::to_string(server.port());
        *real = factory(io.get_executor(), args, base_url);
        server.start();

        asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) {
            server.stop();
            io.stop();
        });

        std::cout << "LISTENING " << server.port() << "\n" << std::flush;
        io.run();
        // Exit without tearing down a state of a million objects: SIGTERM must end the process promptly.
        std::cout.flush();
        std::fflush(nullptr);
        std::_Exit(0);
    } catch (const std::exception& e) {
        std::cerr << argv[0] << ": " << e.what() << "\n";
        return 1;
    }
}

void fail(std::string message) { throw SeedError{std::move(message)}; }

const json::array& array_of(const json::object& body, std::string_view key) {
    static const json::array empty;
    const json::value* v = field(body, key);
    if (v == nullptr || v->is_null()) return empty;
    if (!v->is_array()) fail("\"" + std::string(key) + "\" must be an array");
    return v->get_array();
}

const json::object& object_of(const json::value& v, std::string_view what) {
    if (!v.is_object()) fail(std::string(what) + " entries must be objects");
    return v.get_object();
}

}  // namespace nds::sim
