// Async HTTP/1.1 client for one origin, on Asio C++20 coroutines and Beast, in the style of Beast's
// coroutine examples: straight-line co_awaits, a deadline on every step (connect, TLS handshake, write,
// read), TLS verification the Beast way (verify_peer + SNI + host_name_verification), bounded response
// bodies. Adds a keep-alive pool of idle connections and bounded retries with exponential backoff.
#include "http/http_client.hpp"

#include "http/url.hpp"
#include "util/cancellation.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <random>
#include <stdexcept>
#include <variant>
#include <vector>

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::use_awaitable;
constexpr auto as_tuple_awaitable = net::as_tuple(net::use_awaitable);

namespace nds::http {

namespace {

using Clock = std::chrono::steady_clock;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

/// One connection to the origin, plain or TLS.
struct Connection {
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;  // (Must persist between reads)

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};
using ConnectionPtr = std::unique_ptr<Connection>;

/// Why an attempt got no response.
enum class Failure {
    resolve,     // retried
    connect,     // retried
    timeout,     // retried
    reset,       // connection reset / closed mid-exchange: retried
    tls,         // handshake or verification failure: not retried
    body_limit,  // response too large: not retried
    other,       // not retried
};

struct AttemptError {
    Failure kind;
    std::string cause;
    bool sent = false;  // the request reached the peer (the failure came after writing it): it may have been applied
};

bool retryable(Failure f) {
    return f == Failure::resolve || f == Failure::connect || f == Failure::timeout || f == Failure::reset;
}

bool retryable_status(unsigned status) { return status == 429 || status == 502 || status == 503 || status == 504; }

/// POST creates: replaying one that the server may already have applied could create the object twice. It
/// is retried only when it cannot have been applied: not sent at all, or answered 429 / 503 (the server
/// refused it). A 502/504 from a gateway, a timeout or a reset after sending are reported instead; the
/// next sync sees whatever was committed. Other methods carry absolute values here and are safe to repeat.
bool replay_safe(std::string_view method) { return method != "POST"; }

std::string lower_message(const beast::error_code& ec) {
    std::string msg = ec.message();
    if (!msg.empty() && std::isupper(static_cast<unsigned char>(msg[0])) &&
        (msg.size() < 2 || !std::isupper(static_cast<unsigned char>(msg[1]))))
        msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
    return msg;
}

bool is_reset(const beast::error_code& ec) {
    return ec == net::error::connection_reset || ec == net::error::connection_aborted || ec == net::error::broken_pipe ||
           ec == net::error::eof || ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
           ec == ssl::error::stream_truncated;
}

std::string describe_reset(const beast::error_code& ec) {
    if (ec == net::error::connection_reset) return "connection reset by peer";
    if (ec == net::error::broken_pipe) return "connection closed by peer (broken pipe)";
    return "connection closed by peer before a complete response (" + lower_message(ec) + ")";
}

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

/// Retry-After in seconds (HTTP-date is not supported and yields nullopt).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    long long secs = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
    if (v.empty() || ec != std::errc{} || ptr != v.data() + v.size() || secs < 0) return std::nullopt;
    return std::chrono::seconds(secs);
}

Response to_response(BeastResponse&& res) {
    Response out;
    out.status = res.result_int();
    for (const auto& field : res)
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    out.body = std::move(res.body());
    return out;
}

/// Result of one request/response exchange on one connection.
struct Exchange {
    std::optional<BeastResponse> response;
    beast::error_code ec;
    bool stale = false;  // failed on write or before the first response byte: the peer had closed it
};

template <class Stream>
net::awaitable<Exchange> exchange(Stream& stream, Connection& conn, const BeastRequest& req, Clock::time_point deadline,
                                  std::size_t body_limit) {
    Exchange out;
    auto& lowest = conn.lowest();
    lowest.expires_at(deadline);
    auto [wec, wn] = co_await bhttp::async_write(stream, req, as_tuple_awaitable);
    (void)wn;
    if (wec) {
        out.ec = wec;
        out.stale = wec != beast::error::timeout;
        co_return out;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    parser.header_limit(64 * 1024);
    if (req.method() == bhttp::verb::head) parser.skip(true);
    lowest.expires_at(deadline);
    auto [rec, rn] = co_await bhttp::async_read(stream, conn.buffer, parser, as_tuple_awaitable);
    (void)rn;
    if (rec) {
        out.ec = rec;
        out.stale = rec != beast::error::timeout && !parser.got_some();
        co_return out;
    }
    out.response = parser.release();
    co_return out;
}

}  // namespace

//------------------------------------------------------------------------------

struct Client::Impl {
    net::any_io_executor executor;
    Url url;
    ClientOptions options;
    std::string origin;
    std::string host_header;
    std::unique_ptr<ssl::context> tls;  // null for http
    std::vector<ConnectionPtr> idle;    // keep-alive pool, most recently used last
    std::mt19937_64 rng{std::random_device{}()};

