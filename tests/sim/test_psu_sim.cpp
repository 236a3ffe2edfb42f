// The PSU simulator answers like the plugin's endpoint script 1.0.2 by default, defects included (four
// writes that always fail, max_response_delay read as 0, ineffective IPv4 checks, client-id lookups across
// every scope), and like a corrected script with `script: "fixed"`. The daemon's tests lean on both modes,
// so each behaviour is checked here over HTTP against the real process.
#include "tests/support/child_process.hpp"
#include "tests/support/simulator.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace nds::testing;
namespace json = boost::json;

namespace {

constexpr const char* kWriter = "writer-token";
constexpr const char* kReader = "reader-token";

json::object scope(const std::string& id, const std::string& name, const std::string& start, const std::string& end) {
    return {{"scope_id", id}, {"name", name}, {"start_ip", start}, {"end_ip", end}, {"subnet_mask", "255.255.255.0"},
            {"router", id.substr(0, id.size() - 1) + "1"}};
}

json::object reservation(const std::string& ip, const std::string& client_id, const std::string& name) {
    return {{"ip_address", ip}, {"client_id", client_id}, {"name", name}, {"description", ""}, {"type", "Dhcp"}};
}

struct Reply {
    unsigned status;
    json::value body;  ///< null for an empty body
    std::string text;
};

class PsuSimFixture {
public:
    explicit PsuSimFixture(std::vector<std::string> extra_args = {}) : sim_(NDS_PSU_SIM, args(std::move(extra_args))) {
        // Two scopes; the same client id is reserved in both (Windows allows it), the later scope seeded first.
        sim_.seed(json::object{
            {"scopes", json::array{scope("10.0.1.0", "A", "10.0.1.10", "10.0.1.200"),
                                   scope("10.0.2.0", "B", "10.0.2.10", "10.0.2.200")}},
            {"reservations", json::array{reservation("10.0.2.50", "aa-bb-cc-dd-ee-ff", "in-b"),
                                         reservation("10.0.1.50", "aa-bb-cc-dd-ee-ff", "in-a"),
                                         reservation("10.0.1.51", "aa-bb-cc-00-00-51", "solo")}},
            {"leases", json::array{json::object{{"ip_address", "10.0.1.20"}, {"client_id", "00-15-5d-0a-01-02"},
                                                {"hostname", "pc1"}, {"lease_expiry", "2026-12-01T00:00:00Z"}}}},
            {"exclusions", json::array{json::object{{"scope_id", "10.0.1.0"}, {"start_ip", "10.0.1.10"}, {"end_ip", "10.0.1.19"}}}},
            {"failovers", json::array{json::object{{"name", "FO"}, {"secondary_server", "dhcp02"}, {"mode", "HotStandby"},
                                                   {"scope_ids", json::array{"10.0.1.0"}}, {"max_response_delay", 45}}}}});
    }

    Reply call(const std::string& method, const std::string& target, const json::value& body = nullptr,
               const std::string& token = kWriter) {
        nds::http::Headers headers;
        if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
        auto response = http_call(sim_.port(), method, target, body.is_null() ? "" : json::serialize(body), headers);
        Reply reply{response.status, nullptr, response.body};
        if (!response.body.empty()) reply.body = json::parse(response.body);
        return reply;
    }

    void use_script(const char* script) { sim_.post("/_sim/config", json::object{{"script", script}}); }

    /// The reservations of the simulator's state as "ip client_id name" lines.
    std::vector<std::string> reservations() {
        std::vector<std::string> out;
        auto state = sim_.state();
        for (const auto& r : state.at("reservations").as_array())
            out.push_back(std::string(r.at("ip_address").as_string()) + " " + std::string(r.at("client_id").as_string()) +
                          " " + std::string(r.at("name").as_string()));
        return out;
    }

    std::size_t count(const char* collection) { return sim_.state().at(collection).as_array().size(); }

    Simulator& sim() { return sim_; }

private:
    static std::vector<std::string> args(std::vector<std::string> extra) {
        std::vector<std::string> out{"--token", kWriter, "--reader-token", kReader};
        out.insert(out.end(), extra.begin(), extra.end());
        return out;
    }

