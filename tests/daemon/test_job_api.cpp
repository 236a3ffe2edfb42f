#include "daemon/job_api.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <optional>

using namespace nds;
using namespace nds::daemon;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

/// A fake NetBox: alice and bob have tokens; bob cannot see dhcp02; "down" means NetBox is unreachable.
int g_token_checks = 0;  // how often the fake NetBox was asked

asio::awaitable<Expected<std::string>> fake_check(std::string token, std::vector<std::string> servers) {
    ++g_token_checks;
    if (token == "down") co_return Error{503, "cannot check the token with NetBox: connection refused"};
    std::string user = token == "alice-token" ? "alice" : token == "nbt_bobkey.bobsecret" ? "bob" : "";
    if (user.empty()) co_return Error{403, "NetBox refused the token"};
    for (const auto& s : servers)
        if (user == "bob" && s == "dhcp02") co_return Error{403, "DHCP server(s) not visible to this token: dhcp02"};
    co_return user;
}

struct ApiFixture {
    JobQueue queue{JobQueue::Limits{}};
    int queued_calls = 0;
    std::string remote = "192.0.2.1";  ///< the client address the requests come from
    JobApi api{queue, fake_check, [] { return std::string("service-token"); },
               [this](const JobPtr&, bool) { ++queued_calls; }, {"sync", "import"}};

    http::Response call(const std::string& method, const std::string& target, const std::string& body = "",
                        const std::string& authorization = "") {
        http::Request request;
        request.method = method;
        request.target = target;
        request.body = body;
        request.remote_address = remote;
        if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
        asio::io_context io(1);
        std::optional<http::Response> out;
        asio::co_spawn(io, api.handle(request, target), [&](std::exception_ptr e, http::Response r) {
            if (e) std::rethrow_exception(e);
            out = std::move(r);
        });
        io.run();
        REQUIRE(out);
        return *out;
    }
};

json::object body_of(const http::Response& r) { return json::parse(r.body).as_object(); }

}  // namespace

TEST_CASE("job api: a job is queued with the caller's token and user") {
    ApiFixture f;
    auto r = f.call("POST", "/v1/jobs", R"({"action":"sync","servers":["dhcp01"],"dry_run":false})", "Token alice-token");
    REQUIRE(r.status == 202);
    auto id = std::string(body_of(r).at("id").as_string());
    CHECK(body_of(r).at("state").as_string() == "queued");
    CHECK(r.header("Location") == "/v1/jobs/" + id);
    CHECK(f.queued_calls == 1);
    auto job = f.queue.find(id);
    REQUIRE(job);
    CHECK(job->spec().token == "alice-token");
    CHECK(job->spec().user == "alice");
    CHECK(job->spec().servers == std::vector<std::string>{"dhcp01"});
    CHECK(job->spec().origin == JobOrigin::api);
}

TEST_CASE("job api: v2 Bearer tokens and an empty body (all servers) work") {
    ApiFixture f;
    auto r = f.call("POST", "/v1/jobs", "", "Bearer nbt_bobkey.bobsecret");
    REQUIRE(r.status == 202);
    auto job = f.queue.find(std::string(body_of(r).at("id").as_string()));
    CHECK(job->spec().all_servers());
    CHECK(job->spec().user == "bob");
}

TEST_CASE("job api: no token 401, a refused token 403, an invisible server 403, NetBox down 503") {
    ApiFixture f;
    auto none = f.call("POST", "/v1/jobs", "{}");
    CHECK(none.status == 401);
    CHECK(none.header("WWW-Authenticate") == "Token");
    CHECK(f.call("POST", "/v1/jobs", "{}", "Basic abc").status == 401);
    CHECK(f.call("POST", "/v1/jobs", "{}", "Token wrong").status == 403);
    auto invisible = f.call("POST", "/v1/jobs", R"({"servers":["dhcp02"]})", "Bearer nbt_bobkey.bobsecret");
    CHECK(invisible.status == 403);
    CHECK(invisible.body.find("dhcp02") != std::string::npos);
    CHECK(f.call("POST", "/v1/jobs", "{}", "Token down").status == 503);
    CHECK(f.queue.queued() == 0);
    CHECK(f.queued_calls == 0);
}

