// Processes that share the DHCP servers through a real redis-server (docs/coordination.md): the real binary
// against the simulators, with `coordination.redis` set. A server whose lock another process holds is left
// to it ("running elsewhere") and nothing is written for it; a failover pair is one unit; a finished sync is
// recorded for the other processes; a lock lost mid-run (Redis gone) stops the run before its next write
// batch; and the service's /readyz follows Redis.
#include "integration_fixture.hpp"
#include "tests/coordination/redis_server.hpp"
#include "tests/support/service_process.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

using namespace nds::testing;
using nds::coordination::testing::RedisServer;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char* kPrefix = "nds-it";

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// `config` with a coordination section for `redis` (and `netbox_lines` added under `netbox:`).
std::string coordinated(const std::string& config, const RedisServer& redis, const std::string& redis_lines = "",
                        const std::string& netbox_lines = "") {
    auto yaml = read_file(config);
    if (!netbox_lines.empty()) yaml.replace(yaml.find("netbox:\n"), 8, "netbox:\n" + netbox_lines);
    yaml += "coordination:\n  redis:\n    url: " + redis.url() + "\n    key_prefix: " + kPrefix + "\n" + redis_lines;
    std::ofstream(config) << yaml;
    return config;
}

std::string lock_key(const std::string& server) { return std::string(kPrefix) + ":lock:" + server; }

/// (status, reason) of every action of `server` in a --output json report.
std::vector<std::pair<std::string, std::string>> actions_of(const std::string& out, const std::string& server) {
    std::vector<std::pair<std::string, std::string>> found;
    auto doc = json::parse(out);
    const auto& servers = doc.at("servers").as_object();
    if (!servers.contains(server)) return found;
    for (const auto& a : servers.at(server).at("actions").as_array())
        found.emplace_back(std::string(a.at("status").as_string()), std::string(a.at("reason").as_string()));
    return found;
}

int applied(const std::string& out, const std::string& server) {
    int n = 0;
    for (const auto& [status, reason] : actions_of(out, server)) n += status == "applied";
    return n;
}

