// Client behaviour against a real Server on 127.0.0.1: retries and backoff, Retry-After, errors that name
// the request, timeouts, the response body limit, stale keep-alive connections, and HTTPS verification
// with a self-signed certificate generated at test time (OpenSSL C API, no external tool).
#include "test_support.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <random>

using namespace nds::http;
using namespace nds::http::test;

namespace {

/// Answers each call with the next status of `script` (the last one repeats), counting calls.
struct Scripted {
    std::vector<unsigned> script;
    std::vector<Headers> headers;  // optional, per step
    int calls = 0;

    explicit Scripted(std::vector<unsigned> s, std::vector<Headers> h = {})
        : script(std::move(s)), headers(std::move(h)) {}

    Handler handler() {
        return [this](Request) -> net::awaitable<Response> {
            std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(calls), script.size() - 1);
            ++calls;
            Response res = json_response(script[i], "{\"call\": " + std::to_string(calls) + "}");
            if (i < headers.size())
                for (auto& h : headers[i]) res.headers.push_back(h);
            co_return res;
        };
    }
};

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

//------------------------------------------------------------------------------
// Self-signed certificate for 127.0.0.1 (EC P-256, SAN IP:127.0.0.1 and DNS:localhost).

struct TempCert {
    std::filesystem::path dir, cert, key;
    TempCert() {
        std::random_device rd;
        dir = std::filesystem::temp_directory_path() / ("nds-http-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(dir);
        cert = dir / "cert.pem";
        key = dir / "key.pem";
        generate();
    }
    ~TempCert() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    TempCert(const TempCert&) = delete;
    TempCert& operator=(const TempCert&) = delete;

private:
    static void add_ext(X509* x, int nid, const char* value) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        REQUIRE(ext != nullptr);
        REQUIRE(X509_add_ext(x, ext, -1) == 1);
        X509_EXTENSION_free(ext);
    }

    void generate() {
        EVP_PKEY* pkey = EVP_EC_gen("P-256");
        REQUIRE(pkey != nullptr);
        X509* x = X509_new();
        REQUIRE(x != nullptr);
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(std::random_device{}() & 0x7fffffff));
        X509_gmtime_adj(X509_getm_notBefore(x), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x), 7 * 24 * 3600);
        X509_set_pubkey(x, pkey);
        X509_NAME* name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("nds-test"), -1,
                                   -1, 0);
        X509_set_issuer_name(x, name);
        add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, NID_key_usage, "critical,digitalSignature,keyCertSign");
        add_ext(x, NID_subject_key_identifier, "hash");
        add_ext(x, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
        REQUIRE(X509_sign(x, pkey, EVP_sha256()) > 0);

        FILE* cf = std::fopen(cert.c_str(), "wb");
        REQUIRE(cf != nullptr);
        PEM_write_X509(cf, x);
        std::fclose(cf);
        FILE* kf = std::fopen(key.c_str(), "wb");
        REQUIRE(kf != nullptr);
        PEM_write_PrivateKey(kf, pkey, nullptr, nullptr, 0, nullptr, nullptr);
        std::fclose(kf);
        X509_free(x);
        EVP_PKEY_free(pkey);
    }
};

}  // namespace

//------------------------------------------------------------------------------

TEST_CASE("503 is retried and the later success is returned") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Scripted s{{503, 503, 200}};
        Server server(ioc.get_executor(), "127.0.0.1", 0, s.handler());
        server.start();
        auto opts = fast_options();
        std::vector<unsigned> attempts;
        opts.on_attempt = [&](const Request& r, unsigned status, std::chrono::steady_clock::duration) {
            CHECK(r.target == "/api/x");
            attempts.push_back(status);
        };
        Client client(ioc.get_executor(), base_url(server), opts);
        auto res = co_await client.send(get("/api/x"));
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->body == "{\"call\": 3}");
        CHECK(s.calls == 3);
        CHECK(attempts == std::vector<unsigned>{503, 503, 200});
        server.stop();
    });
}

TEST_CASE("502 and 504 are retried too") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Scripted s{{502, 504, 201}};
        Server server(ioc.get_executor(), "127.0.0.1", 0, s.handler());
        server.start();
        Client client(ioc.get_executor(), base_url(server), fast_options());
        auto res = co_await client.send(get("/"));
        REQUIRE(res);
        CHECK(res->status == 201);
        CHECK(s.calls == 3);
        server.stop();
    });
}

