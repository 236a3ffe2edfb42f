// Pieces shared by both simulators: fault injection, request statistics, global latency costs, small JSON
// helpers and the process runner (argument parsing, LISTENING line, signal handling).
#pragma once

#include "http/http_message.hpp"
#include "http/http_server.hpp"
#include "http/url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::sim {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------------------
// JSON helpers

/// Serialises `value` into a JSON response with `status`.
http::Response json_reply(unsigned status, const json::value& value);
/// 204 without a body.
http::Response no_content();
/// `{"<key>": "<message>"}` with `status` (NetBox uses "detail", PSU uses "error").
http::Response message_reply(unsigned status, std::string_view key, std::string_view message);

/// Parses a request body; nullopt on a syntax error (the caller decides the error shape).
std::optional<json::value> parse_json(std::string_view body);

/// Typed accessors that tolerate absent keys and wrong types (they return nullopt / the fallback).
const json::value* field(const json::object& object, std::string_view key);
std::optional<std::string> string_field(const json::object& object, std::string_view key);
std::optional<std::int64_t> int_field(const json::object& object, std::string_view key);
std::optional<bool> bool_field(const json::object& object, std::string_view key);

/// Thrown while reading a POST /_sim/seed body; the control API answers 400 with the message and seeds nothing.
struct SeedError {
    std::string message;
};
[[noreturn]] void fail(std::string message);
/// body[key] as an array (absent or null = empty); anything else is a SeedError.
const json::array& array_of(const json::object& body, std::string_view key);
/// A seed entry as an object; anything else is a SeedError naming `what`.
const json::object& object_of(const json::value& v, std::string_view what);
std::string string_or(const json::object& object, std::string_view key, std::string fallback);
std::int64_t int_or(const json::object& object, std::string_view key, std::int64_t fallback);
bool bool_or(const json::object& object, std::string_view key, bool fallback);

/// A JSON integer from either an int64 or uint64 (or an integral double); nullopt otherwise.
std::optional<std::int64_t> as_int(const json::value& value);

/// ISO-8601 UTC timestamp with microseconds, NetBox style ("2026-08-22T10:11:12.123456Z").
std::string now_iso();
/// Random RFC 4122 version 4 UUID (NetBox request ids).
std::string random_uuid();

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);

// ---------------------------------------------------------------------------------------------------------
// Fault injection

/// One rule of POST /_sim/faults. Rules are matched in the order they were added; the first match wins.
struct FaultRule {
    std::string method = "*";
    std::string path_prefix;
    std::string query_contains;
    unsigned status = 0;            ///< 0 = no injected status (latency-only rule, see README)
    std::string body = R"({"error":"injected"})";
    std::uint64_t remaining = 0;    ///< requests left; only meaningful when !forever
    bool forever = true;            ///< "count": 0
    unsigned latency_ms = 0;
    bool hang = false;
    bool empty_list = false;
    std::optional<std::string> malformed;
    unsigned retry_after = 0;        ///< > 0: a Retry-After header (seconds) on the injected status
    bool html = false;               ///< an HTML error page (text/html) with `status` (default 502)
    std::uint64_t huge_body_mb = 0;  ///< > 0: 200 with a valid JSON array of about this many MiB
    std::string cut;                 ///< "reset" | "truncate": handled normally, then the response is cut
};

/// How a response is cut off on the wire (see http::kSimulateCutHeader).
enum class Cut { none, reset, truncate };

/// What a matching rule asks for. `response` is empty when the request should be handled normally (after
/// `latency`).
struct FaultDecision {
    std::chrono::milliseconds latency{0};
    bool hang = false;
    Cut cut = Cut::none;
    std::optional<http::Response> response;
};

class Faults {
public:
    /// Appends the rules of a POST /_sim/faults body; returns an error text on a malformed body.
    std::optional<std::string> add(const json::value& body);
    void clear() { rules_.clear(); }
    /// Finds the first matching rule, consumes one use of it, and says what to do.
    FaultDecision match(std::string_view method, std::string_view path, std::string_view query);
    json::array to_json() const;

private:
    std::vector<FaultRule> rules_;
};

// ---------------------------------------------------------------------------------------------------------
// Statistics

class Stats {
public:
    void count_request(std::string_view method, std::string_view path);
    void add_objects_written(std::uint64_t n) { objects_written_ += n; }
    json::object to_json() const;
    void reset();

private:
    // Bounded: a test that hits a million distinct detail paths must not grow this without limit.
    static constexpr std::size_t max_paths = 10000;
    std::uint64_t requests_ = 0, reads_ = 0, writes_ = 0, objects_written_ = 0;
    std::map<std::string, std::uint64_t, std::less<>> by_path_;
};

/// Global per-request costs, set by POST /_sim/config.
struct Costs {
    unsigned latency_ms_per_request = 0;
    unsigned latency_ms_per_object_written = 0;
    /// Reads the two cost keys if present; other keys are left for the simulator. Error text on bad types.
    std::optional<std::string> apply(const json::object& config);
    json::object to_json() const;
};

bool is_write_method(std::string_view method);

/// co_await-able sleep on the current executor (no-op for 0).
boost::asio::awaitable<void> sleep_ms(std::uint64_t ms);

/// Handles the control endpoints both simulators share: /_sim/faults (POST, DELETE, GET),
/// /_sim/stats (GET), /_sim/stats/reset (POST). nullopt when `path` is none of them.
std::optional<http::Response> handle_shared_control(const http::Request& request, std::string_view path,
                                                    Faults& faults, Stats& stats);

/// What the fault/stat/latency prologue decided: `response` set = answer with it; else handle the request
/// normally and pass the result through cut_response(..., cut).
struct PreHandled {
    std::optional<http::Response> response;
    Cut cut = Cut::none;
};

/// Runs the fault/stat/latency prologue for a non-control request. Returns a response when a fault rule
/// answers (or hangs, then answers 504 after 10 minutes); no response to continue with normal handling.
boost::asio::awaitable<PreHandled> pre_handle(const http::Request& request, const http::Target& target,
                                              Faults& faults, Stats& stats, const Costs& costs);

/// Marks a normally handled response to be cut on the wire (reset: headers and half the body, then a TCP
/// RST; truncate: the same, then a clean close). Cut::none returns it unchanged.
http::Response cut_response(http::Response response, Cut cut);

// ---------------------------------------------------------------------------------------------------------
// Process runner

struct SimArgs {
    std::string listen = "127.0.0.1";
    std::uint16_t port = 0;
    std::string tls_cert;  ///< --tls-cert PEM (with --tls-key): serve HTTPS
    std::string tls_key;
    std::map<std::string, std::string> extra;  ///< other "--name value" pairs, key without dashes
};

/// Builds the request handler once the listening port is known (base_url = "http://127.0.0.1:<port>").
using HandlerFactory = std::function<http::Handler(boost::asio::any_io_executor, const SimArgs&,
                                                   const std::string& base_url)>;

/// Parses arguments (`--port N`, `--listen ADDR`, and the names in `extra_flags`), binds, prints
/// "LISTENING <port>", serves until SIGTERM/SIGINT. Returns the process exit code.
int run_simulator(int argc, char** argv, const std::vector<std::string>& extra_flags,
                  const std::vector<std::string>& required_flags, const HandlerFactory& factory);

}  // namespace nds::sim
