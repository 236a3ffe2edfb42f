// Async HTTP/1.1 server: an accept loop plus one coroutine per connection (plain or TLS), in the style
// of Beast's coroutine examples. Every step has a timeout (a request's header: header_timeout; waiting
// between requests, bodies, writes: idle_timeout), connections are limited in all and per client address
// with a few kept for probe paths, request bodies are bounded (413), handler exceptions become a 500 JSON
// response, and stop() closes the acceptor and every open connection so that io_context::run() can return.
#include "http/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::use_awaitable;
constexpr auto as_tuple_awaitable = net::as_tuple(net::use_awaitable);

namespace nds::http {

//------------------------------------------------------------------------------

namespace {

/// Everything the accept loop and the sessions share; kept alive by them after the Server is gone.
struct ServerState : std::enable_shared_from_this<ServerState> {
    net::any_io_executor executor;
    tcp::acceptor acceptor;
    Handler handler;
    ServerOptions options;
    std::unique_ptr<ssl::context> tls;       // null = plain TCP
    std::uint16_t bound_port = 0;
    bool started = false;
    bool stopped = false;
    std::uint64_t accepted = 0;
    std::uint64_t refused = 0;
    std::size_t sessions = 0;                           // spawned and not yet finished (reserved ones too)
    std::size_t reserved_sessions = 0;                  // of those, accepted into reserved_connections
    std::map<net::ip::address, std::size_t> per_address;  // open sessions by client address
    std::uint64_t next_id = 0;
    std::map<std::uint64_t, beast::tcp_stream*> open;   // live connections, closed by stop()
    // One per session, emitted (terminal) by stop(): a handler awaiting something slow (the service's token
    // check against a hung NetBox) is aborted instead of holding the process until its own timeout.
    std::uint64_t next_session = 0;
    std::map<std::uint64_t, std::unique_ptr<net::cancellation_signal>> session_signals;

    ServerState(net::any_io_executor ex, Handler h, ServerOptions opts)
        : executor(ex), acceptor(ex), handler(std::move(h)), options(std::move(opts)) {}

    void stop();
};

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                static constexpr char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0x0F];
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out;
}

Response error_json(unsigned status, std::string_view message) {
    return json_response(status, "{\"error\": \"" + json_escape(message) + "\"}");
}

Request to_request(BeastRequest&& breq) {
    Request req;
    req.method = std::string(breq.method_string());
    req.target = std::string(breq.target());
    for (const auto& field : breq)
        req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    req.body = std::move(breq.body());
    return req;
}

BeastResponse to_beast(Response&& res, unsigned version, bool keep_alive, bool head) {
    if (res.status < 100 || res.status > 999)
        res = error_json(500, "handler returned an invalid status " + std::to_string(res.status));
    BeastResponse out{static_cast<bhttp::status>(res.status), version};
    for (auto& [name, value] : res.headers) {
        auto field = bhttp::string_to_field(name);
        // Framing headers are ours to set.
        if (field == bhttp::field::content_length || field == bhttp::field::transfer_encoding ||
            field == bhttp::field::connection)
            continue;
        out.insert(name, value);
    }
    out.set(bhttp::field::server, "netbox-dhcp-sync");
    out.keep_alive(keep_alive);
    std::size_t size = res.body.size();
    out.body() = std::move(res.body);
    out.prepare_payload();
    if (head) {  // HEAD: Content-Length of the entity, no body on the wire
        out.body().clear();
        out.content_length(size);
    }
    return out;
}

/// Reads and discards what the peer still sends (briefly), so that closing a socket with unread
/// request data does not reset the connection before the peer has read our error response.
template <class Stream>
net::awaitable<void> linger(Stream& stream, beast::tcp_stream& lowest) {
    lowest.expires_after(std::chrono::milliseconds(500));
    char scratch[16384];
    std::size_t total = 0;
    while (total < 4u * 1024 * 1024) {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(scratch), as_tuple_awaitable);
        if (ec) break;
        total += n;
    }
}

/// kSimulateCutHeader: the status line, the headers (full Content-Length) and half the body, then a reset
/// (SO_LINGER 0) or a clean close. For the simulators' fault injection only.
template <class Stream>
net::awaitable<void> send_cut(Stream& stream, beast::tcp_stream& lowest, Response response, unsigned version,
                              bool reset, std::chrono::milliseconds timeout) {
    std::erase_if(response.headers, [](const auto& h) { return beast::iequals(h.first, kSimulateCutHeader); });
    std::string body = std::move(response.body);
    auto res = to_beast(std::move(response), version, false, false);
    res.content_length(std::max<std::size_t>(body.size(), 2) + (body.size() < 2 ? 1024 : 0));
    std::ostringstream head;
    head << res.base();
    std::string wire = head.str() + body.substr(0, body.size() / 2);
    lowest.expires_after(timeout);
    auto [ec, n] = co_await net::async_write(stream, net::buffer(wire), as_tuple_awaitable);
    (void)ec;
    (void)n;
    beast::error_code ignored;
    if (reset) lowest.socket().set_option(net::socket_base::linger(true, 0), ignored);
    else lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest.socket().close(ignored);
}