TEST_CASE("429 with Retry-After: 0 is retried") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Scripted s{{429, 200}, {{{"Retry-After", "0"}}}};
        Server server(ioc.get_executor(), "127.0.0.1", 0, s.handler());
        server.start();
        auto opts = fast_options();
        opts.backoff_initial = 5000ms;  // Retry-After wins over the backoff: 0 s
        opts.backoff_max = 5000ms;
        Client client(ioc.get_executor(), base_url(server), opts);
        auto started = std::chrono::steady_clock::now();
        auto res = co_await client.send(get("/limited"));
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(s.calls == 2);
        CHECK(std::chrono::steady_clock::now() - started < 2000ms);
        server.stop();
    });
}

TEST_CASE("Retry-After is capped at backoff_max") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Scripted s{{429, 200}, {{{"Retry-After", "120"}}}};
        Server server(ioc.get_executor(), "127.0.0.1", 0, s.handler());
        server.start();
        auto opts = fast_options();
        opts.backoff_max = 50ms;
        Client client(ioc.get_executor(), base_url(server), opts);
        auto started = std::chrono::steady_clock::now();
        auto res = co_await client.send(get("/limited"));
        auto elapsed = std::chrono::steady_clock::now() - started;
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(elapsed >= 50ms);
        CHECK(elapsed < 2000ms);
        server.stop();
    });
}

TEST_CASE("404 and other 4xx/5xx are returned without retry") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        for (unsigned status : {404u, 400u, 409u, 500u}) {
            Scripted s{{status, 200}};
            Server server(ioc.get_executor(), "127.0.0.1", 0, s.handler());
            server.start();
            Client client(ioc.get_executor(), base_url(server), fast_options());
            auto res = co_await client.send(get("/missing"));
            REQUIRE(res);
            CHECK(res->status == status);
            CHECK_FALSE(res->ok());
            CHECK(s.calls == 1);
            server.stop();
        }
    });
}

TEST_CASE("when max_retries is exhausted the last 503 response is returned") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        Scripted s{{503}};
        Server server(ioc.get_executor(), "127.0.0.1", 0, s.handler());
        server.start();
        auto opts = fast_options();
        opts.max_retries = 2;
        int attempts = 0;
        opts.on_attempt = [&](const Request&, unsigned, std::chrono::steady_clock::duration) { ++attempts; };
        Client client(ioc.get_executor(), base_url(server), opts);
        auto res = co_await client.send(get("/busy"));
        REQUIRE(res);
        CHECK(res->status == 503);
        CHECK(res->body == "{\"call\": 3}");
        CHECK(s.calls == 3);
        CHECK(attempts == 3);
        server.stop();
    });
}

TEST_CASE("connection refused is an Error after the retries, naming method, URL and cause") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        auto port = refused_port();
        auto opts = fast_options();
        std::vector<unsigned> attempts;
        opts.on_attempt = [&](const Request&, unsigned status, std::chrono::steady_clock::duration) {
            attempts.push_back(status);
        };
        Client client(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(port), opts);
        auto res = co_await client.send(get("/api/x"));
        REQUIRE_FALSE(res);
        CHECK(res.error().http_status == 0);
        CHECK(res.error().message ==
              "GET http://127.0.0.1:" + std::to_string(port) + "/api/x: connection refused (after 4 attempts)");
        CHECK(attempts == std::vector<unsigned>{0, 0, 0, 0});
    });
}

TEST_CASE("a slow response times out and is an Error") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        int calls = 0;
        Handler slow = [&calls](Request) -> net::awaitable<Response> {
            ++calls;
            co_await sleep_for(300ms);
            co_return json_response(200, "{}");
        };
        Server server(ioc.get_executor(), "127.0.0.1", 0, slow);
        server.start();
        auto opts = fast_options();
        opts.timeout = 100ms;
        opts.max_retries = 1;
        Client client(ioc.get_executor(), base_url(server), opts);
        auto started = std::chrono::steady_clock::now();
        auto res = co_await client.send(get("/slow"));
        auto elapsed = std::chrono::steady_clock::now() - started;
        REQUIRE_FALSE(res);
        CHECK(contains(res.error().message, "GET http://127.0.0.1:"));
        CHECK(contains(res.error().message, "/slow: timed out after 100 ms (after 2 attempts)"));
        CHECK(calls == 2);
        CHECK(elapsed >= 200ms);
        CHECK(elapsed < 1000ms);
        server.stop();
    });
}