TEST_CASE("job api: bad bodies are 400 and name the field") {
    ApiFixture f;
    auto check = [&](const std::string& body, const std::string& needle) {
        auto r = f.call("POST", "/v1/jobs", body, "Token alice-token");
        CHECK(r.status == 400);
        CHECK_MESSAGE(r.body.find(needle) != std::string::npos, r.body);
    };
    check("not json", "JSON object");
    check(R"({"action":"delete"})", "action");
    check(R"({"servers":"dhcp01"})", "servers");
    check(R"({"servers":[1]})", "servers");
    check(R"({"dry_run":"yes"})", "dry_run");
    check(R"({"server":["dhcp01"]})", "server: unknown field");
    check(R"({"action":"import"})", "exactly one server");
}

TEST_CASE("job api: a job is visible only to the token that queued it") {
    ApiFixture f;
    auto r = f.call("POST", "/v1/jobs", R"({"servers":["dhcp01"]})", "Token alice-token");
    auto id = std::string(body_of(r).at("id").as_string());
    auto mine = f.call("GET", "/v1/jobs/" + id, "", "Token alice-token");
    REQUIRE(mine.status == 200);
    auto job = body_of(mine);
    CHECK(job.at("id").as_string() == id);
    CHECK(job.at("state").as_string() == "queued");
    CHECK(job.at("user").as_string() == "alice");
    CHECK(mine.body.find("alice-token") == std::string::npos);  // the token is never shown
    CHECK(f.call("GET", "/v1/jobs/" + id, "", "Bearer nbt_bobkey.bobsecret").status == 404);
    CHECK(f.call("GET", "/v1/jobs/" + id).status == 401);
    CHECK(f.call("GET", "/v1/jobs/unknown", "", "Token alice-token").status == 404);
    CHECK(f.call("DELETE", "/v1/jobs/" + id, "", "Token alice-token").status == 405);
    CHECK(f.call("GET", "/v1/jobs", "", "Token alice-token").status == 405);
}

TEST_CASE("job api: service jobs are readable with the service token") {
    ApiFixture f;
    JobSpec spec;
    spec.origin = JobOrigin::schedule;
    auto submitted = f.queue.submit(spec, Job::Clock::now());
    auto id = submitted->job->id();
    CHECK(f.call("GET", "/v1/jobs/" + id, "", "Token service-token").status == 200);
    CHECK(f.call("GET", "/v1/jobs/" + id, "", "Token alice-token").status == 404);
}

TEST_CASE("job api: the same caller asking again for a queued job joins it") {
    ApiFixture f;
    auto a = f.call("POST", "/v1/jobs", R"({"servers":["dhcp01"]})", "Token alice-token");
    auto b = f.call("POST", "/v1/jobs", R"({"servers":["dhcp03"]})", "Token alice-token");
    CHECK(body_of(a).at("id") == body_of(b).at("id"));
    CHECK(body_of(b).at("coalesced").as_bool());
}

TEST_CASE("job api: caller tokens") {
    auto token = [](const std::string& header) {
        http::Request r;
        r.headers.emplace_back("Authorization", header);
        return JobApi::caller_token(r);
    };
    CHECK(token("Token abc") == "abc");
    CHECK(token("token  abc ") == "abc");
    CHECK(token("Bearer nbt_k.s") == "nbt_k.s");
    CHECK_FALSE(token("Basic abc"));
    CHECK_FALSE(token("Token"));
    CHECK_FALSE(token("Token a b"));
    CHECK(same_token("abc", "abc"));
    CHECK_FALSE(same_token("abc", "abd"));
    CHECK_FALSE(same_token("abc", "abcd"));
}

TEST_CASE("job: the JSON shows state, timing, summary counts and log lines") {
    Job job("id1", JobSpec{}, Job::Clock::now(), 2);
    job.append_log(LogLevel::info, "SYNC_START", "sync starting", {{"job", "id1"}, {"server", "all"}});
    job.append_log(LogLevel::warning, "DHCP_UNREACHABLE", "down", {{"job", "id1"}, {"server", "dhcp02"}});
    job.append_log(LogLevel::info, "SYNC_DONE", "done", {});
    RunReport report;
    report.servers = {"dhcp01"};
    report.actions.push_back({engine::ObjectKind::ip_address, engine::Verb::create, ActionStatus::applied,
                              {"dhcp01", "A", "10.0.0.5/24", ""}, {}});
    report.problems.push_back({engine::Severity::warning, {"dhcp01", "A", "", "something odd"}});
    job.set_result(report);
    auto out = job.to_json();
    CHECK(out.at("exit_code").as_int64() == 0);
    const auto& totals = out.at("summary").at("totals").as_object();
    CHECK(totals.at("ip_address").at("created").as_int64() == 1);
    CHECK(out.at("summary").at("warnings").as_int64() == 1);
    CHECK(out.at("log").as_array().size() == 2);
    CHECK(out.at("log_lines_dropped").to_number<int>() == 1);
    CHECK(out.at("log").as_array()[1].at("server").as_string() == "dhcp02");
    CHECK(out.at("started").is_null());
}