    Simulator sim_;
};

std::string error_of(const Reply& reply) {
    REQUIRE(reply.body.is_object());
    return std::string(reply.body.at("error").as_string());
}

const json::object kExclusion{{"scope_id", "10.0.1.0"}, {"start_ip", "10.0.1.10"}, {"end_ip", "10.0.1.19"}};
const json::object kNewScope{{"scope_id", "10.0.3.0"}, {"name", "C"}, {"start_ip", "10.0.3.10"},
                             {"end_ip", "10.0.3.200"}, {"subnet_mask", "255.255.255.0"}};
const json::object kNewFailover{{"name", "FO-2"}, {"secondary_server", "dhcp02"}, {"scope_ids", json::array{"10.0.2.0"}},
                                {"mode", "LoadBalance"}, {"max_response_delay", 60}};

}  // namespace

TEST_CASE("psu sim: script 1.0.2 is the default and /_sim/config switches to the fixed script") {
    PsuSimFixture f;
    CHECK(f.sim().get("/_sim/config").at("script").as_string() == "1.0.2");
    f.use_script("fixed");
    CHECK(f.sim().get("/_sim/config").at("script").as_string() == "fixed");
    auto bad = http_call(f.sim().port(), "POST", "/_sim/config", R"({"script":"2.0"})");
    CHECK(bad.status == 400);
    CHECK(f.sim().get("/_sim/config").at("script").as_string() == "fixed");
}

TEST_CASE("psu sim: --script fixed starts with the fixed script, a bad --script is a usage error") {
    PsuSimFixture f({"--script", "fixed"});
    CHECK(f.sim().get("/_sim/config").at("script").as_string() == "fixed");
    auto result = run_program(NDS_PSU_SIM, {"--port", "0", "--token", "t", "--script", "1.0.3"}, {}, std::chrono::seconds(20));
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("--script") != std::string::npos);
}

TEST_CASE("psu sim: DELETE /reservations/:client_id fails with the binding error on 1.0.2 and works when fixed") {
    PsuSimFixture f;
    auto reply = f.call("DELETE", "/api/dhcp/reservations/aa-bb-cc-00-00-51");
    CHECK(reply.status == 500);
    CHECK(error_of(reply) == "A parameter cannot be found that matches parameter name 'Force'.");
    CHECK(f.count("reservations") == 3);
    // The lookup comes first: an unknown client id is still a 404.
    reply = f.call("DELETE", "/api/dhcp/reservations/00-00-00-00-00-00");
    CHECK(reply.status == 404);
    CHECK(error_of(reply) == "Reservation with client_id '00-00-00-00-00-00' not found.");

    f.use_script("fixed");
    reply = f.call("DELETE", "/api/dhcp/reservations/aa-bb-cc-00-00-51");
    CHECK(reply.status == 204);
    CHECK(reply.text.empty());
    CHECK(f.count("reservations") == 2);
}

TEST_CASE("psu sim: DELETE /exclusions fails with the binding error on 1.0.2 and works when fixed") {
    PsuSimFixture f;
    auto reply = f.call("DELETE", "/api/dhcp/exclusions", kExclusion);
    CHECK(reply.status == 500);
    CHECK(error_of(reply) == "A parameter cannot be found that matches parameter name 'Force'.");
    CHECK(f.count("exclusions") == 1);
    // The required-fields check still comes first.
    reply = f.call("DELETE", "/api/dhcp/exclusions", json::object{{"scope_id", "10.0.1.0"}});
    CHECK(reply.status == 400);
    CHECK(error_of(reply) == "scope_id, start_ip, and end_ip are required.");

    f.use_script("fixed");
    reply = f.call("DELETE", "/api/dhcp/exclusions", kExclusion);
    CHECK(reply.status == 204);
    CHECK(f.count("exclusions") == 0);
    reply = f.call("DELETE", "/api/dhcp/exclusions", kExclusion);
    CHECK(reply.status == 500);  // absent now
}