TEST_CASE("a response body over max_body_bytes is an Error naming the limit, not retried") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        int calls = 0;
        Handler big = [&calls](Request) -> net::awaitable<Response> {
            ++calls;
            co_return json_response(200, std::string(10000, 'x'));
        };
        Server server(ioc.get_executor(), "127.0.0.1", 0, big);
        server.start();
        auto opts = fast_options();
        opts.max_body_bytes = 1000;
        Client client(ioc.get_executor(), base_url(server), opts);
        auto res = co_await client.send(get("/big"));
        REQUIRE_FALSE(res);
        CHECK(contains(res.error().message, "/big: response body exceeds the limit of 1000 bytes"));
        CHECK(calls == 1);

        opts.max_body_bytes = 10000;
        Client roomy(ioc.get_executor(), base_url(server), opts);
        auto ok = co_await roomy.send(get("/big"));
        REQUIRE(ok);
        CHECK(ok->body.size() == 10000);
        server.stop();
    });
}

TEST_CASE("a pooled connection closed by the server is replaced without counting as a retry") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        int calls = 0;
        Handler h = [&calls](Request) -> net::awaitable<Response> {
            ++calls;
            co_return json_response(200, "{}");
        };
        auto first = std::make_unique<Server>(ioc.get_executor(), "127.0.0.1", 0, h);
        auto port = first->port();
        first->start();
        auto opts = fast_options();
        opts.max_retries = 0;
        int attempts = 0;
        opts.on_attempt = [&](const Request&, unsigned, std::chrono::steady_clock::duration) { ++attempts; };
        Client client(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(port), opts);
        auto a = co_await client.send(get("/one"));
        REQUIRE(a);

        // The server goes away (closing the kept-alive connection) and comes back on the same port.
        first->stop();
        first.reset();
        co_await sleep_for(20ms);
        Server second(ioc.get_executor(), "127.0.0.1", port, h);
        second.start();

        auto b = co_await client.send(get("/two"));
        REQUIRE(b);
        CHECK(b->status == 200);
        CHECK(calls == 2);
        CHECK(attempts == 2);
        CHECK(second.connections_accepted() == 1);
        second.stop();
    });
}

TEST_CASE("a bad base URL is rejected at construction") {
    net::io_context ioc;
    CHECK_THROWS_AS(Client(ioc.get_executor(), "ftp://x/", {}), std::invalid_argument);
    ClientOptions opts;
    opts.ca_file = "/nonexistent/ca.pem";
    CHECK_THROWS_AS(Client(ioc.get_executor(), "https://127.0.0.1:1/", opts), std::runtime_error);
}

//------------------------------------------------------------------------------

TEST_CASE("HTTPS: a self-signed server is trusted only with its CA, or with verification off") {
    TempCert cert;
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        ServerOptions sopts;
        sopts.tls_cert_file = cert.cert.string();
        sopts.tls_key_file = cert.key.string();
        int calls = 0;
        Handler h = [&calls](Request req) -> net::awaitable<Response> {
            ++calls;
            co_return json_response(200, "{\"target\": \"" + req.target + "\"}");
        };
        Server server(ioc.get_executor(), "127.0.0.1", 0, h, sopts);
        server.start();
        const auto url = base_url(server, "https");


        {
            auto opts = fast_options();
            opts.ca_file = cert.cert.string();
            Client trusted(ioc.get_executor(), url, opts);
            auto res = co_await trusted.send(get("/secure"));
            REQUIRE_MESSAGE(res, (res ? "" : res.error().message));
            CHECK(res->status == 200);
            CHECK(res->body == "{\"target\": \"/secure\"}");
            auto again = co_await trusted.send(get("/again"));  // keep-alive over TLS
            REQUIRE(again);
            CHECK(server.connections_accepted() == 1);
        }
        {
            int attempts = 0;
            auto opts = fast_options();
            opts.on_attempt = [&](const Request&, unsigned, std::chrono::steady_clock::duration) { ++attempts; };
            Client strict(ioc.get_executor(), url, opts);  // system store only
            auto res = co_await strict.send(get("/secure"));
            REQUIRE_FALSE(res);
            CHECK(res.error().http_status == 0);
            CHECK(contains(res.error().message, "GET " + url + "/secure: TLS certificate verification failed"));
            CHECK(attempts == 1);  // verification failures are not retried
        }
        {
            auto opts = fast_options();
            opts.verify_tls = false;
            Client lax(ioc.get_executor(), url, opts);
            auto res = co_await lax.send(get("/lax"));
            REQUIRE_MESSAGE(res, (res ? "" : res.error().message));
            CHECK(res->status == 200);
        }
        {
            // A certificate for 127.0.0.1 does not match another name, even with the CA trusted.
            auto opts = fast_options();
            opts.ca_file = cert.cert.string();
            Client wrong_name(ioc.get_executor(), "https://localhost:" + std::to_string(server.port()), opts);
            auto res = co_await wrong_name.send(get("/name"));
            // "localhost" is in the SAN: this one must succeed (name checked against DNS SAN).
            CHECK_MESSAGE(res, (res ? "" : res.error().message));
        }
        CHECK(calls == 4);
        server.stop();
    });
}