/// True when the request names a Transfer-Encoding whose last coding is not chunked (the parser then frames
/// the body by Content-Length, or gives it none).
bool has_unframed_transfer_encoding(const bhttp::request_parser<bhttp::string_body>& parser) {
    const auto& header = parser.get();
    return header.find(bhttp::field::transfer_encoding) != header.end() && !parser.chunked();
}

/// The request/response loop of one connection.
/// Waits up to idle_timeout for the first bytes of the next request on a kept-alive connection, so that
/// the header deadline starts when the request does. False: the connection is done (closed, idle, error).
template <class Stream>
net::awaitable<bool> await_next_request(ServerState& self, Stream& stream, beast::tcp_stream& lowest,
                                        beast::flat_buffer& buffer) {
    if (buffer.size() > 0) co_return true;  // pipelined: already here
    lowest.expires_after(self.options.idle_timeout);
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), as_tuple_awaitable);
    buffer.commit(n);
    co_return !ec && n > 0;
}

/// A new connection has this long for its first request's header: header_timeout, or idle_timeout when
/// that is shorter (a connection that sends nothing is idle).
std::chrono::milliseconds first_header_deadline(const ServerOptions& options) {
    return std::min(options.header_timeout, options.idle_timeout);
}

/// A reserved connection (ServerOptions::reserved_connections) serves only the reserved paths.
bool allowed_on_reserved(const ServerOptions& options, std::string_view target) {
    auto path = target.substr(0, target.find('?'));
    return std::find(options.reserved_paths.begin(), options.reserved_paths.end(), path) != options.reserved_paths.end();
}

template <class Stream>
net::awaitable<void> serve(ServerState& self, Stream& stream, beast::tcp_stream& lowest, bool reserved) {
    beast::flat_buffer buffer;  // (Must persist between reads)
    beast::error_code peer_ec;
    const std::string remote_address = lowest.socket().remote_endpoint(peer_ec).address().to_string();
    for (bool first = true;; first = false) {
        if (!first && !co_await await_next_request(self, stream, lowest, buffer)) co_return;
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(self.options.max_body_bytes);
        parser.header_limit(64 * 1024);
        // A new connection's header deadline runs from its accept (set by the session, TLS handshake included).
        if (!first) lowest.expires_after(self.options.header_timeout);
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, as_tuple_awaitable);
        (void)n;
        if (!ec && reserved && !allowed_on_reserved(self.options, parser.get().target())) {
            auto res = to_beast(error_json(503, "too many open connections"), parser.get().version(), false, false);
            res.set(bhttp::field::retry_after, "1");
            lowest.expires_after(self.options.idle_timeout);
            co_await bhttp::async_write(stream, res, as_tuple_awaitable);
            co_return;
        }
        if (!ec && has_unframed_transfer_encoding(parser)) {
            // RFC 9112 6.3: a request whose Transfer-Encoding does not end in chunked cannot be framed; with a
            // Content-Length beside it, framing by the length is how requests get smuggled. 400 and close.
            auto res = to_beast(error_json(400, "bad request: Transfer-Encoding must end in chunked"), 11, false, false);
            lowest.expires_after(self.options.idle_timeout);
            co_await bhttp::async_write(stream, res, as_tuple_awaitable);
            co_return;
        }
        if (!ec && !parser.is_done()) {
            lowest.expires_after(self.options.idle_timeout);
            auto [body_ec, body_n] = co_await bhttp::async_read(stream, buffer, parser, as_tuple_awaitable);
            (void)body_n;
            ec = body_ec;
        }
        if (ec == bhttp::error::body_limit) {
            auto res = to_beast(error_json(413, "request body exceeds the limit of " +
                                                    std::to_string(self.options.max_body_bytes) + " bytes"),
                                parser.get().version(), false, false);
            lowest.expires_after(self.options.idle_timeout);
            auto [wec, wn] = co_await bhttp::async_write(stream, res, as_tuple_awaitable);
            (void)wn;
            if (!wec) {
                beast::error_code ignored;
                lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
                co_await linger(stream, lowest);
            }
            co_return;
        }
        if (ec == bhttp::error::end_of_stream || ec == ssl::error::stream_truncated || ec == beast::error::timeout ||
            ec == net::error::operation_aborted || ec == net::error::connection_reset || ec == net::error::eof)
            co_return;
        if (ec) {  // malformed request: 400 and close
            auto res = to_beast(error_json(400, "bad request: " + ec.message()), 11, false, false);
            lowest.expires_after(self.options.idle_timeout);
            co_await bhttp::async_write(stream, res, as_tuple_awaitable);
            co_return;
        }

        BeastRequest breq = parser.release();
        const bool keep_alive = breq.keep_alive();
        const unsigned version = breq.version();
        const bool head = breq.method() == bhttp::verb::head;

        Response response;
        bool failed = false;
        std::string failure;
        try {
            Request request = to_request(std::move(breq));
            request.remote_address = remote_address;
            response = co_await self.handler(std::move(request));
        } catch (const std::exception& e) {
            failed = true;
            failure = e.what();
        } catch (...) {
            failed = true;
            failure = "unknown exception in handler";
        }
        if (failed) response = error_json(500, failure);
        if (self.stopped) co_return;
        if (auto cut = response.header(kSimulateCutHeader); !cut.empty()) {
            const bool reset = cut == "reset";
            co_await send_cut(stream, lowest, std::move(response), version, reset, self.options.idle_timeout);
            co_return;
        }

        auto res = to_beast(std::move(response), version, keep_alive && !reserved, head);  // reserved: one request
        lowest.expires_after(self.options.idle_timeout);
        auto [wec, wn] = co_await bhttp::async_write(stream, res, as_tuple_awaitable);
        (void)wn;
        if (wec || !res.keep_alive()) break;
    }
}

