// Server behaviour, driven through the real Client on 127.0.0.1: round trip, keep-alive reuse,
// concurrent requests on one Client, handler exceptions, request body limit, stop().
#include "util/async.hpp"
#include "test_support.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/read.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace nds::http;
using namespace nds::http::test;

namespace {

/// Echoes the request as a small JSON-ish text and a few headers.
Handler echo_handler(int* calls = nullptr) {
    return [calls](Request req) -> net::awaitable<Response> {
        if (calls) ++*calls;
        Response res = json_response(200, req.body);
        res.headers.emplace_back("X-Method", req.method);
        res.headers.emplace_back("X-Target", req.target);
        res.headers.emplace_back("X-Echo", std::string(req.header("x-echo")));
        res.headers.emplace_back("X-Host", std::string(req.header("host")));
        res.headers.emplace_back("X-UA", std::string(req.header("user-agent")));
        co_return res;
    };
}

/// Sends raw bytes on a new connection to `server` and reads until the server closes: the error that ended
/// the read (eof = closed by the server) and everything received.
net::awaitable<std::pair<boost::system::error_code, std::string>> raw_exchange(net::io_context& ioc, Server& server,
                                                                               const std::string& bytes) {
    net::ip::tcp::socket sock(ioc);
    co_await sock.async_connect({net::ip::make_address("127.0.0.1"), server.port()}, net::use_awaitable);
    co_await net::async_write(sock, net::buffer(bytes), net::use_awaitable);
    std::string reply;
    auto [ec, n] = co_await net::async_read(sock, net::dynamic_buffer(reply), net::as_tuple(net::use_awaitable));
    (void)n;
    co_return std::pair{ec, reply};
}

}  // namespace

TEST_CASE("server binds an ephemeral port and answers a request from the client") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler());
        CHECK(server.port() != 0);
        server.start();
        Client client(ioc.get_executor(), base_url(server) + "/ignored/base/", fast_options());
        CHECK(client.origin() == "http://127.0.0.1:" + std::to_string(server.port()));

        Request req;
        req.method = "POST";
        req.target = "/api/things/?a=1&b=x%20y";
        req.headers = {{"X-Echo", "hello"}, {"Content-Type", "application/json"}};
        req.body = R"({"name":"thing"})";
        auto res = co_await client.send(req);
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->ok());
        CHECK(res->body == R"({"name":"thing"})");
        CHECK(res->header("content-type") == "application/json");
        CHECK(res->header("x-method") == "POST");
        CHECK(res->header("x-target") == "/api/things/?a=1&b=x%20y");
        CHECK(res->header("x-echo") == "hello");
        CHECK(res->header("x-host") == "127.0.0.1:" + std::to_string(server.port()));
        CHECK(res->header("x-ua") == "netbox-dhcp-sync");

        for (const char* method : {"PUT", "PATCH", "DELETE", "GET"}) {
            Request r;
            r.method = method;
            r.target = "/m";
            auto rr = co_await client.send(r);
            REQUIRE(rr);
            CHECK(rr->header("x-method") == method);
        }
        server.stop();
    });
}

TEST_CASE("sequential requests reuse one keep-alive connection") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        int calls = 0;
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler(&calls));
        server.start();
        Client client(ioc.get_executor(), base_url(server), fast_options());
        for (int i = 0; i < 5; ++i) {
            auto res = co_await client.send(get("/x/" + std::to_string(i)));
            REQUIRE(res);
            CHECK(res->status == 200);
        }
        CHECK(calls == 5);
        CHECK(server.connections_accepted() == 1);
        server.stop();
    });
}

TEST_CASE("concurrent requests on one client use separate connections, then reuse them") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Handler slow = [](Request req) -> net::awaitable<Response> {
            co_await sleep_for(50ms);
            co_return json_response(200, req.target);
        };
        Server server(ioc.get_executor(), "127.0.0.1", 0, slow);
        server.start();
        Client client(ioc.get_executor(), base_url(server), fast_options());

        int finished = 0;
        std::vector<std::string> bodies;
        for (int i = 0; i < 3; ++i) {
            nds::co_spawn_result(ioc, client.send(get("/c/" + std::to_string(i))),
                                 [&](std::exception_ptr e, std::optional<Expected<Response>> res) {
                                     ++finished;
                                     if (!e && res && *res) bodies.push_back((*res)->body);
                                 });
        }
        for (int i = 0; i < 200 && finished < 3; ++i) co_await sleep_for(10ms);
        REQUIRE(finished == 3);
        CHECK(bodies.size() == 3);
        CHECK(server.connections_accepted() == 3);

        // All three went back to the pool: three more concurrent requests open nothing new.
        finished = 0;
        for (int i = 0; i < 3; ++i)
            nds::co_spawn_result(ioc, client.send(get("/d")), [&](std::exception_ptr, std::optional<Expected<Response>>) { ++finished; });
        for (int i = 0; i < 200 && finished < 3; ++i) co_await sleep_for(10ms);
        REQUIRE(finished == 3);
        CHECK(server.connections_accepted() == 3);
        server.stop();
    });
}

