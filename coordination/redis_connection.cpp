#include "coordination/redis_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>

namespace nds::coordination {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto as_tuple_awaitable = net::as_tuple(net::use_awaitable);

/// Our replies are a few short strings: anything much larger is not an answer to our commands.
constexpr std::size_t max_reply_bytes = 1 << 20;

std::string ms_text(std::chrono::milliseconds value) { return std::to_string(value.count()) + "ms"; }

/// Mutual exclusion in arrival order for coroutines on one thread, with a deadline for the wait.
class AsyncGate {
public:
    enum class Entry { admitted, timed_out, cancelled };

    explicit AsyncGate(net::any_io_executor executor) : executor_(std::move(executor)) {}

    net::awaitable<Entry> enter(Clock::time_point deadline) {
        if (!busy_ && waiting_.empty()) {
            busy_ = true;
            co_return Entry::admitted;
        }
        auto waiter = std::make_shared<Waiter>(executor_);
        waiter->timer.expires_at(deadline);
        waiting_.push_back(waiter);
        auto [ec] = co_await waiter->timer.async_wait(as_tuple_awaitable);
        if (waiter->admitted) co_return Entry::admitted;  // leave() chose us, even if the timer also ran out
        std::erase(waiting_, waiter);
        co_return ec ? Entry::cancelled : Entry::timed_out;
    }

    /// Hands the gate to the first waiter, or opens it.
    void leave() {
        if (waiting_.empty()) {
            busy_ = false;
            return;
        }
        auto next = waiting_.front();
        waiting_.pop_front();
        next->admitted = true;
        next->timer.cancel();
    }

    /// Every waiter gives up (shutdown).
    void cancel_waiting() {
        for (auto& waiter : waiting_) waiter->timer.cancel();
    }

private:
    struct Waiter {
        explicit Waiter(const net::any_io_executor& executor) : timer(executor) {}
        net::steady_timer timer;
        bool admitted = false;
    };
    net::any_io_executor executor_;
    bool busy_ = false;
    std::deque<std::shared_ptr<Waiter>> waiting_;
};

/// Leaves the gate when the call ends, however it ends.
class GateTicket {
public:
    explicit GateTicket(AsyncGate& gate) : gate_(gate) {}
    ~GateTicket() { gate_.leave(); }
    GateTicket(const GateTicket&) = delete;
    GateTicket& operator=(const GateTicket&) = delete;

private:
    AsyncGate& gate_;
};

bool is_connection_closed(const boost::system::error_code& ec) {
    return ec == net::error::eof || ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == ssl::error::stream_truncated;
}

}  // namespace

struct RedisConnection::Impl {
    net::any_io_executor executor;
    ResolvedRedisOptions options;
    std::unique_ptr<ssl::context> tls_context;  ///< null without TLS
    std::optional<beast::tcp_stream> plain;
    std::optional<ssl::stream<beast::tcp_stream>> secure;
    std::shared_ptr<tcp::resolver> resolver;    ///< while a host name is being resolved
    std::unique_ptr<ReplyParser> parser;
    std::array<char, 16 * 1024> buffer{};
    bool connected = false;
    bool shut_down = false;
    AsyncGate gate;

    Impl(net::any_io_executor ex, ResolvedRedisOptions opts)
        : executor(ex), options(std::move(opts)), gate(std::move(ex)) {}

    static net::awaitable<Expected<RedisReply>> exec(std::shared_ptr<Impl> self, std::vector<std::string> arguments);

    net::awaitable<Expected<Done>> connect();
    net::awaitable<Expected<tcp::resolver::results_type>> resolve(Clock::time_point deadline);
    net::awaitable<Expected<Done>> handshake_and_login(Clock::time_point deadline);
    /// One request and its answer, by `deadline`; `limit` is the configured timeout, for the message.
    net::awaitable<Expected<RedisReply>> round_trip(const std::string& request, Clock::time_point deadline,
                                                    std::chrono::milliseconds limit, std::string_view command);
    template <class Stream>
    net::awaitable<Expected<RedisReply>> round_trip_on(Stream& stream, const std::string& request,
                                                       Clock::time_point deadline, std::chrono::milliseconds limit,
                                                       std::string_view command);

    beast::tcp_stream& lowest() {
        if (secure) return beast::get_lowest_layer(*secure);
        return *plain;
    }

    /// Closes the socket; the stream objects stay until no operation can be pending on them (drop()).
    void close_socket() {
        connected = false;
        if (resolver) resolver->cancel();
        if (secure) beast::get_lowest_layer(*secure).close();
        if (plain) plain->close();
    }

    /// After a failed call (no operation pending): forget the connection.
    void drop() {
        close_socket();
        secure.reset();
        plain.reset();
        parser.reset();
    }

    Error failure(errc code, std::string what) const {
        return Error{make_error_code(code), "Redis " + options.display + ": " + std::move(what)};
    }