/// Registers a live connection for stop() for as long as the session's frame exists (also when the
/// frame is destroyed without finishing, e.g. when the io_context goes away first).
class OpenConnection {
public:
    OpenConnection(ServerState& state, beast::tcp_stream& stream) : state_(state), id_(state.next_id++) {
        state_.open.emplace(id_, &stream);
    }
    ~OpenConnection() { state_.open.erase(id_); }
    OpenConnection(const OpenConnection&) = delete;
    OpenConnection& operator=(const OpenConnection&) = delete;

private:
    ServerState& state_;
    std::uint64_t id_;
};

net::awaitable<void> plain_session(std::shared_ptr<ServerState> self, tcp::socket socket, bool reserved) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    beast::tcp_stream stream(std::move(socket));
    if (self->stopped) co_return;
    OpenConnection registration(*self, stream);
    stream.expires_after(first_header_deadline(self->options));
    co_await serve(*self, stream, stream, reserved);
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
}

net::awaitable<void> tls_session(std::shared_ptr<ServerState> self, tcp::socket socket, bool reserved) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *self->tls);
    auto& lowest = beast::get_lowest_layer(stream);
    if (self->stopped) co_return;
    OpenConnection registration(*self, lowest);
    lowest.expires_after(first_header_deadline(self->options));  // the handshake and the first request's header
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, as_tuple_awaitable);
    if (!hec) {
        co_await serve(*self, stream, lowest, reserved);
        if (!self->stopped) {
            lowest.expires_after(std::chrono::seconds(2));
            // Peers often close without close_notify (Beast the benchmark): a truncated shutdown is expected.
            auto [sec] = co_await stream.async_shutdown(as_tuple_awaitable);
            (void)sec;
        }
    }
    lowest.close();
}

