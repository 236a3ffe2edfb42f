#include "daemon/config.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <unistd.h>
#include <fstream>
#include <string>

using namespace nds::daemon;

namespace {

std::string fake_env(const char* name) {
    std::string key = name;
    if (key == "PSU_TOKEN") return "psu-secret";
    if (key == "NB") return "from-env-var";
    return "";
}

std::string netbox_token_env(const char* name) {
    return std::string(name) == "NETBOX_TOKEN" ? "override-token" : "";
}

const char* minimal = "netbox:\n  url: https://netbox.example.com\n  token: abc\n";

}  // namespace

TEST_CASE("minimal config takes the documented defaults") {
    auto config = parse_config(minimal, fake_env);
    REQUIRE(config);
    CHECK(config->netbox.url == "https://netbox.example.com");
    CHECK(config->netbox.token == "abc");
    CHECK(config->netbox.plugin_path == "/api/plugins/windows-dhcp/");
    CHECK(config->netbox.page_size == 1000);
    CHECK(config->netbox.max_concurrent_writes == 2);
    CHECK(config->netbox.timeout == std::chrono::seconds(30));
    CHECK(config->sync.settings.lease_status == "dhcp");
    CHECK(config->sync.settings.reservation_status == "reserved");
    CHECK(config->sync.settings.managed_tag == "dhcp-sync");
    CHECK(config->sync.settings.max_delete_fraction == doctest::Approx(0.5));
    CHECK(config->sync.settings.max_delete_min == 10);
    CHECK(config->sync.interval == std::chrono::minutes(60));
    CHECK(config->service.listen == "127.0.0.1:9595");
    CHECK(config->log.level == LogLevel::info);
}

TEST_CASE("config.example.yaml parses") {
    std::ifstream in(NDS_SOURCE_DIR "/config.example.yaml");
    REQUIRE(in);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto config = parse_config(text, fake_env);
    REQUIRE_MESSAGE(config, (config ? "" : config.error().message));
    CHECK(config->server("anything").token == "psu-secret");
}

TEST_CASE("unknown keys are rejected with their full path") {
    auto config = parse_config(std::string(minimal) + "sync:\n  ip_adresses: true\n", fake_env);
    REQUIRE_FALSE(config);
    CHECK(config.error().message.find("sync.ip_adresses") != std::string::npos);
    CHECK(config.error().message.find("unknown key") != std::string::npos);

    auto top = parse_config(std::string(minimal) + "extra: 1\n", fake_env);
    REQUIRE_FALSE(top);
    CHECK(top.error().message.find("extra: unknown key") != std::string::npos);
}

TEST_CASE("bad values name the key and the value") {
    auto check = [](const std::string& yaml, const std::string& key, const std::string& value) {
        auto config = parse_config(std::string(minimal) + yaml, fake_env);
        REQUIRE_FALSE(config);
        INFO(config.error().message);
        CHECK(config.error().message.find(key) != std::string::npos);
        CHECK(config.error().message.find(value) != std::string::npos);
    };
    check("sync:\n  ip_addresses: maybe\n", "sync.ip_addresses", "maybe");
    check("sync:\n  interval: 1m\n", "sync.interval", "1m");
    check("sync:\n  interval: soon\n", "sync.interval", "soon");
    check("sync:\n  max_delete_fraction: 2\n", "sync.max_delete_fraction", "2");
    check("sync:\n  lease_status: reserved\n", "sync.reservation_status", "reserved");
    check("sync:\n  managed_tag: 'has space'\n", "sync.managed_tag", "has space");
    check("log:\n  level: loud\n", "log.level", "loud");
    check("log:\n  format: xml\n", "log.format", "xml");
    check("service:\n  listen: nowhere\n", "service.listen", "nowhere");
    check("dhcp_servers:\n  dhcp01:\n    timeout: 0s\n", "dhcp_servers.dhcp01.timeout", "0s");
    check("dhcp_servers:\n  dhcp01:\n    tokn: x\n", "dhcp_servers.dhcp01.tokn", "unknown key");

    auto bad_url = parse_config("netbox:\n  url: ftp://x\n  token: a\n", fake_env);
    REQUIRE_FALSE(bad_url);
    CHECK(bad_url.error().message.find("netbox.url") != std::string::npos);
    auto no_url = parse_config("netbox:\n  token: a\n", fake_env);
    REQUIRE_FALSE(no_url);
    CHECK(no_url.error().message.find("netbox.url: is required") != std::string::npos);
}

TEST_CASE("${VAR} is expanded and $NETBOX_TOKEN overrides netbox.token") {
    auto config = parse_config("netbox:\n  url: https://n\n  token: ${NB}\n", fake_env);
    REQUIRE(config);
    CHECK(config->netbox.token == "from-env-var");
    auto overridden = parse_config("netbox:\n  url: https://n\n  token: inline\n", netbox_token_env);
    REQUIRE(overridden);
    CHECK(overridden->netbox.token == "override-token");
}