TEST_CASE("psu sim: POST /scopes fails with the binding error on 1.0.2 and creates nothing, works when fixed") {
    PsuSimFixture f;
    auto reply = f.call("POST", "/api/dhcp/scopes", kNewScope);
    CHECK(reply.status == 500);
    CHECK(error_of(reply) == "A parameter cannot be found that matches parameter name 'ScopeId'.");
    CHECK(f.count("scopes") == 2);
    reply = f.call("POST", "/api/dhcp/scopes", json::object{{"scope_id", "10.0.3.0"}});
    CHECK(reply.status == 400);
    CHECK(error_of(reply) == "scope_id, start_ip, end_ip, and subnet_mask are required.");
    // Its exclusion ranges then fail too: the scope does not exist.
    reply = f.call("POST", "/api/dhcp/exclusions",
                   json::object{{"scope_id", "10.0.3.0"}, {"start_ip", "10.0.3.10"}, {"end_ip", "10.0.3.19"}});
    CHECK(reply.status == 500);

    f.use_script("fixed");
    reply = f.call("POST", "/api/dhcp/scopes", kNewScope);
    CHECK(reply.status == 201);
    CHECK(reply.body.at("scope_id").as_string() == "10.0.3.0");
    CHECK(f.count("scopes") == 3);
}

TEST_CASE("psu sim: POST /failover fails with the binding error on 1.0.2, works when fixed") {
    PsuSimFixture f;
    auto reply = f.call("POST", "/api/dhcp/failover", kNewFailover);
    CHECK(reply.status == 500);
    CHECK(error_of(reply) == "A parameter cannot be found that matches parameter name 'MaxResponseDelay'.");
    CHECK(f.count("failovers") == 1);
    reply = f.call("POST", "/api/dhcp/failover", json::object{{"name", "FO-2"}});
    CHECK(reply.status == 400);

    f.use_script("fixed");
    reply = f.call("POST", "/api/dhcp/failover", kNewFailover);
    CHECK(reply.status == 201);
    CHECK(reply.body.at("max_response_delay").to_number<int>() == 60);
    CHECK(f.count("failovers") == 2);
}

TEST_CASE("psu sim: GET /failover reports max_response_delay 0 on 1.0.2, the stored value when fixed") {
    PsuSimFixture f;
    auto reply = f.call("GET", "/api/dhcp/failover");
    REQUIRE(reply.status == 200);
    REQUIRE(reply.body.as_array().size() == 1);
    CHECK(reply.body.at(0).at("max_response_delay").to_number<int>() == 0);
    // The control API shows what the server holds.
    CHECK(f.sim().state().at("failovers").at(0).at("max_response_delay").to_number<int>() == 45);

    f.use_script("fixed");
    reply = f.call("GET", "/api/dhcp/failover");
    CHECK(reply.body.at(0).at("max_response_delay").to_number<int>() == 45);
}

TEST_CASE("psu sim: PUT /reservations/:client_id changes the first match in scope order, ignoring scope_id and case") {
    PsuSimFixture f;
    auto reply = f.call("PUT", "/api/dhcp/reservations/AA-BB-CC-DD-EE-FF?scope_id=10.0.2.0",
                        json::object{{"scope_id", "10.0.2.0"}, {"name", "renamed"}});
    REQUIRE(reply.status == 200);
    CHECK(reply.body.at("ip_address").as_string() == "10.0.1.50");
    CHECK(reply.body.at("name").as_string() == "renamed");
    CHECK(f.reservations() == std::vector<std::string>{"10.0.1.50 aa-bb-cc-dd-ee-ff renamed",
                                                       "10.0.1.51 aa-bb-cc-00-00-51 solo",
                                                       "10.0.2.50 aa-bb-cc-dd-ee-ff in-b"});
    // Exact compare: another notation of the same MAC is not found (the lookup does not normalise).
    reply = f.call("PUT", "/api/dhcp/reservations/aa:bb:cc:dd:ee:ff", json::object{{"name", "x"}});
    CHECK(reply.status == 404);
    CHECK(error_of(reply) == "Reservation with client_id 'aa:bb:cc:dd:ee:ff' not found.");
}

