// `netbox-dhcp-sync check`: one line per peer, and the exit code says which side failed.
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iterator>

using namespace nds::testing;

TEST_CASE("check reports NetBox, the token's user, the plugin and every DHCP server") {
    auto env = make_environment();
    auto result = env.run({"check"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("netbox token: ok (user alice)") != std::string::npos);
    CHECK(result.out.find("netbox-windows-dhcp plugin: ok") != std::string::npos);
    for (const auto& server : {"dhcp01", "dhcp02", "dhcp03"})
        CHECK(result.out.find(std::string("dhcp server ") + server) != std::string::npos);
    CHECK(result.out.find("FAILED") == std::string::npos);
    CHECK(env.netbox_writes() == 0);
}

TEST_CASE("check exits 1 when a DHCP server is down and 3 when NetBox refuses the token") {
    auto env = make_environment();
    env.dhcp("dhcp02").stop();
    auto down = env.run({"check"});
    INFO(down.out << down.err);
    CHECK(down.exit_code == 1);
    CHECK(down.out.find("dhcp server dhcp02") != std::string::npos);
    CHECK(down.out.find("FAILED") != std::string::npos);

    auto config = env.write_config("", "1111111111111111111111111111111111111111");
    auto refused = env.run({"check"}, config);
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code == 3);
}

TEST_CASE("a wrong PSU token is reported as a failed server, not as success") {
    auto env = make_environment();
    auto path = env.write_config();
    // Point dhcp01 at a token the simulator does not accept.
    std::string text;
    {
        std::ifstream in(path);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto at = text.find("dhcp_servers:\n");
    REQUIRE(at != std::string::npos);
    text.insert(at + 14, "  dhcp01:\n    token: wrong-token\n");
    std::ofstream(path) << text;
    auto result = env.run({"check"}, path);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("dhcp server dhcp01") != std::string::npos);
    CHECK(result.out.find("401") != std::string::npos);
}

namespace {
std::string config_with_dhcp01_token(SyncEnvironment& env, const std::string& token) {
    auto path = env.write_config();
    std::string text;
    {
        std::ifstream in(path);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto at = text.find("dhcp_servers:\n");
    REQUIRE(at != std::string::npos);
    text.insert(at + 14, "  dhcp01:\n    token: " + token + "\n");
    std::ofstream(path) << text;
    return path;
}
}  // namespace

TEST_CASE("check verifies that each PSU token may write (POST /health), and a read-only token fails it") {
    auto env = make_environment();
    auto all_writable = env.run({"check"});
    INFO(all_writable.out << all_writable.err);
    CHECK(all_writable.out.find("write access: ok (the App Token may write (POST /health))") != std::string::npos);

    env.dhcp("dhcp01").post("/_sim/config", boost::json::object{{"reader_token", "read-only-token"}});
    auto result = env.run({"check"}, config_with_dhcp01_token(env, "read-only-token"));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    auto line = result.out.find("write access: FAILED");
    REQUIRE(line != std::string::npos);
    CHECK(result.out.find("403", line) != std::string::npos);
    CHECK(result.out.rfind("dhcp server dhcp01", line) != std::string::npos);
    CHECK(result.out.find("dhcp server dhcp02", line) != std::string::npos);  // the failure is dhcp01's
}

TEST_CASE("check warns when the plugin's own sync job runs beside it, and says how to stop it") {
    auto env = make_environment();
    auto quiet = env.run({"check"});
    INFO(quiet.out << quiet.err);
    CHECK(quiet.out.find("plugin sync job: ok") != std::string::npos);

    // The system job as NetBox keeps it: scheduled hourly, and a run a minute ago that skipped dhcp02 (the
    // plugin's maintenance mode) and logged the plugin's own lease_status.
    auto now = std::chrono::system_clock::now();
    auto iso = [](std::chrono::system_clock::time_point t) {
        std::time_t c = std::chrono::system_clock::to_time_t(t);
        char buffer[32];
        std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&c));
        return std::string(buffer);
    };
    env.netbox().seed(boost::json::object{{"jobs", boost::json::array{
        boost::json::object{{"name", "Windows DHCP Sync"}, {"status", "scheduled"}, {"interval", 60},
                            {"scheduled", iso(now + std::chrono::minutes(59))}},
        boost::json::object{{"name", "Windows DHCP Sync"}, {"status", "completed"}, {"interval", 60},
                            {"started", iso(now - std::chrono::minutes(2))}, {"completed", iso(now - std::chrono::minutes(1))},
                            {"log", boost::json::array{"Starting DHCP sync: sync_ip_addresses=True lease_status='leased' "
                                                       "reservation_status='reserved'",
                                                       "Skipping server dhcp02: maintenance mode enabled"}}}}}});
    auto result = env.run({"check"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);  // a warning, not a failure
    CHECK(result.out.find("plugin sync job: WARNING") != std::string::npos);
    CHECK(result.out.find("and synced dhcp01, dhcp03: it writes the same NetBox objects") != std::string::npos);
    CHECK(result.out.find("turn on the plugin's maintenance mode") != std::string::npos);
    CHECK(result.out.find("the plugin's own lease_status is 'leased' but sync.lease_status is 'dhcp'") != std::string::npos);
    CHECK(result.err.find("PLUGIN_JOB_WRITES") != std::string::npos);
    CHECK(env.netbox_writes() == 0);
}