TEST_CASE("HTTPS: a plain-HTTP client against the TLS server gets no valid response") {
    TempCert cert;
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        ServerOptions sopts;
        sopts.tls_cert_file = cert.cert.string();
        sopts.tls_key_file = cert.key.string();
        Server server(ioc.get_executor(), "127.0.0.1", 0, [](Request) -> net::awaitable<Response> {
            co_return json_response(200, "{}");
        }, sopts);
        server.start();
        auto opts = fast_options();
        opts.max_retries = 0;
        opts.timeout = 500ms;
        Client plain(ioc.get_executor(), base_url(server, "http"), opts);
        auto res = co_await plain.send(get("/"));
        CHECK_FALSE(res);
        server.stop();
    });
}

TEST_CASE("server with a missing TLS key file throws at construction") {
    net::io_context ioc;
    ServerOptions sopts;
    sopts.tls_cert_file = "/nonexistent/cert.pem";
    sopts.tls_key_file = "/nonexistent/key.pem";
    CHECK_THROWS_AS(Server(ioc.get_executor(), "127.0.0.1", 0,
                           [](Request) -> net::awaitable<Response> { co_return json_response(200, "{}"); }, sopts),
                    std::runtime_error);
}

TEST_CASE("a POST that timed out after it was sent is not replayed, a GET is") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        int calls = 0;
        Handler slow = [&calls](Request) -> net::awaitable<Response> {
            ++calls;
            co_await sleep_for(300ms);
            co_return json_response(201, "{}");
        };
        Server server(ioc.get_executor(), "127.0.0.1", 0, slow);
        server.start();
        auto opts = fast_options();
        opts.timeout = 100ms;
        opts.max_retries = 2;
        Client client(ioc.get_executor(), base_url(server), opts);
        Request post = get("/create");
        post.method = "POST";
        post.body = "{}";
        auto res = co_await client.send(post);
        REQUIRE_FALSE(res);
        CHECK(contains(res.error().message, "timed out after 100 ms"));
        CHECK(contains(res.error().message, "not retried"));
        CHECK(calls == 1);
        calls = 0;
        auto read = co_await client.send(get("/read"));
        REQUIRE_FALSE(read);
        CHECK(calls == 3);
        server.stop();
    });
}

TEST_CASE("a POST is retried on 429 and 503 (not applied) but not on 502/504 (maybe applied)") {
    net::io_context ioc;
    run(ioc, [&]() -> net::awaitable<void> {
        for (auto [first, retried] : {std::pair{429u, true}, std::pair{503u, true}, std::pair{502u, false},
                                      std::pair{504u, false}}) {
            Scripted s{{first, 201}};
            Server server(ioc.get_executor(), "127.0.0.1", 0, s.handler());
            server.start();
            Client client(ioc.get_executor(), base_url(server), fast_options());
            Request post = get("/create");
            post.method = "POST";
            post.body = "{}";
            auto res = co_await client.send(post);
            REQUIRE(res);
            CHECK(res->status == (retried ? 201u : first));
            CHECK(s.calls == (retried ? 2 : 1));
            server.stop();
        }
    });
}