TEST_CASE("psu sim: DELETE /reservations/:client_id (fixed script) removes the first match in scope order only") {
    PsuSimFixture f({"--script", "fixed"});
    auto reply = f.call("DELETE", "/api/dhcp/reservations/aa-BB-cc-DD-ee-FF?scope_id=10.0.2.0");
    CHECK(reply.status == 204);
    CHECK(f.reservations() == std::vector<std::string>{"10.0.1.51 aa-bb-cc-00-00-51 solo", "10.0.2.50 aa-bb-cc-dd-ee-ff in-b"});
    // The next delete finds the one left in the other scope.
    CHECK(f.call("DELETE", "/api/dhcp/reservations/aa-bb-cc-dd-ee-ff").status == 204);
    CHECK(f.reservations() == std::vector<std::string>{"10.0.1.51 aa-bb-cc-00-00-51 solo"});
}

TEST_CASE("psu sim: POST /reservations stores the client id lowercased, non-hex stripped, pairs joined with '-'") {
    PsuSimFixture f;
    struct Case {
        const char* ip;
        const char* sent;
        const char* stored;
    };
    for (const Case& c : {Case{"10.0.2.60", "01:00:15:5D:0A:01:02", "01-00-15-5d-0a-01-02"},
                          Case{"10.0.2.61", "AABB.CCDD.EE01", "aa-bb-cc-dd-ee-01"},
                          Case{"10.0.2.62", "AA BB CC DD EE 02", "aa-bb-cc-dd-ee-02"},
                          Case{"10.0.2.63", "aabbccddee03", "aa-bb-cc-dd-ee-03"},
                          Case{"10.0.2.64", "ff-00-11-22-33-44-55-66-77", "ff-00-11-22-33-44-55-66-77"},
                          Case{"10.0.2.65", "ABC", "ab-c"}}) {
        CAPTURE(c.sent);
        auto reply = f.call("POST", "/api/dhcp/reservations",
                            json::object{{"scope_id", "10.0.2.0"}, {"ip_address", c.ip}, {"client_id", c.sent}});
        REQUIRE(reply.status == 201);
        CHECK(reply.body.at("client_id").as_string() == c.stored);
    }
    // Windows then reports the stored form.
    auto list = f.call("GET", "/api/dhcp/reservations?scope_id=10.0.2.0");
    REQUIRE(list.status == 200);
    bool seen = false;
    for (const auto& r : list.body.as_array())
        seen = seen || (r.at("ip_address").as_string() == "10.0.2.60" && r.at("client_id").as_string() == "01-00-15-5d-0a-01-02");
    CHECK(seen);
    // A client id with no hex digit at all is refused by the cmdlet.
    auto reply = f.call("POST", "/api/dhcp/reservations",
                        json::object{{"scope_id", "10.0.2.0"}, {"ip_address", "10.0.2.66"}, {"client_id", "zz:zz"}});
    CHECK(reply.status == 500);
}

TEST_CASE("psu sim: the same client id may be reserved in several scopes, not twice in one scope") {
    PsuSimFixture f;
    auto create = [&](const char* scope_id, const char* ip) {
        return f.call("POST", "/api/dhcp/reservations",
                      json::object{{"scope_id", scope_id}, {"ip_address", ip}, {"client_id", "00:11:22:33:44:55"}});
    };
    CHECK(create("10.0.1.0", "10.0.1.70").status == 201);
    CHECK(create("10.0.2.0", "10.0.2.70").status == 201);
    auto again = create("10.0.2.0", "10.0.2.71");
    CHECK(again.status == 500);
    CHECK(f.count("reservations") == 5);
}