TEST_CASE("a handler exception becomes a 500 JSON response") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Handler thrower = [](Request req) -> net::awaitable<Response> {
            if (req.target == "/boom") throw std::runtime_error("database \"exploded\"");
            co_return json_response(200, "{}");
        };
        Server server(ioc.get_executor(), "127.0.0.1", 0, thrower);
        server.start();
        Client client(ioc.get_executor(), base_url(server), fast_options());
        auto res = co_await client.send(get("/boom"));
        REQUIRE(res);
        CHECK(res->status == 500);
        CHECK(res->header("content-type") == "application/json");
        CHECK(res->body == R"({"error": "database \"exploded\""})");
        // The connection survives the exception.
        auto ok = co_await client.send(get("/fine"));
        REQUIRE(ok);
        CHECK(ok->status == 200);
        CHECK(server.connections_accepted() == 1);
        server.stop();
    });
}

TEST_CASE("a request body over the server limit gets 413") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        int calls = 0;
        ServerOptions opts;
        opts.max_body_bytes = 1024;
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler(&calls), opts);
        server.start();
        auto copts = fast_options();
        copts.max_retries = 0;
        Client client(ioc.get_executor(), base_url(server), copts);

        Request big;
        big.method = "POST";
        big.target = "/upload";
        big.body = std::string(4096, 'x');
        auto res = co_await client.send(big);
        REQUIRE(res);
        CHECK(res->status == 413);
        CHECK(res->body.find("1024") != std::string::npos);
        CHECK(calls == 0);

        Request small = big;
        small.body = std::string(1024, 'y');
        auto ok = co_await client.send(small);
        REQUIRE(ok);
        CHECK(ok->status == 200);
        CHECK(ok->body.size() == 1024);
        CHECK(calls == 1);
        server.stop();
    });
}

TEST_CASE("a malformed request gets 400") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler());
        server.start();
        const std::string garbage = "THIS IS NOT HTTP\r\n\r\n";  // named: no temporary inside co_await (GCC 12)
        auto [ec, reply] = co_await raw_exchange(ioc, server, garbage);
        (void)ec;
        CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
        server.stop();
    });
}

TEST_CASE("Transfer-Encoding that does not end in chunked gets 400 and close, even with a Content-Length") {
    // Framed by the Content-Length, "gzip" + CL would let the bytes after the body be served as a second,
    // smuggled request. Each variant: one reply, a 400, and the connection closed (nothing pipelined served).
    const std::vector<std::string> requests = {
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd"
        "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: gzip\r\n\r\nabcd",
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\nabcd",
    };
    for (const auto& request : requests) {
        CAPTURE(request);
        net::io_context ioc;
        int calls = 0;
        run(ioc, [&]() -> net::awaitable<void> {
            Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler(&calls));
            server.start();
            auto [ec, reply] = co_await raw_exchange(ioc, server, request);
            CHECK(ec == net::error::eof);  // closed by the server
            CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
            CHECK(reply.find("HTTP/1.1", 1) == std::string::npos);  // one reply only
            server.stop();
        });
        CHECK(calls == 0);
    }

    // A plain chunked request is still served.
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler());
        server.start();
        const std::string chunked = "POST /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "4\r\nabcd\r\n0\r\n\r\n";
        auto [ec, reply] = co_await raw_exchange(ioc, server, chunked);
        (void)ec;
        CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(reply.find("abcd") != std::string::npos);
        server.stop();
    });
}