TEST_CASE("token_file reads the secret and strips the newline") {
    std::string path = "/tmp/nds-test-token-" + std::to_string(::getpid());
    { std::ofstream(path) << "file-secret\n"; }
    auto config = parse_config("netbox:\n  url: https://n\n  token_file: " + path + "\n", fake_env);
    std::remove(path.c_str());
    REQUIRE(config);
    CHECK(config->netbox.token == "file-secret");
    auto both = parse_config("netbox:\n  url: https://n\n  token: a\n  token_file: /x\n", fake_env);
    REQUIRE_FALSE(both);
    CHECK(both.error().message.find("not both") != std::string::npos);
}

TEST_CASE("a server's own entry inherits from default") {
    auto config = parse_config(std::string(minimal) +
                                   "dhcp_servers:\n  default:\n    token: d\n    max_concurrent: 3\n"
                                   "  dhcp01:\n    token: own\n",
                               fake_env);
    REQUIRE(config);
    CHECK(config->server("dhcp01").token == "own");
    CHECK(config->server("dhcp01").max_concurrent == 3);
    CHECK(config->server("dhcp02").token == "d");
}

TEST_CASE("durations") {
    CHECK(parse_duration("250ms") == std::chrono::milliseconds(250));
    CHECK(parse_duration("30s") == std::chrono::seconds(30));
    CHECK(parse_duration("5m") == std::chrono::minutes(5));
    CHECK(parse_duration("2h") == std::chrono::hours(2));
    CHECK_FALSE(parse_duration("5"));
    CHECK_FALSE(parse_duration("m"));
    CHECK_FALSE(parse_duration("-5s"));
    CHECK_FALSE(parse_duration("5d"));
}

TEST_CASE("service keys: defaults, values and ranges") {
    auto defaults = parse_config(minimal, fake_env);
    REQUIRE(defaults);
    CHECK_FALSE(defaults->netbox.journal);
    CHECK(defaults->service.job_history == 100);
    CHECK(defaults->service.job_retention == std::chrono::hours(24));
    CHECK(defaults->service.max_queued_jobs == 100);
    CHECK(defaults->service.job_log_lines == 2000);
    CHECK(defaults->service.max_body_bytes == 1024u * 1024u);
    CHECK(defaults->service.shutdown_timeout == std::chrono::seconds(60));
    CHECK(defaults->service.webhook_debounce == std::chrono::seconds(5));
    CHECK(defaults->service.max_connections == 128);
    CHECK(defaults->service.idle_timeout == std::chrono::seconds(60));

    auto set = parse_config(std::string(minimal) + "  journal: true\n"
                            "service:\n  job_history: 5\n  job_retention: 2h\n  max_queued_jobs: 7\n"
                            "  job_log_lines: 50\n  max_body_bytes: 4096\n  shutdown_timeout: 20s\n  webhook_debounce: 250ms\n"
                            "  max_connections: 16\n  idle_timeout: 15s\n",
                            fake_env);
    REQUIRE_MESSAGE(set, (set ? "" : set.error().message));
    CHECK(set->netbox.journal);
    CHECK(set->service.job_history == 5);
    CHECK(set->service.job_retention == std::chrono::hours(2));
    CHECK(set->service.max_queued_jobs == 7);
    CHECK(set->service.job_log_lines == 50);
    CHECK(set->service.max_body_bytes == 4096u);
    CHECK(set->service.shutdown_timeout == std::chrono::seconds(20));
    CHECK(set->service.webhook_debounce == std::chrono::milliseconds(250));
    CHECK(set->service.max_connections == 16);
    CHECK(set->service.idle_timeout == std::chrono::seconds(15));

    auto bad = [](const std::string& yaml, const std::string& key) {
        auto config = parse_config(std::string(minimal) + yaml, fake_env);
        REQUIRE_FALSE(config);
        CHECK_MESSAGE(config.error().message.find(key) != std::string::npos, config.error().message);
    };
    bad("service:\n  job_history: 0\n", "service.job_history");
    bad("service:\n  max_body_bytes: 10\n", "service.max_body_bytes");
    bad("service:\n  max_connections: 0\n", "service.max_connections");
    bad("service:\n  idle_timeout: 10ms\n", "service.idle_timeout");
    bad("service:\n  job_retention: forever\n", "service.job_retention");
    bad("service:\n  max_queued_job: 3\n", "service.max_queued_job");
    bad("  journal: maybe\n", "netbox.journal");
}