TEST_CASE("psu sim: health, writer and reader tokens") {
    PsuSimFixture f;
    auto get = f.call("GET", "/api/dhcp/health");
    CHECK(get.status == 200);
    CHECK(get.text == R"({"status":"ok","version":"1.0.2"})");
    CHECK(f.call("GET", "/api/dhcp/health", nullptr, kReader).status == 200);
    // POST /health is the plugin's check that the token may write.
    auto post = f.call("POST", "/api/dhcp/health", json::object{});
    CHECK(post.status == 200);
    CHECK(post.text == R"({"status":"ok"})");
    CHECK(f.call("POST", "/api/dhcp/health", json::object{}, kReader).status == 403);
    CHECK(f.call("POST", "/api/dhcp/health", json::object{}, "wrong").status == 401);
    CHECK(f.call("GET", "/api/dhcp/health", nullptr, "wrong").status == 401);
    CHECK(f.call("GET", "/api/dhcp/health", nullptr, "").status == 401);

    // A reader may read everything and write nothing.
    f.use_script("fixed");
    for (const char* read : {"/api/dhcp/scopes", "/api/dhcp/scopes/10.0.1.0", "/api/dhcp/leases", "/api/dhcp/reservations",
                             "/api/dhcp/failover", "/api/dhcp/options/server", "/api/dhcp/options/scope/10.0.1.0",
                             "/api/dhcp/exclusions?scope_id=10.0.1.0"}) {
        CAPTURE(read);
        CHECK(f.call("GET", read, nullptr, kReader).status == 200);
    }
    struct Write {
        const char* method;
        const char* target;
        json::value body;
    };
    const std::vector<Write> writes = {
        {"POST", "/api/dhcp/scopes", kNewScope},
        {"PUT", "/api/dhcp/scopes/10.0.1.0", json::object{{"name", "x"}}},
        {"POST", "/api/dhcp/reservations", json::object{{"scope_id", "10.0.1.0"}, {"ip_address", "10.0.1.90"}, {"client_id", "01"}}},
        {"PUT", "/api/dhcp/reservations/aa-bb-cc-00-00-51", json::object{{"name", "x"}}},
        {"DELETE", "/api/dhcp/reservations/aa-bb-cc-00-00-51", nullptr},
        {"POST", "/api/dhcp/failover", kNewFailover},
        {"POST", "/api/dhcp/exclusions", json::object{{"scope_id", "10.0.1.0"}, {"start_ip", "10.0.1.30"}, {"end_ip", "10.0.1.31"}}},
        {"DELETE", "/api/dhcp/exclusions", kExclusion}};
    auto before = f.sim().state();
    for (const auto& w : writes) {
        CAPTURE(w.method);
        CAPTURE(w.target);
        auto reply = f.call(w.method, w.target, w.body, kReader);
        CHECK(reply.status == 403);
        CHECK_FALSE(error_of(reply).empty());
    }
    CHECK(f.sim().state() == before);

    // The reported version and the reader token are configurable.
    f.sim().post("/_sim/config", json::object{{"script_version", "1.0.1"}, {"reader_token", "other-reader"}});
    CHECK(f.call("GET", "/api/dhcp/health").body.at("version").as_string() == "1.0.1");
    CHECK(f.call("GET", "/api/dhcp/health", nullptr, kReader).status == 401);
    CHECK(f.call("GET", "/api/dhcp/health", nullptr, "other-reader").status == 200);
    PsuSimFixture started({"--script-version", "0.9.0"});
    CHECK(started.call("GET", "/api/dhcp/health").body.at("version").as_string() == "0.9.0");
}

TEST_CASE("psu sim: an invalid IPv4 address is not refused by script 1.0.2 and fails later (404 or 500)") {
    PsuSimFixture f;
    auto status_error = [&](const char* method, const std::string& target, const json::value& body = nullptr) {
        auto reply = f.call(method, target, body);
        return std::to_string(reply.status) + " " + error_of(reply);
    };
    const std::string binding = "Cannot process argument transformation on parameter ";
    CHECK(status_error("GET", "/api/dhcp/scopes/10.0.1.x") == "404 Scope not found.");
    CHECK(status_error("PUT", "/api/dhcp/scopes/10.0.1.x", json::object{{"name", "n"}}) ==
          "500 " + binding + "'ScopeId'. Cannot convert value \"10.0.1.x\" to type \"System.Net.IPAddress\". "
                             "Error: \"An invalid IP address was specified.\"");
    CHECK(status_error("GET", "/api/dhcp/leases?scope_id=bogus").rfind("500 " + binding + "'ScopeId'", 0) == 0);
    CHECK(status_error("GET", "/api/dhcp/reservations?scope_id=bogus").rfind("500 " + binding + "'ScopeId'", 0) == 0);
    CHECK(status_error("GET", "/api/dhcp/exclusions?scope_id=bogus").rfind("500 " + binding + "'ScopeId'", 0) == 0);
    CHECK(status_error("GET", "/api/dhcp/options/scope/bogus").rfind("500 " + binding + "'ScopeId'", 0) == 0);
    CHECK(status_error("POST", "/api/dhcp/reservations",
                       json::object{{"scope_id", "10.0.1.0"}, {"ip_address", "10.0.1.300"}, {"client_id", "01"}})
              .rfind("500 " + binding + "'IPAddress'", 0) == 0);
    CHECK(status_error("POST", "/api/dhcp/exclusions",
                       json::object{{"scope_id", "10.0.1.0"}, {"start_ip", "x"}, {"end_ip", "10.0.1.31"}})
              .rfind("500 " + binding + "'StartRange'", 0) == 0);
    CHECK(status_error("PUT", "/api/dhcp/scopes/10.0.1.0", json::object{{"end_ip", "10.0.1"}})
              .rfind("500 " + binding + "'EndRange'", 0) == 0);
    CHECK(f.count("reservations") == 3);
    CHECK(f.count("exclusions") == 1);
    // A bad router: Set-DhcpServerv4OptionValue fails silently; the rest of the update is applied.
    auto reply = f.call("PUT", "/api/dhcp/scopes/10.0.1.0", json::object{{"name", "A2"}, {"router", "not-an-ip"}});
    CHECK(reply.status == 200);
    auto scopes = f.call("GET", "/api/dhcp/scopes").body;
    CHECK(scopes.at(0).at("name").as_string() == "A2");
    CHECK(scopes.at(0).at("router").as_string() == "10.0.1.1");
}

