// `netbox-dhcp-sync run` against the simulators: the start-up scheduled run, jobs under the caller's token,
// webhooks (signature, debounce, only the servers concerned), metrics, SIGHUP and SIGTERM.
#include "integration_fixture.hpp"
#include "tests/support/service_process.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

using namespace nds::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char* kWebhookSecret = "webhook-secret-for-tests";
const std::string kScheduleOk = R"(netbox_dhcp_sync_runs_total{origin="schedule",outcome="success"})";

/// A lease the demo estate does not have yet, on dhcp03's Branch scope.
void add_lease(Simulator& dhcp, const std::string& ip, const std::string& mac, const std::string& host) {
    dhcp.seed(json::object{{"leases", json::array{json::object{
        {"ip_address", ip}, {"client_id", mac}, {"hostname", host}, {"scope_id", "10.20.1.0"},
        {"lease_expiry", "2026-12-01T00:00:00Z"}, {"address_state", "Active"}}}}});
}

nds::http::Headers auth(const std::string& token) {
    std::string value = token;
    return {{"Authorization", (value.rfind("nbt_", 0) == 0 ? "Bearer " : "Token ") + value}};
}

/// Polls GET /v1/jobs/{id} until the job has finished.
json::object wait_for_job(ServiceProcess& service, const std::string& id, const std::string& token) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
        auto response = service.call("GET", "/v1/jobs/" + id, "", auth(token));
        REQUIRE(response.status == 200);
        auto job = json::parse(response.body).as_object();
        auto state = std::string(job.at("state").as_string());
        if (state != "queued" && state != "running") return job;
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(50ms);
    }
}

/// The three webhook body shapes (NetBox's REST API) for one changed IP address.
std::string webhook_body(int version, const std::string& address, const std::string& user) {
    json::object body{{"event", "updated"}, {"timestamp", "2026-03-01T10:00:00.000000+00:00"},
                      {"object_type", "ipam.ipaddress"},
                      {"data", json::object{{"id", 4}, {"url", "/api/ipam/ip-addresses/4/"}, {"address", address}, {"vrf", nullptr}}},
                      {"snapshots", json::object{{"prechange", json::object{{"address", address}, {"vrf", nullptr}}},
                                                 {"postchange", json::object{{"address", address}, {"vrf", nullptr}}}}}};
    if (version <= 6) {
        body["username"] = user;
        body["request_id"] = "req-" + std::to_string(version);
    }
    if (version == 6) body["request"] = json::object{{"id", "req-6"}, {"method", "PATCH"}, {"path", "/api/ipam/ip-addresses/4/"}, {"user", user}};
    if (version == 7)
        body["request"] = json::object{{"id", "req-7"}, {"path", "/api/ipam/ip-addresses/4/"}, {"path_info", "/api/ipam/ip-addresses/4/"},
                                       {"method", "PATCH"}, {"GET", json::object{}}, {"user", user}};
    return json::serialize(body);
}

nds::http::Response post_webhook(ServiceProcess& service, const std::string& body, const std::string& secret = kWebhookSecret) {
    return service.call("POST", "/v1/webhooks/netbox", body,
                        {{"Content-Type", "application/json"}, {"X-Hook-Signature", webhook_signature(secret, body)}});
}

/// A raw TCP connection to 127.0.0.1:port that sends nothing (an idle client); closed with the object.
class IdleConnection {
public:
    explicit IdleConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        REQUIRE(fd_ >= 0);
        timeval timeout{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    }
    ~IdleConnection() { close(); }
    IdleConnection(const IdleConnection&) = delete;
    IdleConnection& operator=(const IdleConnection&) = delete;