TEST_CASE("sizes") {
    CHECK(parse_size("1048576") == 1048576u);
    CHECK(parse_size("512KiB") == 512u * 1024);
    CHECK(parse_size("64MiB") == 64u * 1024 * 1024);
    CHECK(parse_size("2GiB") == 2ull * 1024 * 1024 * 1024);
    CHECK_FALSE(parse_size(""));
    CHECK_FALSE(parse_size("MiB"));
    CHECK_FALSE(parse_size("-1"));
    CHECK_FALSE(parse_size("10MB"));  // only the binary suffixes: no guessing between 10^6 and 2^20
    CHECK_FALSE(parse_size("1.5MiB"));
    CHECK_FALSE(parse_size("999999999999999GiB"));  // overflow
}

TEST_CASE("bounds: retries and response sizes for NetBox and each DHCP server, webhook backlog") {
    auto defaults = parse_config(minimal, fake_env);
    REQUIRE(defaults);
    CHECK(defaults->netbox.max_retries == 3);
    CHECK(defaults->netbox.max_response_bytes == 256u * 1024 * 1024);
    CHECK(defaults->server("dhcp01").max_retries == 3);
    CHECK(defaults->server("dhcp01").max_response_bytes == 64u * 1024 * 1024);
    CHECK(defaults->server("dhcp01").timeout == std::chrono::seconds(30));
    CHECK(defaults->service.webhook_max_pending == 1000);

    auto set = parse_config(std::string(minimal) + "  max_retries: 0\n  max_response_bytes: 32MiB\n"
                            "dhcp_servers:\n  default:\n    max_retries: 5\n    max_response_bytes: 1MiB\n"
                            "  dhcp01:\n    max_retries: 1\n"
                            "service:\n  webhook_max_pending: 50\n  max_body_bytes: 64KiB\n",
                            fake_env);
    REQUIRE_MESSAGE(set, (set ? "" : set.error().message));
    CHECK(set->netbox.max_retries == 0);
    CHECK(set->netbox.max_response_bytes == 32u * 1024 * 1024);
    CHECK(set->server("dhcp02").max_retries == 5);
    CHECK(set->server("dhcp02").max_response_bytes == 1024u * 1024);
    CHECK(set->server("dhcp01").max_retries == 1);
    CHECK(set->server("dhcp01").max_response_bytes == 1024u * 1024);  // inherited from default
    CHECK(set->service.webhook_max_pending == 50);
    CHECK(set->service.max_body_bytes == 64u * 1024);

    auto bad = [](const std::string& yaml, const std::string& key) {
        auto config = parse_config(std::string(minimal) + yaml, fake_env);
        REQUIRE_FALSE(config);
        CHECK_MESSAGE(config.error().message.find(key) != std::string::npos, config.error().message);
    };
    bad("  max_retries: 11\n", "netbox.max_retries");
    bad("  max_retries: -1\n", "netbox.max_retries");
    bad("  max_response_bytes: 10\n", "netbox.max_response_bytes");   // below 64 KiB
    bad("  max_response_bytes: 8GiB\n", "netbox.max_response_bytes");  // above 4 GiB
    bad("  max_response_bytes: lots\n", "netbox.max_response_bytes");
    bad("dhcp_servers:\n  dhcp01:\n    max_retries: many\n", "dhcp_servers.dhcp01.max_retries");
    bad("dhcp_servers:\n  default:\n    max_response_bytes: 1TiB\n", "dhcp_servers.default.max_response_bytes");
    bad("service:\n  webhook_max_pending: 0\n", "service.webhook_max_pending");
}

TEST_CASE("a key given twice, or a section given twice, is an error naming it and both lines") {
    auto twice = parse_config(std::string(minimal) + "sync:\n  ip_addresses: true\n  ip_addresses: false\n", fake_env);
    REQUIRE_FALSE(twice);
    INFO(twice.error().message);
    CHECK(twice.error().message.find("sync.ip_addresses: given twice (lines 5 and 6)") != std::string::npos);

    // A second section used to be dropped whole, unknown keys in it included.
    auto section = parse_config(std::string(minimal) + "sync:\n  ip_addresses: true\nsync:\n  protect_tag: keep\n", fake_env);
    REQUIRE_FALSE(section);
    CHECK(section.error().message.find("sync: given twice (lines 4 and 6)") != std::string::npos);

    auto server = parse_config(std::string(minimal) + "dhcp_servers:\n  dhcp01:\n    timeout: 5s\n  dhcp01:\n    timeout: 9s\n", fake_env);
    REQUIRE_FALSE(server);
    CHECK(server.error().message.find("dhcp_servers.dhcp01: given twice") != std::string::npos);

    // The same key in different mappings is fine.
    CHECK(parse_config(std::string(minimal) + "dhcp_servers:\n  a:\n    timeout: 5s\n  b:\n    timeout: 9s\n", fake_env));
}

