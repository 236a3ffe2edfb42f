// The deployment files (systemd/, deploy/) say what README "Deployment" promises. When systemd-analyze is
// installed, the unit is also checked with `systemd-analyze verify` (offline; it needs no running systemd).
#include "daemon/config.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::string read(const std::string& relative) {
    std::ifstream in(std::string(NDS_SOURCE_DIR) + "/" + relative);
    REQUIRE_MESSAGE(in, relative);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream lines(text);
    std::string l;
    while (std::getline(lines, l))
        if (l == line) return true;
    return false;
}

/// Runs a shell command; its exit status and combined output.
std::pair<int, std::string> shell(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return {-1, ""};
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
    int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

YAML::Node find_container(const YAML::Node& pod_spec) { return pod_spec["containers"][0]; }

}  // namespace

TEST_CASE("deployment: the systemd unit is Type=notify, hardened, with a dedicated user and a restart policy") {
    auto unit = read("systemd/netbox-dhcp-sync.service");
    for (const char* line : {"Type=notify", "NotifyAccess=main", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure",
                             "User=netbox-dhcp-sync", "DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict",
                             "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=", "KillSignal=SIGTERM"})
        CHECK_MESSAGE(has_line(unit, line), line);
    CHECK(unit.find("ExecStart=/usr/local/bin/netbox-dhcp-sync run") != std::string::npos);
}

TEST_CASE("deployment: systemd-analyze verify accepts the unit (when systemd-analyze is installed)") {
    if (::access("/usr/bin/systemd-analyze", X_OK) != 0) {
        MESSAGE("systemd-analyze not installed: skipped");
        return;
    }
    // verify also checks that ExecStart's binary exists: point it at one that does.
    auto unit = std::regex_replace(read("systemd/netbox-dhcp-sync.service"), std::regex("/usr/local/bin/netbox-dhcp-sync"),
                                   "/bin/true");
    char dir[] = "/tmp/nds-unit-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    auto path = std::string(dir) + "/netbox-dhcp-sync.service";
    std::ofstream(path) << unit;
    auto [status, output] = shell("SYSTEMD_LOG_COLOR=0 /usr/bin/systemd-analyze verify " + path);
    CHECK_MESSAGE(status == 0, output);
    // Unknown or misspelt keys are only warnings for systemd: treat any output as a failure.
    CHECK_MESSAGE(output.empty(), output);
    std::remove(path.c_str());
    ::rmdir(dir);
}

TEST_CASE("deployment: the Dockerfile is multi-stage Debian 12 and runs as a non-root user") {
    auto docker = read("deploy/Dockerfile");
    CHECK(docker.find("FROM debian:12 AS build") != std::string::npos);
    CHECK(docker.find("FROM debian:12-slim") != std::string::npos);
    CHECK(docker.find("COPY --from=build") != std::string::npos);
    for (const char* package : {"libboost1.81-dev", "libboost-json1.81-dev", "libssl-dev", "libyaml-cpp-dev",
                                "libssh-dev", "libhiredis-dev", "libssl3", "libyaml-cpp0.7", "libboost-json1.81.0",
                                "libssh-4", "libhiredis0.14"})
        CHECK_MESSAGE(docker.find(package) != std::string::npos, package);
    CHECK(docker.find("USER 10001:10001") != std::string::npos);
    CHECK(has_line(docker, "EXPOSE 9595"));
    CHECK(has_line(docker, "ENV NETBOX_DHCP_SYNC_CONFIG=/etc/netbox-dhcp-sync/config.yaml"));
    CHECK(docker.find("CMD [\"run\"]") != std::string::npos);
    // The runtime stage runs the binary once, so a shared library missing from its package list fails the build.
    CHECK(has_line(docker, "RUN /usr/local/bin/netbox-dhcp-sync --version"));
}

TEST_CASE("deployment: the Docker build context has every source folder the build needs, and no build directory") {
    // The build stage copies the whole context; Dockerfile.dockerignore must not leave out a folder with a
    // CMakeLists.txt that a build without tests, benchmark and fuzzers adds.
    namespace fs = std::filesystem;
    auto ignore = read("deploy/Dockerfile.dockerignore");
    CHECK(read("deploy/Dockerfile").find("\nCOPY . .\n") != std::string::npos);
    for (const char* excluded : {".git", "build*", "tests", "bench", "fuzz"}) CHECK_MESSAGE(has_line(ignore, excluded), excluded);
    int source_folders = 0;
    for (const auto& entry : fs::directory_iterator(NDS_SOURCE_DIR)) {
        auto name = entry.path().filename().string();
        if (!entry.is_directory() || !fs::exists(entry.path() / "CMakeLists.txt")) continue;
        if (name == "tests" || name == "bench" || name == "fuzz") continue;
        ++source_folders;
        CHECK_MESSAGE(!has_line(ignore, name), (name + " is built into the binary but excluded from the context"));
        CHECK_MESSAGE(!has_line(ignore, name + "/"), name);
    }
    CHECK(source_folders >= 7);  // util sync_engine dhcp_backend http netbox_client psu_client daemon, at least
    CHECK_FALSE(has_line(ignore, "CMakeLists.txt"));
    CHECK_FALSE(has_line(ignore, "config.example.yaml"));
}