    Impl(net::any_io_executor ex, Url u, ClientOptions opts)
        : executor(std::move(ex)), url(std::move(u)), options(std::move(opts)), origin(url.origin()) {
        bool default_port = (url.scheme == "http" && url.port == 80) || (url.scheme == "https" && url.port == 443);
        std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
        host_header = default_port ? host : host + ":" + std::to_string(url.port);
        if (url.scheme == "https") {
            tls = std::make_unique<ssl::context>(ssl::context::tls_client);
            tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
            if (options.verify_tls) {
                tls->set_verify_mode(ssl::verify_peer);
                beast::error_code ec;
                if (options.ca_file.empty()) {
                    tls->set_default_verify_paths(ec);
                    if (ec) throw std::runtime_error("cannot load the system CA store: " + ec.message());
                } else {
                    tls->load_verify_file(options.ca_file, ec);
                    if (ec) throw std::runtime_error("cannot load CA file '" + options.ca_file + "': " + ec.message());
                }
            } else {
                tls->set_verify_mode(ssl::verify_none);
            }
            load_client_certificate(*tls, options);
        }
    }

    static void load_client_certificate(ssl::context& tls, const ClientOptions& options) {
        if (options.cert_file.empty() != options.key_file.empty())
            throw std::runtime_error("a TLS client certificate needs both cert_file and key_file");
        if (options.cert_file.empty()) return;
        beast::error_code ec;
        tls.use_certificate_chain_file(options.cert_file, ec);
        if (ec) throw std::runtime_error("cannot load TLS client certificate '" + options.cert_file + "': " + ec.message());
        tls.use_private_key_file(options.key_file, ssl::context::pem, ec);
        if (ec) throw std::runtime_error("cannot load TLS client key '" + options.key_file + "': " + ec.message());
    }

    static net::awaitable<Expected<Response>> send(std::shared_ptr<Impl> self, Request request);
    static net::awaitable<void> isolated_exchange(std::shared_ptr<Impl> self, Request request,
                                                  std::optional<Expected<Response>>& out);
    net::awaitable<std::variant<ConnectionPtr, AttemptError>> connect(Clock::time_point deadline);
    net::awaitable<std::variant<Response, AttemptError>> attempt(const BeastRequest& req);
    net::awaitable<Exchange> run_exchange(Connection& conn, const BeastRequest& req, Clock::time_point deadline);
    AttemptError classify(const beast::error_code& ec);
    /// Full jitter: uniform in [0, backoff].
    std::chrono::milliseconds jitter(std::chrono::milliseconds backoff) {
        return std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, backoff.count())(rng));
    }
    void release(ConnectionPtr conn);
};

AttemptError Client::Impl::classify(const beast::error_code& ec) {
    if (ec == beast::error::timeout) return {Failure::timeout, "timed out after " + ms_text(options.timeout)};
    if (ec == bhttp::error::body_limit)
        return {Failure::body_limit,
                "response body exceeds the limit of " + std::to_string(options.max_body_bytes) + " bytes"};
    if (is_reset(ec)) return {Failure::reset, describe_reset(ec)};
    return {Failure::other, lower_message(ec)};
}

void Client::Impl::release(ConnectionPtr conn) {
    if (idle.size() >= options.max_idle_connections) return;  // dropping it closes it
    idle.push_back(std::move(conn));
}