/// A connection beyond max_connections: a 503 written without waiting (a fresh socket's send buffer takes it),
/// then closed. A client that already sent its request may see a reset instead (unread data makes the close
/// a RST); either way it is turned away at once. A TLS client would need a handshake first: it is only closed.
void refuse(ServerState& self, tcp::socket socket) {
    ++self.refused;
    beast::error_code ignored;
    if (!self.tls) {
        static constexpr std::string_view kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Retry-After: 1\r\nContent-Length: 38\r\n\r\n{\"detail\":\"too many open connections\"}";
        socket.non_blocking(true, ignored);
        socket.write_some(net::buffer(kBusy.data(), kBusy.size()), ignored);
        socket.shutdown(tcp::socket::shutdown_send, ignored);
    }
    socket.close(ignored);
}

net::awaitable<void> accept_loop(std::shared_ptr<ServerState> self) {
    while (!self->stopped && self->acceptor.is_open()) {
        auto [ec, socket] = co_await self->acceptor.async_accept(as_tuple_awaitable);
        if (self->stopped || ec == net::error::operation_aborted || !self->acceptor.is_open()) break;
        if (ec) {  // e.g. too many open files: back off a little instead of spinning
            net::steady_timer pause(self->executor, std::chrono::milliseconds(50));
            co_await pause.async_wait(as_tuple_awaitable);
            continue;
        }
        beast::error_code peer_ec;
        const net::ip::address peer = socket.remote_endpoint(peer_ec).address();
        const auto& options = self->options;
        if (options.max_connections_per_address != 0 && self->per_address[peer] >= options.max_connections_per_address) {
            refuse(*self, std::move(socket));
            continue;
        }
        const bool full = options.max_connections != 0 && self->sessions - self->reserved_sessions >= options.max_connections;
        if (full && self->reserved_sessions >= options.reserved_connections) {
            refuse(*self, std::move(socket));
            continue;
        }
        const bool reserved = full;
        ++self->accepted;
        ++self->sessions;
        ++self->per_address[peer];
        if (reserved) ++self->reserved_sessions;
        auto id = self->next_session++;
        auto& signal = self->session_signals[id];
        signal = std::make_unique<net::cancellation_signal>();
        auto on_done = [self, id, peer, reserved](std::exception_ptr) {  // sessions handle their own errors
            --self->sessions;
            if (reserved) --self->reserved_sessions;
            if (auto it = self->per_address.find(peer); it != self->per_address.end() && --it->second == 0)
                self->per_address.erase(it);
            // The signal outlives the session's frame by a moment: erased after this handler returned.
            net::post(self->executor, [self, id] { self->session_signals.erase(id); });
        };
        if (self->tls)
            net::co_spawn(self->executor, tls_session(self, std::move(socket), reserved), net::bind_cancellation_slot(signal->slot(), on_done));
        else
            net::co_spawn(self->executor, plain_session(self, std::move(socket), reserved), net::bind_cancellation_slot(signal->slot(), on_done));
    }
}

}  // namespace

struct Server::Impl : ServerState {
    using ServerState::ServerState;
};

//------------------------------------------------------------------------------

void ServerState::stop() {
    if (stopped) return;
    stopped = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    auto connections = open;  // closing completes reads with operation_aborted; sessions erase themselves later
    for (auto& [id, stream] : connections) stream->close();
    // Posted: stop() may be called from inside a session's own handler, and a cancellation emitted into the
    // emitter's own chain is lost (util/cancellation.hpp).
    net::post(executor, [self = shared_from_this()] {
        for (auto& [id, signal] : self->session_signals) signal->emit(net::cancellation_type::terminal);
    });
}

Server::Server(net::any_io_executor executor, const std::string& address, std::uint16_t port, Handler handler,
               ServerOptions options)
    : impl_(std::make_shared<Impl>(executor, std::move(handler), std::move(options))) {
    if (!impl_->options.tls_cert_file.empty() || !impl_->options.tls_key_file.empty()) {
        impl_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
        impl_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                                ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        beast::error_code ec;
        impl_->tls->use_certificate_chain_file(impl_->options.tls_cert_file, ec);
        if (ec)
            throw std::runtime_error("cannot load TLS certificate '" + impl_->options.tls_cert_file +
                                     "': " + ec.message());
        impl_->tls->use_private_key_file(impl_->options.tls_key_file, ssl::context::pem, ec);
        if (ec)
            throw std::runtime_error("cannot load TLS key '" + impl_->options.tls_key_file + "': " + ec.message());
    }

    beast::error_code ec;
    auto addr = net::ip::make_address(address, ec);
    if (ec) throw std::system_error(EINVAL, std::generic_category(), "invalid listen address '" + address + "'");
    tcp::endpoint endpoint(addr, port);
    auto fail = [&](const char* what) {
        throw std::system_error(ec.value(), std::system_category(),
                                std::string(what) + " " + address + ":" + std::to_string(port));
    };
    impl_->acceptor.open(endpoint.protocol(), ec);
    if (ec) fail("cannot open socket for");
    impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    impl_->acceptor.bind(endpoint, ec);
    if (ec) fail("cannot bind");
    impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) fail("cannot listen on");
    impl_->bound_port = impl_->acceptor.local_endpoint().port();
}

Server::~Server() {
    if (impl_) impl_->stop();
}

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::start() {
    if (impl_->started || impl_->stopped) return;
    impl_->started = true;
    net::co_spawn(impl_->executor, accept_loop(impl_), [](std::exception_ptr) {});
}

void Server::stop() { impl_->stop(); }

std::uint64_t Server::connections_accepted() const { return impl_->accepted; }

std::uint64_t Server::connections_refused() const { return impl_->refused; }

}  // namespace nds::http