    /// Everything the server sends until it closes (or 5 s pass).
    std::string read_all() {
        std::string out;
        char buffer[4096];
        for (ssize_t n; (n = ::recv(fd_, buffer, sizeof buffer, 0)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
        return out;
    }
    void send(const std::string& bytes) { REQUIRE(::send(fd_, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size())); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

long scope_reads(Simulator& dhcp) {
    auto stats = dhcp.stats();
    long n = 0;
    for (const auto& [path, count] : stats.at("by_path").as_object())
        if (path.starts_with("GET /api/dhcp/scopes")) n += static_cast<long>(count.to_number<double>());
    return n;
}

}  // namespace

TEST_CASE("service: a scheduled run happens at start-up, and health, readiness and metrics reflect it") {
    auto env = make_environment();
    auto config = env.write_service_config("  webhook_secret: " + std::string(kWebhookSecret) + "\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);

    REQUIRE(service.wait_for_metric(kScheduleOk, 1, 30s));
    // The scheduled run synced under the service token (alice).
    auto ana = find_ip(env.netbox(), "10.10.1.20/24");
    REQUIRE(ana);
    auto changes = env.netbox().get("/_sim/changes").as_array();
    REQUIRE(!changes.empty());
    auto first_change = json::serialize(changes.front());
    INFO(first_change);
    for (const auto& change : changes) CHECK(change.at("user_name").as_string() == "alice");

    CHECK(service.call("GET", "/healthz").status == 200);
    auto ready = service.call("GET", "/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body.find("ready") != std::string::npos);

    auto metrics = service.call("GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.header("Content-Type").find("text/plain") == 0);
    CHECK(service.metric(R"(netbox_dhcp_sync_objects_changed_total{type="ip_address",action="create"})") >= 5);
    CHECK(service.metric(R"(netbox_dhcp_sync_objects_changed_total{type="ip_address",action="delete"})") >= 1);
    CHECK(service.metric(R"(netbox_dhcp_sync_http_requests_total{target="netbox",status="200"})") > 0);
    CHECK(service.metric(R"(netbox_dhcp_sync_http_requests_total{target="dhcp03",status="200"})") > 0);
    CHECK(service.metric(R"(netbox_dhcp_sync_last_success_timestamp_seconds{server="dhcp03"})") > 1.7e9);
    CHECK(service.metric(R"(netbox_dhcp_sync_run_duration_seconds_count{origin="schedule"})") == 1);
    CHECK(service.metric(R"(netbox_dhcp_sync_jobs{state="running"})") == 0);
    CHECK(metrics.body.find("# TYPE netbox_dhcp_sync_runs_total counter") != std::string::npos);
    CHECK(service.call("GET", "/nope").status == 404);

    // NetBox gone: not ready (after the 5 s the last answer is cached), still alive.
    env.netbox().stop();
    std::this_thread::sleep_for(5200ms);
    CHECK(service.call("GET", "/readyz").status == 503);
    CHECK(service.call("GET", "/healthz").status == 200);

    service.signal(SIGTERM);
    CHECK(service.wait_exit(10s) == 0);
}

TEST_CASE("service: a job runs with the caller's token, bad tokens are refused, jobs are private") {
    auto env = make_environment();
    // The service token is bob's; alice asks for the job.
    auto config = env.write_service_config("", kBobToken, "", "  level: info\n  format: json\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    REQUIRE(service.wait_for_metric(kScheduleOk, 1, 30s));

    add_lease(env.dhcp("dhcp03"), "10.20.1.70", "aa-bb-cc-00-00-70", "kiosk-70");
    CHECK(service.call("POST", "/v1/jobs", R"({"servers":["dhcp03"]})").status == 401);
    CHECK(service.call("POST", "/v1/jobs", R"({"servers":["dhcp03"]})", auth("not-a-valid-token-at-all")).status == 403);
    CHECK(service.call("POST", "/v1/jobs", R"({"servers":["no-such-server"]})", auth(kAliceToken)).status == 403);
    CHECK(service.call("POST", "/v1/jobs", R"({"servers":"dhcp03"})", auth(kAliceToken)).status == 400);

    auto posted = service.call("POST", "/v1/jobs", R"({"action":"sync","servers":["dhcp03"],"dry_run":false})", auth(kAliceToken));
    REQUIRE(posted.status == 202);
    auto id = std::string(json::parse(posted.body).at("id").as_string());
    auto job = wait_for_job(service, id, kAliceToken);
    auto job_text = json::serialize(job);
    INFO(job_text);
    CHECK(job.at("state").as_string() == "succeeded");
    CHECK(job.at("user").as_string() == "alice");
    CHECK(job.at("exit_code").as_int64() == 0);
    CHECK(job.at("summary").at("totals").at("ip_address").at("created").as_int64() == 1);
    CHECK_FALSE(job.at("started").is_null());
    CHECK_FALSE(job.at("finished").is_null());
    const auto& log = job.at("log").as_array();
    REQUIRE(log.size() >= 2);
    for (const auto& line : log) CHECK(line.as_object().contains("server"));

    // NetBox's change log names alice, with the job in the message.
    bool found = false;
    auto changes = env.netbox().get("/_sim/changes").as_array();
    for (const auto& change : changes) {
        if (change.at("object_repr").as_string() != "10.20.1.70/24") continue;
        found = true;
        CHECK(change.at("user_name").as_string() == "alice");
        CHECK(std::string(change.at("message").as_string()).find(id) != std::string::npos);
    }
    CHECK(found);

    // Another user's token cannot read the job; no token cannot either.
    CHECK(service.call("GET", "/v1/jobs/" + id, "", auth(kBobToken)).status == 404);
    CHECK(service.call("GET", "/v1/jobs/" + id).status == 401);

    // Structured logs: every line of the job carries the job id and a server; no secret is ever logged.
    service.signal(SIGTERM);
    REQUIRE(service.wait_exit(10s) == 0);
    auto text = service.log();
    std::istringstream lines(text);
    std::string line;
    int job_lines = 0;
    while (std::getline(lines, line)) {
        auto object = json::parse(line).as_object();  // every line is JSON
        if (object.contains("job") && object.at("job").as_string() == id) {
            ++job_lines;
            CHECK(object.contains("server"));
        }
    }
    CHECK(job_lines >= 3);
    CHECK(text.find(kAliceToken) == std::string::npos);
    CHECK(text.find(kBobToken) == std::string::npos);
    CHECK(text.find(kPsuToken) == std::string::npos);
}

TEST_CASE("service: an import job runs the import for one server with the caller's token") {
    auto env = make_environment();
    auto config = env.write_service_config("", kBobToken);
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    REQUIRE(service.wait_for_metric(kScheduleOk, 1, 30s));
    auto posted = service.call("POST", "/v1/jobs", R"({"action":"import","servers":["dhcp03"],"dry_run":true})", auth(kAliceToken));
    REQUIRE(posted.status == 202);
    auto job = wait_for_job(service, std::string(json::parse(posted.body).at("id").as_string()), kAliceToken);
    auto job_text = json::serialize(job);
    INFO(job_text);
    CHECK(job.at("action").as_string() == "import");
    CHECK(job.at("state").as_string() == "succeeded");
    CHECK(job.at("import").is_object());
    service.signal(SIGTERM);
    CHECK(service.wait_exit(10s) == 0);
}

TEST_CASE("service: a webhook with a bad signature gets 403 and changes nothing") {
    auto env = make_environment();
    auto config = env.write_service_config("  webhook_secret: " + std::string(kWebhookSecret) + "\n  webhook_debounce: 200ms\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    REQUIRE(service.wait_for_metric(kScheduleOk, 1, 30s));
    add_lease(env.dhcp("dhcp03"), "10.20.1.71", "aa-bb-cc-00-00-71", "kiosk-71");
    env.reset_stats();

    auto body = webhook_body(7, "10.20.1.71/24", "carol");
    CHECK(post_webhook(service, body, "wrong-secret").status == 403);
    CHECK(service.call("POST", "/v1/webhooks/netbox", body, {{"Content-Type", "application/json"}}).status == 403);
    std::this_thread::sleep_for(1s);
    CHECK(env.netbox_writes() == 0);
    CHECK_FALSE(find_ip(env.netbox(), "10.20.1.71/24"));
    CHECK(service.metric(R"(netbox_dhcp_sync_webhooks_total{result="bad_signature"})") == 2);
    CHECK(service.metric(R"(netbox_dhcp_sync_runs_total{origin="webhook",outcome="success"})") == 0);
    service.signal(SIGTERM);
    CHECK(service.wait_exit(10s) == 0);
}

TEST_CASE("service: three webhooks (4.5, 4.6, 4.7 bodies) in quick succession cause one sync of the server concerned") {
    auto env = make_environment();
    auto config = env.write_service_config("  webhook_secret: " + std::string(kWebhookSecret) + "\n  webhook_debounce: 500ms\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    REQUIRE(service.wait_for_metric(kScheduleOk, 1, 30s));
    add_lease(env.dhcp("dhcp03"), "10.20.1.72", "aa-bb-cc-00-00-72", "kiosk-72");
    env.reset_stats();

    for (int version : {5, 6, 7}) CHECK(post_webhook(service, webhook_body(version, "10.20.1.72/24", "carol")).status == 202);
    // A change by the service's own user (alice: the sync's own writes) is ignored.
    CHECK(post_webhook(service, webhook_body(7, "10.10.1.99/24", "alice")).status == 200);

    const std::string webhook_ok = R"(netbox_dhcp_sync_runs_total{origin="webhook",outcome="success"})";
    REQUIRE(service.wait_for_metric(webhook_ok, 1, 20s));
    std::this_thread::sleep_for(1500ms);
    CHECK(service.metric(webhook_ok) == 1);
    CHECK(service.metric(R"(netbox_dhcp_sync_webhooks_total{result="accepted"})") == 3);
    CHECK(find_ip(env.netbox(), "10.20.1.72/24"));
    // Only dhcp03 (the server of 10.20.1.0/24) was read; the failover pair was not synced.
    CHECK(scope_reads(env.dhcp("dhcp03")) > 0);
    CHECK(scope_reads(env.dhcp("dhcp01")) == 0);
    CHECK(scope_reads(env.dhcp("dhcp02")) == 0);
    service.signal(SIGTERM);
    CHECK(service.wait_exit(10s) == 0);
}

TEST_CASE("service: beyond service.max_connections probes still answer, others get 503 at once, and the metrics count it") {
    auto env = make_environment();
    auto config = env.write_service_config("  max_connections: 2\n  idle_timeout: 30s\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    IdleConnection first(service.port()), second(service.port());
    std::this_thread::sleep_for(100ms);

    // Every ordinary connection is taken: a liveness probe is still answered, an API call is not.
    CHECK(service.call("GET", "/healthz").status == 200);
    CHECK(service.call("GET", "/v1/jobs/none").status == 503);

    // The 8 connections kept for probes, all taken by idle clients: the next one is refused.
    std::vector<std::unique_ptr<IdleConnection>> probes;
    for (int i = 0; i < 8; ++i) probes.push_back(std::make_unique<IdleConnection>(service.port()));
    std::this_thread::sleep_for(100ms);
    IdleConnection third(service.port());
    std::string refused = third.read_all();
    CHECK(refused.rfind("HTTP/1.1 503", 0) == 0);

    first.close();
    second.close();
    probes.clear();
    std::this_thread::sleep_for(100ms);
    CHECK(service.metric("netbox_dhcp_sync_api_connections_refused_total") == 1);
    CHECK(service.call("GET", "/healthz").status == 200);
}

TEST_CASE("service: one client address may hold service.max_connections_per_client connections") {
    auto env = make_environment();
    auto config = env.write_service_config("  max_connections: 50\n  max_connections_per_client: 3\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    IdleConnection a(service.port()), b(service.port()), c(service.port());
    std::this_thread::sleep_for(100ms);
    IdleConnection d(service.port());
    CHECK(d.read_all().rfind("HTTP/1.1 503", 0) == 0);
    a.close();
    std::this_thread::sleep_for(100ms);
    CHECK(service.call("GET", "/healthz").status == 200);
}

TEST_CASE("service: SIGHUP with a broken config keeps the service running on the old one") {
    auto env = make_environment();
    auto config = env.write_service_config("  webhook_secret: " + std::string(kWebhookSecret) + "\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    REQUIRE(service.wait_for_metric(kScheduleOk, 1, 30s));

    { std::ofstream(config) << "netbox:\n  url: [broken\n"; }
    service.signal(SIGHUP);
    REQUIRE(service.wait_for_log("reload rejected", 10s));
    { std::ofstream(config) << "netbox:\n  url: http://127.0.0.1:1\n  token: x\nsync:\n  interval: 1m\n"; }  // valid YAML, bad value
    service.signal(SIGHUP);
    REQUIRE(service.wait_for_log("reload rejected", 10s, 2));
    CHECK(service.log().find("sync.interval") != std::string::npos);
    CHECK(service.running());
    CHECK(service.call("GET", "/healthz").status == 200);
    CHECK(service.metric(R"(netbox_dhcp_sync_config_reloads_total{result="rejected"})") == 2);

    // Still working on the old configuration: a job against the simulators succeeds.
    add_lease(env.dhcp("dhcp03"), "10.20.1.73", "aa-bb-cc-00-00-73", "kiosk-73");
    auto posted = service.call("POST", "/v1/jobs", R"({"servers":["dhcp03"]})", auth(kAliceToken));
    REQUIRE(posted.status == 202);
    auto job = wait_for_job(service, std::string(json::parse(posted.body).at("id").as_string()), kAliceToken);
    CHECK(job.at("state").as_string() == "succeeded");
    CHECK(find_ip(env.netbox(), "10.20.1.73/24"));

    // A good config is taken.
    env.write_service_config("  webhook_secret: other-secret\n", kAliceToken, "", "", "service.yaml");
    service.signal(SIGHUP);
    REQUIRE(service.wait_for_log("configuration reloaded", 10s));
    CHECK(service.metric(R"(netbox_dhcp_sync_config_reloads_total{result="ok"})") == 1);
    CHECK(post_webhook(service, webhook_body(7, "10.20.1.73/24", "carol")).status == 403);  // old secret no longer valid
    CHECK(post_webhook(service, webhook_body(7, "10.20.1.73/24", "carol"), "other-secret").status == 202);

    // service.listen cannot change without a restart: each reload says where the service really listens,
    // also after an earlier reload already carried a changed value.
    auto with_listen = [&](const std::string& listen) {
        std::ifstream in(config);
        std::stringstream text;
        text << in.rdbuf();
        auto yaml = text.str();
        auto at = yaml.find("  listen: ");
        REQUIRE(at != std::string::npos);
        yaml.replace(at, yaml.find('\n', at) - at, "  listen: " + listen);
        std::ofstream(config) << yaml;
    };
    const std::string real = "still listening on 127.0.0.1:" + std::to_string(service.port());
    with_listen("127.0.0.1:1");
    service.signal(SIGHUP);
    REQUIRE(service.wait_for_log("configuration reloaded", 10s, 2));
    with_listen("127.0.0.1:2");
    service.signal(SIGHUP);
    REQUIRE(service.wait_for_log("configuration reloaded", 10s, 3));
    CHECK(service.wait_for_log(real, 1s, 2));
    CHECK(service.log().find("still listening on '127.0.0.1:1'") == std::string::npos);
    CHECK(service.call("GET", "/healthz").status == 200);

    service.signal(SIGTERM);
    CHECK(service.wait_exit(10s) == 0);
}

TEST_CASE("service: SIGTERM during a run finishes the write batch in flight, applies nothing after it, exits 0") {
    auto env = make_environment();
    // One object per write request, one request at a time, each held 400 ms by NetBox: the run is slow.
    env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 400}});
    auto config = env.write_service_config("", kAliceToken, "  page_size: 1\n  max_concurrent_writes: 1\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);

    // Wait for the first write of the start-up run to be in flight, then stop.
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (env.netbox_writes() < 1) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(5ms);
    }
    auto writes_at_signal = env.netbox_writes();
    service.signal(SIGTERM);
    auto code = service.wait_exit(20s);
    REQUIRE(code);
    CHECK(*code == 0);
    auto writes_after = env.netbox_writes();
    // The request in flight finished; at most one more could have started before the signal arrived.
    CHECK(writes_after - writes_at_signal <= 1);
    CHECK(service.log().find("stopped before all changes were applied") != std::string::npos);
    CHECK(service.log().find("state=cancelled") != std::string::npos);

    // Nothing half-applied: every change record belongs to a request that committed as a whole (one object
    // per request here), and their number is the number of objects NetBox accepted.
    auto changes = env.netbox().get("/_sim/changes").as_array();
    auto stats = env.netbox().stats();
    std::map<std::string, int> per_request;
    for (const auto& change : changes) {
        if (change.at("action").at("value").as_string() == "delete" && change.at("message").as_string().empty()) continue;  // cascades
        ++per_request[std::string(change.at("request_id").as_string())];
    }
    CHECK(per_request.size() <= static_cast<std::size_t>(writes_after));
    for (const auto& [request, count] : per_request) CHECK_MESSAGE(count == 1, request);

    // The run was cut short: a follow-up sync still has work, and completes it.
    auto dry = env.run({"sync", "--dry-run", "--output", "json"});
    auto planned = json::serialize(json::parse(dry.out)).find("\"planned\"") != std::string::npos;
    CHECK(planned);
    env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 0}});
    auto rest = env.run({"sync"});
    INFO(rest.out << rest.err);
    CHECK(rest.exit_code == 0);
    CHECK(find_ip(env.netbox(), "10.10.1.20/24"));
}

TEST_CASE("service: SIGTERM while a job request waits on a hung NetBox token check exits at once, with 0") {
    auto env = make_environment();
    auto config = env.write_service_config("");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    REQUIRE(service.wait_for_metric(kScheduleOk, 1, 30s));

    const std::string check_path = "GET /api/authentication-check/";
    auto checks = [&] {
        auto by_path = env.netbox().stats().at("by_path").as_object();
        return by_path.contains(check_path) ? by_path.at(check_path).to_number<int>() : 0;
    };
    int before = checks();
    env.netbox().add_fault(json::object{{"method", "GET"}, {"path_prefix", "/api/authentication-check/"}, {"hang", true}});
    IdleConnection client(service.port());
    client.send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kBobToken) +
                "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (checks() == before) {  // the token check is in flight, and NetBox holds it
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(10ms);
    }
    // The NetBox timeout here is 10 s per attempt, with retries: waiting for it would take far longer.
    service.signal(SIGTERM);
    auto code = service.wait_exit(5s);
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(client.read_all().find("HTTP/1.1 202") == std::string::npos);  // no job was taken
}

TEST_CASE("service: at start-up it warns when the plugin's own sync job is scheduled beside it") {
    auto env = make_environment();
    env.netbox().seed(json::object{{"jobs", json::array{json::object{
        {"name", "Windows DHCP Sync"}, {"status", "scheduled"}, {"interval", 60}, {"scheduled", "2099-01-01T00:00:00Z"}}}}});
    auto config = env.write_service_config("", kAliceToken, "", "  level: info\n  format: json\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    REQUIRE(service.wait_for_log("PLUGIN_JOB_WRITES", 30s));
    CHECK(service.log().find("is scheduled for 2099-01-01T00:00:00Z, every 60 minutes") != std::string::npos);
    CHECK(service.log().find("may sync dhcp01, dhcp02, dhcp03") != std::string::npos);
}
