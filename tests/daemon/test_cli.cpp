#include "daemon/cli.hpp"

#include <doctest/doctest.h>

using namespace nds::daemon;

namespace {
std::string no_env(const char*) { return ""; }
std::string config_env(const char* name) {
    return std::string(name) == "NETBOX_DHCP_SYNC_CONFIG" ? "/from/env.yaml" : "";
}
}  // namespace

TEST_CASE("sync with every flag") {
    auto cli = parse_cli({"sync", "--config", "/c.yaml", "--server", "dhcp01", "--server=dhcp02", "--dry-run",
                          "--allow-mass-delete", "--output", "json", "-v"},
                         no_env);
    REQUIRE(cli);
    CHECK(cli->command == Command::sync);
    CHECK(cli->config_path == "/c.yaml");
    CHECK(cli->servers == std::vector<std::string>{"dhcp01", "dhcp02"});
    CHECK(cli->dry_run);
    CHECK(cli->allow_mass_delete);
    CHECK(cli->output_json);
    CHECK(cli->verbose);
}

TEST_CASE("config path falls back to the environment, then /etc") {
    auto from_env = parse_cli({"sync"}, config_env);
    REQUIRE(from_env);
    CHECK(from_env->config_path == "/from/env.yaml");
    auto fallback = parse_cli({"check"}, no_env);
    REQUIRE(fallback);
    CHECK(fallback->config_path == "/etc/netbox-dhcp-sync/config.yaml");
}

TEST_CASE("usage errors name the problem") {
    auto unknown = parse_cli({"sink"}, no_env);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().message.find("sink") != std::string::npos);
    auto bad_flag = parse_cli({"sync", "--dryrun"}, no_env);
    REQUIRE_FALSE(bad_flag);
    CHECK(bad_flag.error().message.find("--dryrun") != std::string::npos);
    auto bad_output = parse_cli({"sync", "--output", "xml"}, no_env);
    REQUIRE_FALSE(bad_output);
    CHECK(bad_output.error().message.find("xml") != std::string::npos);
    auto missing_value = parse_cli({"sync", "--server"}, no_env);
    REQUIRE_FALSE(missing_value);
    CHECK_FALSE(parse_cli({"import"}, no_env));
    CHECK_FALSE(parse_cli({"check", "--dry-run"}, no_env));
    CHECK_FALSE(parse_cli({}, no_env));
}

TEST_CASE("--help and --version") {
    CHECK(parse_cli({"--help"}, no_env)->command == Command::help);
    CHECK(parse_cli({"--version"}, no_env)->command == Command::version);
    CHECK(usage_text().find("--allow-mass-delete") != std::string::npos);
}