TEST_CASE("stop() closes idle keep-alive connections so that run() returns by itself") {
    net::io_context ioc;
    bool finished = false;
    std::unique_ptr<Server> server;
    std::unique_ptr<Client> client;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            server = std::make_unique<Server>(ioc.get_executor(), "127.0.0.1", 0, echo_handler());
            server->start();
            client = std::make_unique<Client>(ioc.get_executor(), base_url(*server), fast_options());
            auto res = co_await client->send(get("/x"));
            CHECK(res);
            // A raw connection that never sends anything (the server waits in its read).
            net::ip::tcp::socket idle(ioc);
            co_await idle.async_connect({net::ip::make_address("127.0.0.1"), server->port()}, net::use_awaitable);
            co_await sleep_for(20ms);
            server->stop();
            finished = true;
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    auto started = std::chrono::steady_clock::now();
    ioc.run_for(5s);
    CHECK(finished);
    CHECK(ioc.stopped());  // ran out of work: nothing left pending
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(server->connections_accepted() == 2);
}

TEST_CASE("a client trickling its header is dropped at header_timeout, long before idle_timeout") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        ServerOptions opts;
        opts.idle_timeout = std::chrono::seconds(30);
        opts.header_timeout = 500ms;
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler(), opts);
        server.start();
        net::ip::tcp::socket sock(ioc);
        co_await sock.async_connect({net::ip::make_address("127.0.0.1"), server.port()}, net::use_awaitable);
        auto started = std::chrono::steady_clock::now();
        // A byte every 100 ms: each read makes progress, the header never ends.
        std::string header = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        co_await net::async_write(sock, net::buffer(header), net::use_awaitable);
        boost::system::error_code ec;
        for (int i = 0; i < 50 && !ec; ++i) {  // at most 5 s
            co_await sleep_for(100ms);
            auto [wec, wn] = co_await net::async_write(sock, net::buffer("a", 1), net::as_tuple(net::use_awaitable));
            (void)wn;
            ec = wec;
        }
        std::string rest;
        auto [rec, rn] = co_await net::async_read(sock, net::dynamic_buffer(rest), net::as_tuple(net::use_awaitable));
        (void)rn;
        auto elapsed = std::chrono::steady_clock::now() - started;
        CHECK((rec == net::error::eof || rec == net::error::connection_reset || ec));
        CHECK(rest.find("HTTP/1.1 200") == std::string::npos);
        CHECK(elapsed >= 400ms);
        CHECK(elapsed < 4s);  // the writes would have gone on for 5 s; idle_timeout is 30 s
        server.stop();
    });
}

TEST_CASE("one client address may hold max_connections_per_address connections, another address is still served") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        ServerOptions opts;
        opts.max_connections = 10;
        opts.max_connections_per_address = 2;
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler(), opts);
        server.start();
        auto connect_from = [&](const char* source) -> net::awaitable<net::ip::tcp::socket> {
            net::ip::tcp::socket sock(ioc, net::ip::tcp::endpoint(net::ip::make_address(source), 0));
            co_await sock.async_connect({net::ip::make_address("127.0.0.1"), server.port()}, net::use_awaitable);
            co_return sock;
        };
        auto exchange = [](net::ip::tcp::socket& sock, std::string bytes) -> net::awaitable<std::string> {
            if (!bytes.empty()) co_await net::async_write(sock, net::buffer(bytes), net::use_awaitable);
            std::string reply;
            auto [ec, n] = co_await net::async_read(sock, net::dynamic_buffer(reply), net::as_tuple(net::use_awaitable));
            (void)ec;
            (void)n;
            co_return reply;
        };
        auto first = co_await connect_from("127.0.0.1");
        auto second = co_await connect_from("127.0.0.1");
        co_await sleep_for(20ms);
        auto third = co_await connect_from("127.0.0.1");
        std::string refused = co_await exchange(third, "");
        CHECK(refused.rfind("HTTP/1.1 503", 0) == 0);
        CHECK(server.connections_refused() == 1);

        auto other = co_await connect_from("127.0.0.2");
        std::string served = co_await exchange(other, "GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        CHECK(served.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(server.connections_refused() == 1);
        server.stop();
    });
}

