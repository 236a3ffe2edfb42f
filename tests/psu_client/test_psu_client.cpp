// PsuClient against an in-process HTTP server on 127.0.0.1 (nds::http::Server, port 0): paths, headers,
// bodies, status handling.
#include "psu_client/psu_client.hpp"

#include "http/http_server.hpp"
#include "http/url.hpp"

#include <boost/asio/co_spawn.hpp>
#include "util/async.hpp"
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using nds::http::Request;
using nds::http::Response;
using nds::http::Target;
using nds::psu::PsuClient;
using nds::psu::PsuOptions;

namespace {

struct Fixture {
    asio::io_context io;
    std::vector<Request> requests;
    std::function<Response(const Request&)> reply;
    nds::http::Server server;

    Fixture()
        : server(io.get_executor(), "127.0.0.1", 0, [this](Request r) -> asio::awaitable<Response> {
              requests.push_back(r);
              co_return reply(requests.back());
          }) {
        server.start();
    }

    PsuClient client(std::string token = "  app-token \n") {
        PsuOptions o;
        o.server_name = "dhcp01";
        o.base_url = "http://127.0.0.1:" + std::to_string(server.port());
        o.token = std::move(token);
        o.http.max_retries = 0;
        return PsuClient(io.get_executor(), o);
    }

    template <class T>
    T run(std::function<asio::awaitable<T>()> body) {
        std::optional<T> result;
        std::exception_ptr error;
        nds::co_spawn_result(io, body(), [&](std::exception_ptr e, std::optional<T> value) {
            if (e) error = e;
            else result = std::move(value);
            io.stop();
        });
        io.run();
        io.restart();
        if (error) std::rethrow_exception(error);
        return std::move(*result);
    }
};

nds::engine::Ipv4Address ip(const char* text) { return *nds::engine::Ipv4Address::parse(text); }

}  // namespace

TEST_CASE("reads: paths, query, bearer token, tolerant lists") {
    Fixture f;
    f.reply = [](const Request& r) {
        auto t = Target::parse(r.target);
        if (t.path == "/api/dhcp/health") return nds::http::json_response(200, R"({"status":"ok","version":"1.0.2"})");
        if (t.path == "/api/dhcp/leases")  // a lone object, as ConvertTo-Json writes a one-element array
            return nds::http::json_response(200, R"({"ip_address":"10.0.1.5","client_id":"AA-BB-CC-DD-EE-FF","hostname":"pc"})");
        if (t.path == "/api/dhcp/reservations") return nds::http::json_response(200, "null");
        return nds::http::json_response(200, R"([{"scope_id":"10.0.1.0","start_ip":"10.0.1.10","end_ip":"10.0.1.20",
            "subnet_mask":"255.255.255.0","state":"Active","lease_duration_seconds":86400,"router":null,"failover_name":null}])");
    };
    auto client = f.client();
    auto health = f.run<nds::Expected<nds::psu::Health>>([&]() { return client.health(); });
    REQUIRE(health);
    CHECK(health->version == "1.0.2");
    auto leases = f.run<nds::Expected<nds::psu::ParsedList<nds::engine::DhcpLease>>>(
        [&]() { return client.list_leases(ip("10.0.1.0")); });
    REQUIRE(leases);
    REQUIRE(leases->items.size() == 1);
    CHECK(leases->items[0].client_id == "aa-bb-cc-dd-ee-ff");
    auto reservations = f.run<nds::Expected<nds::psu::ParsedList<nds::engine::DhcpReservation>>>(
        [&]() { return client.list_reservations(ip("10.0.1.0")); });
    REQUIRE(reservations);
    CHECK(reservations->items.empty());
    auto scopes = f.run<nds::Expected<nds::psu::ParsedList<nds::engine::DhcpScope>>>([&]() { return client.list_scopes(true); });
    REQUIRE(scopes);
    CHECK(scopes->items.size() == 1);

    REQUIRE(f.requests.size() == 4);
    CHECK(f.requests[0].target == "/api/dhcp/health");
    CHECK(f.requests[0].header("Authorization") == "Bearer app-token");
    CHECK(f.requests[0].header("Accept") == "application/json");
    CHECK(f.requests[1].target == "/api/dhcp/leases?scope_id=10.0.1.0");
    CHECK(f.requests[2].target == "/api/dhcp/reservations?scope_id=10.0.1.0");
    CHECK(f.requests[3].target == "/api/dhcp/scopes?active_only=true");
}