    Error io_failure(const boost::system::error_code& ec, std::string_view doing, std::chrono::milliseconds limit) {
        if (shut_down) return failure(errc::cancelled, std::string(doing) + ": the connection was closed (shutting down)");
        if (ec == beast::error::timeout)
            return failure(errc::transport, std::string(doing) + ": no answer within " + ms_text(limit));
        if (is_connection_closed(ec)) return failure(errc::transport, std::string(doing) + ": connection closed by the server");
        if (ec == net::error::operation_aborted)
            return failure(errc::transport, std::string(doing) + ": the connection was closed");
        if (ec == net::error::connection_refused) return failure(errc::transport, std::string(doing) + ": connection refused");
        return failure(errc::transport, std::string(doing) + ": " + ec.message());
    }
};

RedisConnection::RedisConnection(net::any_io_executor executor, ResolvedRedisOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {
    if (!impl_->options.endpoint.tls) return;
    impl_->tls_context = std::make_unique<ssl::context>(ssl::context::tls_client);
    impl_->tls_context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    impl_->tls_context->set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    if (impl_->options.ca_file.empty()) {
        impl_->tls_context->set_default_verify_paths(ec);
        if (ec) throw std::runtime_error("coordination.redis: cannot load the system CA store: " + ec.message());
    } else {
        impl_->tls_context->load_verify_file(impl_->options.ca_file, ec);
        if (ec)
            throw std::runtime_error("coordination.redis.ca_file: cannot load '" + impl_->options.ca_file +
                                     "': " + ec.message());
    }
}

RedisConnection::~RedisConnection() { close(); }

void RedisConnection::close() {
    // Operations in flight end with an error; they hold the Impl, so it lives until they are done.
    impl_->shut_down = true;
    impl_->close_socket();
    impl_->gate.cancel_waiting();
}

const ResolvedRedisOptions& RedisConnection::options() const { return impl_->options; }

net::awaitable<Expected<RedisReply>> RedisConnection::exec(std::vector<std::string> arguments) {
    co_return co_await Impl::exec(impl_, std::move(arguments));
}

net::awaitable<Expected<RedisReply>> RedisConnection::Impl::exec(std::shared_ptr<Impl> self,
                                                                 std::vector<std::string> arguments) {
    const std::string command = arguments.empty() ? std::string("(empty)") : arguments.front();
    if (self->shut_down) co_return self->failure(errc::cancelled, command + ": the connection was closed");
    const std::string request = format_command(arguments);
    auto wait_limit = self->options.command_timeout + (self->connected ? std::chrono::milliseconds(0)
                                                                       : self->options.connect_timeout);
    auto entry = co_await self->gate.enter(Clock::now() + wait_limit);
    if (entry == AsyncGate::Entry::timed_out)
        co_return self->failure(errc::transport, command + ": not sent within " + ms_text(wait_limit) +
                                                     " (the calls before it are still waiting for Redis)");
    if (entry == AsyncGate::Entry::cancelled) co_return self->failure(errc::cancelled, command + ": cancelled");
    GateTicket ticket(self->gate);
    if (self->shut_down) co_return self->failure(errc::cancelled, command + ": the connection was closed");

    if (!self->connected) {
        auto connected = co_await self->connect();
        if (!connected) {
            self->drop();
            co_return connected.error();
        }
    }
    auto reply = co_await self->round_trip(request, Clock::now() + self->options.command_timeout,
                                           self->options.command_timeout, command);
    if (!reply) self->drop();  // the request/answer pairing is lost: start over on a new connection
    co_return reply;
}

net::awaitable<Expected<tcp::resolver::results_type>> RedisConnection::Impl::resolve(Clock::time_point deadline) {
    const auto& endpoint = options.endpoint;
    boost::system::error_code aec;
    auto address = net::ip::make_address(endpoint.host, aec);
    if (!aec)  // an IP literal needs no resolver
        co_return tcp::resolver::results_type::create(tcp::endpoint(address, endpoint.port), endpoint.host,
                                                      std::to_string(endpoint.port));
    // The resolver has no timer of its own: a watchdog cancels it.
    resolver = std::make_shared<tcp::resolver>(executor);
    net::steady_timer watchdog(executor);
    watchdog.expires_at(deadline);
    watchdog.async_wait([weak = std::weak_ptr<tcp::resolver>(resolver)](const boost::system::error_code& ec) {
        if (auto r = weak.lock(); r && !ec) r->cancel();
    });
    auto [ec, results] = co_await resolver->async_resolve(endpoint.host, std::to_string(endpoint.port),
                                                          as_tuple_awaitable);
    watchdog.cancel();
    resolver.reset();
    if (ec) {
        if (Clock::now() >= deadline)
            co_return failure(errc::transport, "resolving '" + endpoint.host + "': no answer within " +
                                                   ms_text(options.connect_timeout));
        co_return failure(errc::transport, "cannot resolve host '" + endpoint.host + "': " + ec.message());
    }
    co_return std::move(results);
}

net::awaitable<Expected<Done>> RedisConnection::Impl::connect() {
    const auto deadline = Clock::now() + options.connect_timeout;
    const auto& endpoint = options.endpoint;
    auto endpoints = co_await resolve(deadline);
    if (!endpoints) co_return endpoints.error();

    parser = std::make_unique<ReplyParser>();
    secure.reset();
    plain.reset();
    if (tls_context) {
        secure.emplace(executor, *tls_context);
        boost::system::error_code literal;
        net::ip::make_address(endpoint.host, literal);
        // SNI for names (RFC 6066 forbids IP literals there); the name or IP is checked against the certificate.
        if (literal && !SSL_set_tlsext_host_name(secure->native_handle(), endpoint.host.c_str()))
            co_return failure(errc::transport, "cannot set the TLS SNI host name");
        secure->set_verify_mode(ssl::verify_peer);
        secure->set_verify_callback(ssl::host_name_verification(endpoint.host));
    } else {
        plain.emplace(executor);
    }

    lowest().expires_at(deadline);
    auto [cec, ep] = co_await lowest().async_connect(*endpoints, as_tuple_awaitable);
    (void)ep;
    if (cec) co_return io_failure(cec, "connect", options.connect_timeout);
    boost::system::error_code ignored;
    lowest().socket().set_option(tcp::no_delay(true), ignored);
    co_return co_await handshake_and_login(deadline);
}

net::awaitable<Expected<Done>> RedisConnection::Impl::handshake_and_login(Clock::time_point deadline) {
    const auto& endpoint = options.endpoint;
    if (secure) {
        lowest().expires_at(deadline);
        auto [hec] = co_await secure->async_handshake(ssl::stream_base::client, as_tuple_awaitable);
        if (hec) {
            if (hec.category() == net::error::get_ssl_category() &&
                ERR_GET_REASON(static_cast<unsigned long>(hec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED)
                co_return failure(errc::transport, "TLS certificate verification failed for " + endpoint.host + " (" +
                                                       hec.message() +
                                                       "; set coordination.redis.ca_file to trust a private CA)");
            if (hec == beast::error::timeout || is_connection_closed(hec))
                co_return io_failure(hec, "TLS handshake", options.connect_timeout);
            co_return failure(errc::transport, "TLS handshake failed: " + hec.message());
        }
    }

    if (!endpoint.password.empty()) {
        std::vector<std::string> auth{"AUTH"};
        if (!endpoint.username.empty()) auth.push_back(endpoint.username);
        auth.push_back(endpoint.password);
        const std::string request = format_command(auth);
        auto reply = co_await round_trip(request, deadline, options.connect_timeout, "AUTH");
        if (!reply) co_return reply.error();
        // Redis's refusal names no password ("WRONGPASS invalid username-password pair ...").
        if (reply->is_error())
            co_return failure(errc::authentication,
                              "AUTH as " + (endpoint.username.empty() ? std::string("the default user")
                                                                      : "user '" + endpoint.username + "'") +
                                  " refused: " + reply->text);
    }
    if (endpoint.db != 0) {
        // (No braced list inside a co_await expression: GCC 12 rejects it, "array used as initializer".)
        const std::string select = format_command({"SELECT", std::to_string(endpoint.db)});
        auto reply = co_await round_trip(select, deadline, options.connect_timeout, "SELECT");
        if (!reply) co_return reply.error();
        if (reply->is_error()) {
            auto code = reply->error_code() == "NOAUTH" ? errc::authentication : errc::refused;
            co_return failure(code, "SELECT " + std::to_string(endpoint.db) + " refused: " + reply->text);
        }
    }
    connected = true;
    co_return Done{};
}

net::awaitable<Expected<RedisReply>> RedisConnection::Impl::round_trip(const std::string& request,
                                                                       Clock::time_point deadline,
                                                                       std::chrono::milliseconds limit,
                                                                       std::string_view command) {
    if (secure) co_return co_await round_trip_on(*secure, request, deadline, limit, command);
    co_return co_await round_trip_on(*plain, request, deadline, limit, command);
}

template <class Stream>
net::awaitable<Expected<RedisReply>> RedisConnection::Impl::round_trip_on(Stream& stream, const std::string& request,
                                                                          Clock::time_point deadline,
                                                                          std::chrono::milliseconds limit,
                                                                          std::string_view command) {
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [wec, written] = co_await net::async_write(stream, net::buffer(request), as_tuple_awaitable);
    (void)written;
    if (wec) co_return io_failure(wec, std::string(command), limit);
    std::size_t received = 0;
    for (;;) {
        auto next = parser->next();
        if (!next) co_return failure(errc::malformed, std::string(command) + ": " + next.error().message);
        if (*next) co_return std::move(**next);
        beast::get_lowest_layer(stream).expires_at(deadline);
        auto [rec, size] = co_await stream.async_read_some(net::buffer(buffer), as_tuple_awaitable);
        if (rec) co_return io_failure(rec, std::string(command), limit);
        received += size;
        if (received > max_reply_bytes)
            co_return failure(errc::malformed, std::string(command) + ": answer larger than " +
                                                   std::to_string(max_reply_bytes) + " bytes");
        auto fed = parser->feed(buffer.data(), size);
        if (!fed) co_return failure(errc::malformed, std::string(command) + ": " + fed.error().message);
    }
}

}  // namespace nds::coordination