TEST_CASE("with every ordinary connection taken, reserved connections answer only the reserved paths, once each") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        ServerOptions opts;
        opts.max_connections = 1;
        opts.reserved_connections = 1;
        opts.reserved_paths = {"/healthz"};
        int calls = 0;
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler(&calls), opts);
        server.start();
        auto connect = [&]() -> net::awaitable<net::ip::tcp::socket> {
            net::ip::tcp::socket sock(ioc);
            co_await sock.async_connect({net::ip::make_address("127.0.0.1"), server.port()}, net::use_awaitable);
            co_return sock;
        };
        auto exchange = [](net::ip::tcp::socket& sock, std::string bytes) -> net::awaitable<std::string> {
            if (!bytes.empty()) co_await net::async_write(sock, net::buffer(bytes), net::use_awaitable);
            std::string reply;
            auto [ec, n] = co_await net::async_read(sock, net::dynamic_buffer(reply), net::as_tuple(net::use_awaitable));
            (void)ec;
            (void)n;
            co_return reply;
        };
        auto hog = co_await connect();  // holds the one ordinary connection
        co_await sleep_for(20ms);

        auto probe = co_await connect();  // kept-alive asked for, but a reserved connection serves one request
        std::string health = co_await exchange(probe, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(health.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(health.find("Connection: close") != std::string::npos);
        CHECK(calls == 1);

        co_await sleep_for(20ms);
        auto other = co_await connect();
        std::string busy = co_await exchange(other, "GET /v1/jobs HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(busy.rfind("HTTP/1.1 503", 0) == 0);
        CHECK(calls == 1);  // the handler never saw it

        co_await sleep_for(20ms);
        auto idle_probe = co_await connect();  // takes the reserved connection and sends nothing
        co_await sleep_for(20ms);
        auto beyond = co_await connect();
        std::string refused = co_await exchange(beyond, "");
        CHECK(refused.rfind("HTTP/1.1 503", 0) == 0);
        CHECK(server.connections_refused() == 1);
        server.stop();
    });
}

TEST_CASE("beyond max_connections a new connection gets 503 and is closed, and a freed slot serves again") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        ServerOptions opts;
        opts.max_connections = 2;
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler(), opts);
        server.start();
        auto connect = [&]() -> net::awaitable<net::ip::tcp::socket> {
            net::ip::tcp::socket sock(ioc);
            co_await sock.async_connect({net::ip::make_address("127.0.0.1"), server.port()}, net::use_awaitable);
            co_return sock;
        };
        auto read_all = [](net::ip::tcp::socket& sock) -> net::awaitable<std::string> {
            std::string reply;
            auto [ec, n] = co_await net::async_read(sock, net::dynamic_buffer(reply), net::as_tuple(net::use_awaitable));
            (void)ec;
            (void)n;
            co_return reply;
        };
        // Two idle connections hold both slots.
        auto first = co_await connect();
        auto second = co_await connect();
        co_await sleep_for(20ms);

        auto third = co_await connect();
        std::string refused = co_await read_all(third);  // ends with the server's close
        CHECK(refused.rfind("HTTP/1.1 503", 0) == 0);
        CHECK(refused.find("too many open connections") != std::string::npos);
        CHECK(server.connections_refused() == 1);
        CHECK(server.connections_accepted() == 2);

        first.close();
        co_await sleep_for(50ms);  // the server notices the close and frees the slot
        auto fourth = co_await connect();
        std::string request = "GET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        co_await net::async_write(fourth, net::buffer(request), net::use_awaitable);
        std::string served = co_await read_all(fourth);
        CHECK(served.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(served.find("X-Target: /again") != std::string::npos);
        CHECK(server.connections_refused() == 1);
        server.stop();
    });
}

TEST_CASE("binding a port in use throws std::system_error") {
    net::io_context ioc;
    Server first(ioc.get_executor(), "127.0.0.1", 0, echo_handler());
    CHECK_THROWS_AS(Server(ioc.get_executor(), "127.0.0.1", first.port(), echo_handler()), std::system_error);
    CHECK_THROWS_AS(Server(ioc.get_executor(), "not-an-address", 0, echo_handler()), std::system_error);
}

TEST_CASE("an idle connection is closed after idle_timeout") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        ServerOptions opts;
        opts.idle_timeout = std::chrono::seconds(1);
        Server server(ioc.get_executor(), "127.0.0.1", 0, echo_handler(), opts);
        server.start();
        net::ip::tcp::socket sock(ioc);
        co_await sock.async_connect({net::ip::make_address("127.0.0.1"), server.port()}, net::use_awaitable);
        auto started = std::chrono::steady_clock::now();
        char byte;
        auto [ec, n] = co_await sock.async_read_some(net::buffer(&byte, 1), net::as_tuple(net::use_awaitable));
        auto elapsed = std::chrono::steady_clock::now() - started;
        CHECK(n == 0);
        CHECK(ec == net::error::eof);
        CHECK(elapsed >= 900ms);
        CHECK(elapsed < 3s);
        server.stop();
    });
}