net::awaitable<std::variant<ConnectionPtr, AttemptError>> Client::Impl::connect(Clock::time_point deadline) {
    // Resolve (an IP literal needs no resolver). The resolver has no timer of its own: a watchdog cancels it.
    tcp::resolver::results_type endpoints;
    beast::error_code aec;
    auto address = net::ip::make_address(url.host, aec);
    if (!aec) {
        endpoints = tcp::resolver::results_type::create(tcp::endpoint(address, url.port), url.host,
                                                         std::to_string(url.port));
    } else {
        auto resolver = std::make_shared<tcp::resolver>(executor);
        net::steady_timer watchdog(executor);
        watchdog.expires_at(deadline);
        watchdog.async_wait([resolver](const beast::error_code& ec) {
            if (!ec) resolver->cancel();
        });
        auto [ec, results] = co_await resolver->async_resolve(url.host, std::to_string(url.port), as_tuple_awaitable);
        watchdog.cancel();
        if (ec) {
            if (Clock::now() >= deadline)
                co_return AttemptError{Failure::timeout,
                                       "timed out after " + ms_text(options.timeout) + " resolving " + url.host};
            co_return AttemptError{Failure::resolve, "cannot resolve host '" + url.host + "': " + lower_message(ec)};
        }
        endpoints = std::move(results);
    }

    auto conn = std::make_unique<Connection>();
    if (tls) {
        conn->tls.emplace(executor, *tls);
        // SNI (for names; RFC 6066 forbids IP literals there), and the peer's name checked against the
        // certificate (the Beast way; host_name_verification also matches IP SANs).
        if (aec && !SSL_set_tlsext_host_name(conn->tls->native_handle(), url.host.c_str())) {
            beast::error_code ec(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
            co_return AttemptError{Failure::tls, "cannot set TLS SNI host name: " + ec.message()};
        }
        if (options.verify_tls) {
            conn->tls->set_verify_mode(ssl::verify_peer);
            conn->tls->set_verify_callback(ssl::host_name_verification(url.host));
        } else {
            conn->tls->set_verify_mode(ssl::verify_none);
        }
    } else {
        conn->plain.emplace(executor);
    }

    auto& lowest = conn->lowest();
    lowest.expires_at(deadline);
    auto [cec, ep] = co_await lowest.async_connect(endpoints, as_tuple_awaitable);
    (void)ep;
    if (cec) {
        if (cec == beast::error::timeout)
            co_return AttemptError{Failure::timeout, "timed out after " + ms_text(options.timeout) + " connecting"};
        if (cec == net::error::connection_refused) co_return AttemptError{Failure::connect, "connection refused"};
        co_return AttemptError{Failure::connect, "cannot connect: " + lower_message(cec)};
    }
    beast::error_code ignored;
    lowest.socket().set_option(tcp::no_delay(true), ignored);

    if (tls) {
        lowest.expires_at(deadline);
        auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, as_tuple_awaitable);
        if (hec) {
            if (hec == beast::error::timeout)
                co_return AttemptError{Failure::timeout,
                                       "timed out after " + ms_text(options.timeout) + " in the TLS handshake"};
            if (is_reset(hec)) co_return AttemptError{Failure::reset, "TLS handshake: " + describe_reset(hec)};
            std::string msg = "TLS handshake failed: " + hec.message();
            if (hec.category() == net::error::get_ssl_category() &&
                ERR_GET_REASON(static_cast<unsigned long>(hec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED)
                msg = "TLS certificate verification failed for " + url.host + " (" + hec.message() +
                      "; set ca_file to trust a private CA)";
            co_return AttemptError{Failure::tls, msg};
        }
    }
    co_return conn;
}

net::awaitable<Exchange> Client::Impl::run_exchange(Connection& conn, const BeastRequest& req,
                                                    Clock::time_point deadline) {
    if (conn.tls) co_return co_await exchange(*conn.tls, conn, req, deadline, options.max_body_bytes);
    co_return co_await exchange(*conn.plain, conn, req, deadline, options.max_body_bytes);
}

net::awaitable<std::variant<Response, AttemptError>> Client::Impl::attempt(const BeastRequest& req) {
    const auto deadline = Clock::now() + options.timeout;

    // Reuse the most recently used idle connection. If the peer has closed it in the meantime, it fails on
    // write or before the first response byte: drop it and go once to a fresh connection, within the
    // same attempt (so not counted as a retry).
    if (!idle.empty()) {
        ConnectionPtr conn = std::move(idle.back());
        idle.pop_back();
        Exchange ex = co_await run_exchange(*conn, req, deadline);
        if (!ex.stale) {
            if (ex.ec) {
                auto err = classify(ex.ec);
                err.sent = true;
                co_return err;
            }
            if (ex.response->keep_alive()) release(std::move(conn));
            co_return to_response(std::move(*ex.response));
        }
    }

    auto connected = co_await connect(deadline);
    if (auto* err = std::get_if<AttemptError>(&connected)) co_return std::move(*err);
    ConnectionPtr conn = std::move(std::get<ConnectionPtr>(connected));
    Exchange ex = co_await run_exchange(*conn, req, deadline);
    if (ex.ec) {
        auto err = classify(ex.ec);
        err.sent = true;
        co_return err;
    }
    if (ex.response->keep_alive()) release(std::move(conn));
    co_return to_response(std::move(*ex.response));
}

net::awaitable<Expected<Response>> Client::Impl::send(std::shared_ptr<Impl> self, Request request) {
    const auto& opt = self->options;

    BeastRequest req;
    auto verb = bhttp::string_to_verb(request.method);
    if (verb == bhttp::verb::unknown) req.method_string(request.method);
    else req.method(verb);
    req.target(request.target);
    req.version(11);
    for (const auto& [name, value] : request.headers) req.insert(name, value);
    if (req.find(bhttp::field::host) == req.end()) req.set(bhttp::field::host, self->host_header);
    if (req.find(bhttp::field::user_agent) == req.end()) req.set(bhttp::field::user_agent, opt.user_agent);
    req.body() = request.body;
    req.keep_alive(true);
    req.prepare_payload();

    const std::string what = request.method + " " + self->origin + request.target;
    const bool safe = replay_safe(request.method);
    auto backoff = opt.backoff_initial;
    int attempts = 0;
    net::steady_timer timer(self->executor);

    for (int retries = 0;; ++retries) {
        if (co_await abort_requested()) co_return Error{make_error_code(errc::cancelled), what + ": cancelled"};
        ++attempts;
        const auto started = Clock::now();
        auto result = co_await self->attempt(req);
        const auto elapsed = Clock::now() - started;

        auto* response = std::get_if<Response>(&result);
        if (opt.on_attempt) opt.on_attempt(request, response ? response->status : 0u, elapsed);

        std::chrono::milliseconds delay{0};
        if (response) {
            if (!retryable_status(response->status) || retries >= opt.max_retries) co_return std::move(*response);
            if (!safe && (response->status == 502 || response->status == 504)) co_return std::move(*response);
            std::optional<std::chrono::seconds> retry_after;
            if (response->status == 429) retry_after = parse_retry_after(response->header("Retry-After"));
            delay = retry_after ? std::min<std::chrono::milliseconds>(*retry_after, opt.backoff_max)
                                : self->jitter(backoff);
        } else {
            const auto& err = std::get<AttemptError>(result);
            const bool unsafe = err.sent && !safe;
            if (!retryable(err.kind) || retries >= opt.max_retries || unsafe) {
                std::string msg = what + ": " + err.cause;
                if (attempts > 1) msg += " (after " + std::to_string(attempts) + " attempts)";
                if (unsafe && retryable(err.kind) && retries < opt.max_retries)
                    msg += " (not retried: the server may have applied it)";
                co_return Error{make_error_code(errc::transport), std::move(msg)};
            }
            delay = self->jitter(backoff);
        }
        backoff = std::min(backoff * 2, opt.backoff_max);
        if (delay.count() > 0) {
            timer.expires_after(delay);
            co_await timer.async_wait(as_tuple_awaitable);
        }
    }
}

//------------------------------------------------------------------------------

Client::Client(net::any_io_executor executor, std::string base_url, ClientOptions options) {
    auto url = Url::parse(base_url);
    if (!url) throw std::invalid_argument("not an http(s) URL: '" + base_url + "'");
    if (options.max_retries < 0) options.max_retries = 0;
    if (options.backoff_initial.count() < 0) options.backoff_initial = std::chrono::milliseconds(0);
    if (options.backoff_max < options.backoff_initial) options.backoff_max = options.backoff_initial;
    impl_ = std::make_shared<Impl>(std::move(executor), std::move(*url), std::move(options));
}

Client::~Client() = default;

/// One exchange (with its retries) in a thread of execution of its own: that thread keeps the default
/// filter, terminal cancellation only, so a run being stopped (partial cancellation) lets the request in
/// flight finish, while terminal cancellation aborts it (util/cancellation.hpp). Nothing throws for a
/// cancellation: the caller gets an Error.
net::awaitable<void> Client::Impl::isolated_exchange(std::shared_ptr<Impl> self, Request request,
                                                      std::optional<Expected<Response>>& out) {
    co_await net::this_coro::throw_if_cancelled(false);
    auto response = co_await Impl::send(std::move(self), std::move(request));
    out.emplace(std::move(response));
}

net::awaitable<Expected<Response>> Client::send(Request request) {
    if (co_await abort_requested())
        co_return Error{make_error_code(errc::cancelled), request.method + " " + impl_->origin + request.target + ": cancelled"};
    std::optional<Expected<Response>> result;
    auto exchange = Impl::isolated_exchange(impl_, std::move(request), result);
    co_await net::co_spawn(impl_->executor, std::move(exchange), net::use_awaitable);
    co_return std::move(*result);
}

const std::string& Client::origin() const { return impl_->origin; }

}  // namespace nds::http