bool skipped_with(const std::string& out, const std::string& server, const std::string& text) {
    for (const auto& [status, reason] : actions_of(out, server))
        if (status == "skipped" && reason.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("coordination: a server locked by another process is left to it and nothing is written for it, and once free it is synced and recorded") {
    RedisServer redis;
    auto env = make_environment();
    auto config = coordinated(env.write_config(), redis);
    redis.command({"SET", lock_key("dhcp03"), "0123456789abcdef0123456789abcdef other-pod:7:job 42 (schedule)", "PX", "30000"});

    auto busy = env.run({"sync", "--server", "dhcp03", "--output", "json"}, config);
    INFO(busy.out << busy.err);
    CHECK(busy.exit_code == 0);  // another process has it: not a failure
    CHECK(skipped_with(busy.out, "dhcp03", "running elsewhere: held by other-pod:7:job 42 (schedule)"));
    CHECK(applied(busy.out, "dhcp03") == 0);
    CHECK(env.netbox_writes() == 0);
    CHECK(env.dhcp_writes("dhcp03") == 0);
    CHECK(redis.command({"GET", lock_key("dhcp03")}).find("other-pod:7") != std::string::npos);  // untouched

    redis.command({"DEL", lock_key("dhcp03")});
    auto free = env.run({"sync", "--server", "dhcp03", "--output", "json"}, config);
    INFO(free.out << free.err);
    CHECK(free.exit_code == 0);
    CHECK(applied(free.out, "dhcp03") > 0);
    CHECK(redis.command({"EXISTS", lock_key("dhcp03")}) == "0");  // given back
    // Recorded for the other processes' schedules, for a little less than sync.interval (default 60m).
    CHECK(redis.command({"GET", std::string(kPrefix) + ":synced:dhcp03"}).find(":sync") != std::string::npos);
    auto ttl = std::stoll(redis.command({"PTTL", std::string(kPrefix) + ":synced:dhcp03"}));
    CHECK(ttl > 50LL * 60 * 1000);
    CHECK(ttl <= 54LL * 60 * 1000);
}

TEST_CASE("coordination: a failover pair is one unit: a lock held on one member keeps the other out too") {
    RedisServer redis;
    auto env = make_environment();
    auto config = coordinated(env.write_config(), redis);
    redis.command({"SET", lock_key("dhcp02"), "0123456789abcdef0123456789abcdef other-pod:7:job 43", "PX", "30000"});

    auto result = env.run({"sync", "--server", "dhcp01", "--server", "dhcp03", "--output", "json"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(skipped_with(result.out, "dhcp01", "its failover partner dhcp02 is held by other-pod:7:job 43"));
    CHECK(applied(result.out, "dhcp01") == 0);
    CHECK(env.dhcp_writes("dhcp01") == 0);
    CHECK(applied(result.out, "dhcp03") > 0);  // the standalone server is its own unit
    // dhcp01's lock, taken before its partner's was found busy, was given back at once.
    CHECK(redis.command({"EXISTS", lock_key("dhcp01")}) == "0");
}

TEST_CASE("coordination: of two processes started together, each server is synced by one of them only") {
    RedisServer redis;
    auto env = make_environment();
    // Slow NetBox writes keep the first process's locks held while the second one starts.
    env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 100}});
    auto config = coordinated(env.write_config(), redis, "", "  page_size: 1\n  max_concurrent_writes: 1\n");

    auto first = std::async(std::launch::async, [&] { return env.run({"sync", "--output", "json"}, config); });
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (redis.command({"EXISTS", lock_key("dhcp01"), lock_key("dhcp02"), lock_key("dhcp03")}) != "3") {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(10ms);
    }
    auto second = env.run({"sync", "--output", "json"}, config);
    auto first_result = first.get();
    INFO(first_result.out << first_result.err);
    INFO(second.out << second.err);
    CHECK(first_result.exit_code == 0);
    CHECK(second.exit_code == 0);
    int first_applied = 0;
    for (const char* server : {"dhcp01", "dhcp02", "dhcp03"}) {
        CAPTURE(server);
        first_applied += applied(first_result.out, server);
        CHECK_FALSE(skipped_with(first_result.out, server, "running elsewhere"));
        CHECK(applied(second.out, server) == 0);
        CHECK(skipped_with(second.out, server, "running elsewhere"));
    }
    CHECK(first_applied > 0);
    for (const char* server : {"dhcp01", "dhcp02", "dhcp03"}) CHECK(redis.command({"EXISTS", lock_key(server)}) == "0");
}

TEST_CASE("coordination: Redis going away mid-run stops the run before its next write batch, exit 1, lock lost reported") {
    RedisServer redis;
    auto env = make_environment();
    // One object per NetBox write request, 300 ms each: the run writes for seconds.
    env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 300}});
    auto config = coordinated(env.write_config(), redis,
                              "    lock_ttl: 1500ms\n    renew_every: 300ms\n    command_timeout: 300ms\n",
                              "  page_size: 1\n  max_concurrent_writes: 1\n");

    auto run = std::async(std::launch::async, [&] { return env.run({"sync", "--server", "dhcp03", "--output", "json"}, config); });
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (env.netbox_writes() < 1) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(5ms);
    }
    redis.stop();
    auto writes_at_stop = env.netbox_writes();
    auto result = run.get();
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("lock lost: server 'dhcp03'") != std::string::npos);
    CHECK(skipped_with(result.out, "dhcp03", "not applied: lock lost"));
    // Noticed at the next renewal (300 ms), then the write in flight finishes: a few writes at most.
    CHECK(env.netbox_writes() - writes_at_stop <= 3);

    // The run was cut short; with Redis back, a follow-up sync completes it.
    redis.start();
    env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 0}});
    auto rest = env.run({"sync", "--server", "dhcp03", "--output", "json"}, config);
    INFO(rest.out << rest.err);
    CHECK(rest.exit_code == 0);
    CHECK(applied(rest.out, "dhcp03") > 0);
}

TEST_CASE("coordination: the service's /readyz follows Redis, and a scheduled run skips a server another process just synced") {
    RedisServer redis;
    auto env = make_environment();
    auto config = coordinated(env.write_service_config(""), redis);
    // Another process finished dhcp03 a moment ago.
    redis.command({"SET", std::string(kPrefix) + ":synced:dhcp03", "other-pod:7:job 44", "PX", "600000"});
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    LogDump dump{&service};
    INFO(dump);
    REQUIRE(service.wait_for_log("job finished", 30s));
    CHECK(service.log().find("synced recently by other-pod:7:job 44") != std::string::npos);
    CHECK(env.dhcp_writes("dhcp03") == 0);
    CHECK(service.metric("netbox_dhcp_sync_lock_acquisitions_total{result=\"acquired\"}") >= 2);
    CHECK(service.metric("netbox_dhcp_sync_locks_held") == 0);

    CHECK(service.call("GET", "/readyz").status == 200);
    redis.stop();
    auto down = service.call("GET", "/readyz");
    CHECK(down.status == 503);
    CHECK(down.body.find("coordination unreachable") != std::string::npos);
    redis.start();
    CHECK(service.call("GET", "/readyz").status == 200);
    service.signal(SIGTERM);
    CHECK(service.wait_exit(10s) == 0);
}