TEST_CASE("deployment: the Kubernetes workloads run the image deploy/Dockerfile builds, as it expects to run") {
    // The image is <registry>/netbox-dhcp-sync:<project version>, run as the Dockerfile's user with the
    // config where the Dockerfile's ENV points, read-only (scripts/container-test.sh runs it that way).
    auto cmake = read("CMakeLists.txt");
    std::smatch version;
    REQUIRE(std::regex_search(cmake, version, std::regex(R"(project\(netbox-dhcp-sync VERSION ([0-9.]+))")));
    auto escaped_version = std::regex_replace(version[1].str(), std::regex("\\."), "\\.");
    std::regex image_name("([a-z0-9.-]+(:[0-9]+)?/)*netbox-dhcp-sync:" + escaped_version);
    auto deployment = YAML::LoadAll(read("deploy/kubernetes/deployment.yaml"))[0];
    auto cron = YAML::Load(read("deploy/kubernetes/cronjob.yaml"));
    for (const auto& pod : {deployment["spec"]["template"]["spec"], cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]}) {
        auto container = find_container(pod);
        auto image = container["image"].as<std::string>();
        CHECK_MESSAGE(std::regex_match(image, image_name), image);
        CHECK(pod["securityContext"]["runAsUser"].as<int>() == 10001);
        CHECK(pod["securityContext"]["runAsGroup"].as<int>() == 10001);
        CHECK(container["securityContext"]["readOnlyRootFilesystem"].as<bool>());
        CHECK(container["volumeMounts"][0]["mountPath"].as<std::string>() == "/etc/netbox-dhcp-sync");
        bool config_argument = false;
        for (std::size_t i = 0; i + 1 < container["args"].size(); ++i)
            if (container["args"][i].as<std::string>() == "--config")
                config_argument = container["args"][i + 1].as<std::string>() == "/etc/netbox-dhcp-sync/config.yaml";
        CHECK(config_argument);
    }
    auto container = find_container(deployment["spec"]["template"]["spec"]);
    CHECK(container["ports"][0]["containerPort"].as<int>() == 9595);
    CHECK(container["livenessProbe"]["httpGet"]["port"].as<std::string>() == container["ports"][0]["name"].as<std::string>());
    CHECK(container["readinessProbe"]["httpGet"]["port"].as<std::string>() == container["ports"][0]["name"].as<std::string>());
}

TEST_CASE("deployment: the Kubernetes Deployment runs the service with probes and secrets from a Secret") {
    auto docs = YAML::LoadAll(read("deploy/kubernetes/deployment.yaml"));
    REQUIRE(docs.size() == 2);
    auto deployment = docs[0];
    CHECK(deployment["kind"].as<std::string>() == "Deployment");
    CHECK(deployment["spec"]["replicas"].as<int>() == 1);
    auto pod = deployment["spec"]["template"]["spec"];
    CHECK(pod["securityContext"]["runAsNonRoot"].as<bool>());
    auto container = find_container(pod);
    CHECK(container["args"][0].as<std::string>() == "run");
    CHECK(container["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/healthz");
    CHECK(container["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/readyz");
    int from_secret = 0;
    for (const auto& env : container["env"])
        if (env["valueFrom"]["secretKeyRef"]["name"].as<std::string>() == "netbox-dhcp-sync") ++from_secret;
    CHECK(from_secret == 3);
    CHECK(docs[1]["kind"].as<std::string>() == "Service");
}

TEST_CASE("deployment: the Kubernetes CronJob runs the one-shot sync, the ConfigMap holds a valid config") {
    auto cron = YAML::LoadFile(std::string(NDS_SOURCE_DIR) + "/deploy/kubernetes/cronjob.yaml");
    CHECK(cron["kind"].as<std::string>() == "CronJob");
    CHECK(cron["spec"]["concurrencyPolicy"].as<std::string>() == "Forbid");
    auto container = find_container(cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]);
    CHECK(container["args"][0].as<std::string>() == "sync");
    CHECK(container["env"][0]["valueFrom"]["secretKeyRef"]["key"].as<std::string>() == "netbox-token");

    auto map = YAML::LoadFile(std::string(NDS_SOURCE_DIR) + "/deploy/kubernetes/configmap.yaml");
    auto config = YAML::Load(map["data"]["config.yaml"].as<std::string>());
    CHECK(config["service"]["listen"].as<std::string>() == "0.0.0.0:9595");
    auto parsed = nds::daemon::parse_config(map["data"]["config.yaml"].as<std::string>(),
                                            [](const char*) { return std::string("from-env"); });
    REQUIRE_MESSAGE(parsed, (parsed ? "" : parsed.error().message));
    CHECK(parsed->netbox.token == "from-env");
    auto secret = YAML::LoadFile(std::string(NDS_SOURCE_DIR) + "/deploy/kubernetes/secret.example.yaml");
    CHECK(secret["kind"].as<std::string>() == "Secret");
}

// ctest runs every doctest case by name (doctest_discover_tests); CMake splits a name at ';', so a case
// with ';' in its name was registered under a prefix that matches nothing, and "passed" without running.
TEST_CASE("no test case name contains a semicolon (ctest would silently run nothing for it)") {
    namespace fs = std::filesystem;
    std::vector<std::string> offenders;
    for (const auto& entry : fs::recursive_directory_iterator(NDS_SOURCE_DIR "/tests")) {
        if (entry.path().extension() != ".cpp") continue;
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            auto at = line.find("TEST_CASE(\"");
            if (at == std::string::npos) continue;
            auto end = line.find("\")", at);
            if (line.substr(at, end == std::string::npos ? std::string::npos : end - at).find(';') != std::string::npos)
                offenders.push_back(entry.path().filename().string() + ": " + line);
        }
    }
    for (const auto& line : offenders) FAIL_CHECK(line);
    CHECK(offenders.empty());
}