TEST_CASE("psu sim: the fixed script refuses an invalid IPv4 address with 400 naming the field") {
    PsuSimFixture f({"--script", "fixed"});
    auto status_error = [&](const char* method, const std::string& target, const json::value& body = nullptr) {
        auto reply = f.call(method, target, body);
        return std::to_string(reply.status) + " " + error_of(reply);
    };
    CHECK(status_error("GET", "/api/dhcp/scopes/10.0.1.x") == "400 'scope_id' must be a valid IPv4 address.");
    CHECK(status_error("PUT", "/api/dhcp/scopes/10.0.1.x", json::object{{"name", "n"}}) ==
          "400 'scope_id' must be a valid IPv4 address.");
    CHECK(status_error("PUT", "/api/dhcp/scopes/10.0.1.0", json::object{{"router", "r"}}) ==
          "400 'router' must be a valid IPv4 address.");
    CHECK(status_error("GET", "/api/dhcp/leases?scope_id=bogus") == "400 'scope_id' must be a valid IPv4 address.");
    CHECK(status_error("GET", "/api/dhcp/reservations?scope_id=bogus") == "400 'scope_id' must be a valid IPv4 address.");
    CHECK(status_error("GET", "/api/dhcp/exclusions?scope_id=bogus") == "400 'scope_id' must be a valid IPv4 address.");
    CHECK(status_error("GET", "/api/dhcp/options/scope/bogus") == "400 'scope_id' must be a valid IPv4 address.");
    CHECK(status_error("POST", "/api/dhcp/reservations",
                       json::object{{"scope_id", "10.0.1.0"}, {"ip_address", "10.0.1.300"}, {"client_id", "01"}}) ==
          "400 'ip_address' must be a valid IPv4 address.");
    CHECK(status_error("POST", "/api/dhcp/scopes",
                       json::object{{"scope_id", "10.0.3.0"}, {"start_ip", "10.0.3.10"}, {"end_ip", "10.0.3.20"},
                                    {"subnet_mask", "mask"}}) == "400 'subnet_mask' must be a valid IPv4 address.");
    CHECK(status_error("DELETE", "/api/dhcp/exclusions",
                       json::object{{"scope_id", "10.0.1.0"}, {"start_ip", "10.0.1.10"}, {"end_ip", "x"}}) ==
          "400 'end_ip' must be a valid IPv4 address.");
    CHECK(f.count("scopes") == 2);
    CHECK(f.count("exclusions") == 1);
}