TEST_CASE("token gate: answers are reused for a while, NetBox failures are not, refusals per address lead to 429") {
    using nds::daemon::TokenGate;
    TokenGate::Limits limits;
    limits.answer_ttl = std::chrono::seconds(30);
    limits.refusals_per_window = 3;
    limits.refusal_window = std::chrono::seconds(60);
    TokenGate gate(limits);
    auto t0 = TokenGate::Clock::now();
    using std::chrono::seconds;

    gate.record("10.0.0.1", "good", {"dhcp02", "dhcp01"}, nds::Expected<std::string>(std::string("alice")), t0);
    auto hit = gate.cached("good", {"dhcp01", "dhcp02"}, t0 + seconds(29));  // server order does not matter
    REQUIRE(hit);
    CHECK(**hit == "alice");
    CHECK_FALSE(gate.cached("good", {"dhcp01"}, t0));                 // another server list is another question
    CHECK_FALSE(gate.cached("good", {"dhcp01", "dhcp02"}, t0 + seconds(30)));  // expired

    gate.record("10.0.0.1", "down", {}, nds::Expected<std::string>(nds::Error{503, "NetBox unreachable"}), t0);
    CHECK_FALSE(gate.cached("down", {}, t0));  // asked again next time

    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(gate.retry_after("10.0.0.9", t0 + seconds(i)));
        gate.record("10.0.0.9", "bad" + std::to_string(i), {}, nds::Expected<std::string>(nds::Error{403, "refused"}), t0 + seconds(i));
    }
    auto wait = gate.retry_after("10.0.0.9", t0 + seconds(10));
    REQUIRE(wait);
    CHECK(*wait == seconds(50));  // until the oldest refusal leaves the window
    CHECK_FALSE(gate.retry_after("10.0.0.1", t0 + seconds(10)));  // another address is not held up
    auto refused_again = gate.cached("bad0", {}, t0 + seconds(10));
    REQUIRE(refused_again);
    CHECK_FALSE(*refused_again);
    CHECK_FALSE(gate.retry_after("10.0.0.9", t0 + seconds(60)));  // the oldest refusal has left the window
}

TEST_CASE("job api: a token's answer is reused briefly, and an address presenting refused tokens gets 429") {
    ApiFixture f;
    g_token_checks = 0;
    CHECK(f.call("POST", "/v1/jobs", R"({"servers":["dhcp01"]})", "Token alice-token").status == 202);
    CHECK(f.call("POST", "/v1/jobs", R"({"servers":["dhcp01"]})", "Token alice-token").status == 202);
    CHECK(g_token_checks == 1);  // the second request did not ask NetBox
    CHECK(f.call("POST", "/v1/jobs", "{}", "Token down").status == 503);
    CHECK(f.call("POST", "/v1/jobs", "{}", "Token down").status == 503);
    CHECK(g_token_checks == 3);  // NetBox unreachable is asked again

    f.remote = "198.51.100.7";
    for (int i = 0; i < 10; ++i)
        CHECK(f.call("POST", "/v1/jobs", "{}", "Token wrong-" + std::to_string(i)).status == 403);
    auto limited = f.call("POST", "/v1/jobs", "{}", "Token wrong-10");
    CHECK(limited.status == 429);
    CHECK_FALSE(limited.header("Retry-After").empty());
    CHECK(limited.body.find("198.51.100.7") != std::string::npos);
    CHECK(g_token_checks == 13);  // the 429 cost NetBox nothing
    // Even the right token waits from that address; another address is served.
    CHECK(f.call("POST", "/v1/jobs", R"({"servers":["dhcp03"]})", "Token alice-token").status == 429);
    f.remote = "192.0.2.1";
    CHECK(f.call("POST", "/v1/jobs", R"({"servers":["dhcp03"]})", "Token alice-token").status == 202);
}