TEST_CASE("a quoted value left open is an error instead of swallowing the keys below it") {
    auto open_double = parse_config(std::string(minimal) + "sync:\n  managed_tag: \"dhcp-sync\n  protect_tag: keep\n  lease_status: dhcp\"\n", fake_env);
    REQUIRE_FALSE(open_double);
    INFO(open_double.error().message);
    CHECK(open_double.error().message.find("sync.managed_tag: the quoted value opened on line 5 does not close") != std::string::npos);

    auto open_single = parse_config(std::string(minimal) + "sync:\n  managed_tag: 'dhcp-sync\n  protect_tag: keep\n  lease_status: dhcp'\n", fake_env);
    REQUIRE_FALSE(open_single);
    CHECK(open_single.error().message.find("sync.managed_tag") != std::string::npos);

    // Closed quotes, escapes and '' inside single quotes are fine; so is a block scalar.
    auto fine = parse_config("netbox:\n  url: \"https://n\"\n  token: \"a\\\"b\"\n"
                             "  plugin_path: '/api/plugins/it''s/'\nsync:\n  managed_tag: \"dhcp-sync\"\n"
                             "dhcp_servers:\n  dhcp01:\n    token: |-\n      abc\n",
                             fake_env);
    REQUIRE_MESSAGE(fine, (fine ? "" : fine.error().message));
    CHECK(fine->netbox.token == "a\"b");
    CHECK(fine->netbox.plugin_path == "/api/plugins/it's/");
    CHECK(fine->server("dhcp01").token == "abc");
}

TEST_CASE("tokens, user names and passwords with a line break are refused, and a password in a URL is never printed") {
    auto token = parse_config("netbox:\n  url: https://n\n  token: \"abc\\r\\nX-Injected: 1\"\n", fake_env);
    REQUIRE_FALSE(token);
    CHECK(token.error().message.find("netbox.token: contains a line break") != std::string::npos);

    char path[] = "/tmp/nds-token-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(path) << "first-line\nsecond-line\n";
    auto file = parse_config("dhcp_servers:\n  dhcp01:\n    token_file: " + std::string(path) + "\n" +
                                 "netbox:\n  url: https://n\n  token: a\n",
                             fake_env);
    std::remove(path);
    REQUIRE_FALSE(file);
    CHECK(file.error().message.find("dhcp_servers.dhcp01.token_file: contains a line break") != std::string::npos);

    auto url = parse_config("netbox:\n  url: https://admin:hunter2@netbox.example.com/\n  token: a\n", fake_env);
    REQUIRE_FALSE(url);
    INFO(url.error().message);
    CHECK(url.error().message.find("hunter2") == std::string::npos);
    CHECK(url.error().message.find("https://admin:***@netbox.example.com/") != std::string::npos);
}

TEST_CASE("coordination.redis: the keys, the defaults, and a bad value named") {
    auto none = parse_config(minimal, fake_env);
    REQUIRE(none);
    CHECK_FALSE(none->coordination.redis);

    auto config = parse_config(std::string(minimal) + "coordination:\n  redis:\n    url: redis://sync@redis:6380/2\n"
                                                      "    password: ${PSU_TOKEN}\n    key_prefix: nds\n    lock_ttl: 9s\n",
                               fake_env);
    REQUIRE_MESSAGE(config, (config ? "" : config.error().message));
    REQUIRE(config->coordination.redis);
    CHECK(config->coordination.redis->url == "redis://sync@redis:6380/2");
    CHECK(config->coordination.redis->password == "psu-secret");
    CHECK(config->coordination.redis->key_prefix == "nds");
    CHECK(config->coordination.redis->lock_ttl == std::chrono::seconds(9));
    CHECK(config->coordination.redis->command_timeout == std::chrono::seconds(2));

    auto check = [](const std::string& yaml, const std::string& key, const std::string& value) {
        auto bad = parse_config(std::string(minimal) + "coordination:\n  redis:\n" + yaml, fake_env);
        REQUIRE_FALSE(bad);
        INFO(bad.error().message);
        CHECK(bad.error().message.find(key) != std::string::npos);
        CHECK(bad.error().message.find(value) != std::string::npos);
    };
    check("    url: http://redis:6379\n", "coordination.redis.url", "http://redis:6379");
    check("    url: redis://u:hunter2@redis:99999\n", "coordination.redis.url", "***");
    check("    lock_ttl: 3s\n    renew_every: 2s\n", "coordination.redis.renew_every", "2000ms");
    check("    lock_tll: 3s\n", "coordination.redis.lock_tll", "unknown key");
    check("    ca_file: /nonexistent/ca.pem\n", "coordination.redis.ca_file", "/nonexistent/ca.pem");
    auto leaked = parse_config(std::string(minimal) + "coordination:\n  redis:\n    url: redis://u:hunter2@redis:99999\n", fake_env);
    REQUIRE_FALSE(leaked);
    CHECK(leaked.error().message.find("hunter2") == std::string::npos);
}