TEST_CASE("psu sim: every list is a JSON array for zero and one items, every error an object with an error text") {
    PsuSimFixture f;
    // One item each.
    for (const char* target : {"/api/dhcp/leases?scope_id=10.0.1.0", "/api/dhcp/exclusions?scope_id=10.0.1.0",
                               "/api/dhcp/failover", "/api/dhcp/reservations?scope_id=10.0.2.0"}) {
        CAPTURE(target);
        auto reply = f.call("GET", target);
        CHECK(reply.status == 200);
        REQUIRE(reply.body.is_array());
        CHECK(reply.body.as_array().size() == 1);
    }
    // Zero items each.
    f.sim().post("/_sim/reset", json::object{});
    f.sim().seed(json::object{{"scopes", json::array{scope("10.0.1.0", "A", "10.0.1.10", "10.0.1.200")}}});
    CHECK(f.call("GET", "/api/dhcp/scopes").body.as_array().size() == 1);
    for (const char* target : {"/api/dhcp/leases", "/api/dhcp/leases?scope_id=10.0.1.0", "/api/dhcp/reservations",
                               "/api/dhcp/exclusions?scope_id=10.0.1.0", "/api/dhcp/failover", "/api/dhcp/options/server"}) {
        CAPTURE(target);
        auto reply = f.call("GET", target);
        CHECK(reply.status == 200);
        CHECK(reply.text == "[]");
    }
    f.sim().post("/_sim/reset", json::object{});
    CHECK(f.call("GET", "/api/dhcp/scopes").text == "[]");
    // Errors.
    for (const auto& [method, target] : std::vector<std::pair<const char*, const char*>>{
             {"GET", "/api/dhcp/scopes/10.9.9.0"}, {"GET", "/api/dhcp/exclusions"}, {"GET", "/api/dhcp/nothing"},
             {"PUT", "/api/dhcp/reservations/01-02"}}) {
        CAPTURE(target);
        auto reply = f.call(method, target, json::object{});
        CHECK(reply.status >= 400);
        CHECK_FALSE(error_of(reply).empty());
    }
}

TEST_CASE("psu sim: a failing per-scope cmdlet (silently continued) is modelled by the empty_list fault: 200 []") {
    PsuSimFixture f;
    f.sim().add_fault(json::object{{"method", "GET"}, {"path_prefix", "/api/dhcp/leases"}, {"empty_list", true}, {"count", 1}});
    auto reply = f.call("GET", "/api/dhcp/leases?scope_id=10.0.1.0");
    CHECK(reply.status == 200);
    CHECK(reply.text == "[]");
    CHECK(f.call("GET", "/api/dhcp/leases?scope_id=10.0.1.0").body.as_array().size() == 1);
}

TEST_CASE("psu sim: read costs per lease read and per object rendered, and the realistic profile") {
    PsuSimFixture f;
    auto config = f.sim().get("/_sim/config");
    CHECK(config.at("latency_ms_per_lease_read").to_number<int>() == 0);
    CHECK(config.at("latency_us_per_object_rendered").to_number<int>() == 0);
    config = f.sim().post("/_sim/config", json::object{{"profile", "realistic"}});
    CHECK(config.at("latency_ms_per_lease_read").to_number<int>() == 150);
    CHECK(config.at("latency_us_per_object_rendered").to_number<int>() == 100);
    // Explicit keys override the profile; a bad value changes nothing.
    config = f.sim().post("/_sim/config", json::object{{"profile", "none"}, {"latency_ms_per_lease_read", 400}});
    CHECK(config.at("latency_ms_per_lease_read").to_number<int>() == 400);
    CHECK(config.at("latency_us_per_object_rendered").to_number<int>() == 0);
    CHECK(http_call(f.sim().port(), "POST", "/_sim/config", R"({"latency_ms_per_lease_read":-1,"script":"fixed"})").status == 400);
    CHECK(f.sim().get("/_sim/config").at("script").as_string() == "1.0.2");

    auto timed = [&](const std::string& target) {
        auto started = std::chrono::steady_clock::now();
        auto reply = f.call("GET", target);
        REQUIRE(reply.status == 200);
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    CHECK(timed("/api/dhcp/leases?scope_id=10.0.1.0") >= 0.4);
    // 3 reservations rendered at 200 ms each, no lease-read cost.
    f.sim().post("/_sim/config", json::object{{"latency_ms_per_lease_read", 0}, {"latency_us_per_object_rendered", 200000}});
    CHECK(timed("/api/dhcp/reservations") >= 0.6);
}