TEST_CASE("non-2xx is an Error with method, URL, status and body text") {
    Fixture f;
    f.reply = [](const Request&) { return nds::http::json_response(500, R"({"error":"Failed to get leases: RPC server unavailable"})"); };
    auto client = f.client("");
    auto leases = f.run<nds::Expected<nds::psu::ParsedList<nds::engine::DhcpLease>>>(
        [&]() { return client.list_leases(ip("10.0.1.0")); });
    REQUIRE_FALSE(leases);
    CHECK(leases.error().http_status == 500);
    CHECK(leases.error().message.find("GET http://127.0.0.1:") == 0);
    CHECK(leases.error().message.find("/api/dhcp/leases?scope_id=10.0.1.0 returned HTTP 500: "
                                      R"({"error":"Failed to get leases: RPC server unavailable"})") != std::string::npos);
    CHECK(f.requests.at(0).header("Authorization").empty());  // no token: no header
}

TEST_CASE("a 200 with an HTML page is an Error naming the server and endpoint") {
    Fixture f;
    f.reply = [](const Request&) {
        Response r;
        r.status = 200;
        r.body = "<html><body>Sign in</body></html>";
        return r;
    };
    auto client = f.client();
    auto scopes = f.run<nds::Expected<nds::psu::ParsedList<nds::engine::DhcpScope>>>([&]() { return client.list_scopes(false); });
    REQUIRE_FALSE(scopes);
    CHECK(scopes.error().message.find("dhcp01") == 0);
    CHECK(scopes.error().message.find("/api/dhcp/scopes") != std::string::npos);
    CHECK(f.requests.at(0).target == "/api/dhcp/scopes");
}

TEST_CASE("writes: bodies, 204, JSON required on other 2xx") {
    Fixture f;
    f.reply = [](const Request& r) {
        if (r.method == "DELETE") {
            Response res;
            res.status = 204;
            return res;
        }
        if (r.method == "PUT" && r.target.find("reservations") != std::string::npos) {
            Response res;
            res.status = 200;
            res.body = "not json";
            return res;
        }
        return nds::http::json_response(r.method == "POST" ? 201 : 200, r.body);
    };
    auto client = f.client();
    nds::engine::DhcpReservation res;
    res.ip = ip("10.0.1.50");
    res.client_id = "aa-bb-cc-dd-ee-01";
    res.name = "printer";
    auto created = f.run<nds::Expected<nds::Done>>([&]() { return client.create_reservation(ip("10.0.1.0"), res); });
    CHECK(created);
    auto deleted = f.run<nds::Expected<nds::Done>>([&]() { return client.delete_reservation("aa-bb-cc-dd-ee-01"); });
    CHECK(deleted);
    nds::engine::DhcpExclusion ex{ip("10.0.1.20"), ip("10.0.1.30")};
    auto excl = f.run<nds::Expected<nds::Done>>([&]() { return client.delete_exclusion(ip("10.0.1.0"), ex); });
    CHECK(excl);
    nds::engine::DhcpScope scope;
    scope.scope_id = ip("10.0.1.0");
    scope.name = "A";
    auto updated = f.run<nds::Expected<nds::Done>>([&]() { return client.update_scope(scope); });
    CHECK(updated);
    auto bad = f.run<nds::Expected<nds::Done>>([&]() { return client.update_reservation(res); });
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("invalid JSON") != std::string::npos);

    REQUIRE(f.requests.size() == 5);
    CHECK(f.requests[0].method == "POST");
    CHECK(f.requests[0].target == "/api/dhcp/reservations");
    CHECK(f.requests[0].header("Content-Type") == "application/json");
    CHECK(f.requests[0].body.find(R"("scope_id":"10.0.1.0")") != std::string::npos);
    CHECK(f.requests[1].method == "DELETE");
    CHECK(f.requests[1].target == "/api/dhcp/reservations/aa-bb-cc-dd-ee-01");
    CHECK(f.requests[2].method == "DELETE");
    CHECK(f.requests[2].target == "/api/dhcp/exclusions");
    CHECK(f.requests[2].body == R"({"scope_id":"10.0.1.0","start_ip":"10.0.1.20","end_ip":"10.0.1.30"})");
    CHECK(f.requests[3].method == "PUT");
    CHECK(f.requests[3].target == "/api/dhcp/scopes/10.0.1.0");
    CHECK(f.requests[3].body.find(R"("router":"")") != std::string::npos);
    CHECK(f.requests[4].target == "/api/dhcp/reservations/aa-bb-cc-dd-ee-01");
}
