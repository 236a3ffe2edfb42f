// Security, end to end against the simulators:
//   - TLS verification is on by default: a self-signed DHCP server or NetBox is refused (the message says
//     the certificate could not be verified) unless its CA is configured (ca_file) or verification is
//     turned off, which logs TLS_VERIFY_OFF;
//   - no token or secret (NetBox v1 and v2 tokens, the PSU token, the webhook secret) appears in anything
//     the daemon prints, at the most verbose log level, in text and JSON, nor in a job's output;
//   - the job API refuses requests without a token NetBox accepts, and one user cannot read another's job.
// (The webhook signature is compared in constant time: tests/daemon/test_webhook_verifier.cpp.)
#include "integration_fixture.hpp"
#include "tests/support/service_process.hpp"

#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace nds::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

/// A self-signed CA certificate for 127.0.0.1 (EC P-256, SAN IP:127.0.0.1), written at test time with the
/// OpenSSL C API (no openssl tool needed).
struct SelfSigned {
    std::string cert, key;

    explicit SelfSigned(const std::string& dir) : cert(dir + "/cert.pem"), key(dir + "/key.pem") {
        EVP_PKEY* pkey = EVP_EC_gen("P-256");
        REQUIRE(pkey != nullptr);
        X509* x = X509_new();
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(std::random_device{}() & 0x7fffffff));
        X509_gmtime_adj(X509_getm_notBefore(x), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x), 7 * 24 * 3600);
        X509_set_pubkey(x, pkey);
        X509_NAME* name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("nds-sim"), -1, -1, 0);
        X509_set_issuer_name(x, name);
        for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                  std::pair{NID_key_usage, "critical,digitalSignature,keyCertSign"},
                                  std::pair{NID_subject_key_identifier, "hash"},
                                  std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"}}) {
            X509V3_CTX ctx;
            X509V3_set_ctx_nodb(&ctx);
            X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
            X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
            REQUIRE(ext != nullptr);
            X509_add_ext(x, ext, -1);
            X509_EXTENSION_free(ext);
        }
        REQUIRE(X509_sign(x, pkey, EVP_sha256()) > 0);
        FILE* cf = std::fopen(cert.c_str(), "wb");
        PEM_write_X509(cf, x);
        std::fclose(cf);
        FILE* kf = std::fopen(key.c_str(), "wb");
        PEM_write_PrivateKey(kf, pkey, nullptr, nullptr, 0, nullptr, nullptr);
        std::fclose(kf);
        X509_free(x);
        EVP_PKEY_free(pkey);
    }
};

std::string write_file(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    return path;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

constexpr const char* kWebhookSecret = "whsec-0f1e2d3c4b5a69788796a5b4c3d2e1f0";

nds::http::Headers auth(const std::string& token) {
    return {{"Authorization", (token.rfind("nbt_", 0) == 0 ? "Bearer " : "Token ") + token}};
}

/// Every secret of the test estate, and the parts of the v2 token (key and secret) on their own.
std::vector<std::string> secrets() {
    std::string v2 = kBobToken;
    auto dot = v2.find('.');
    return {kAliceToken, kBobToken, v2.substr(4, dot - 4), v2.substr(dot + 1), kPsuToken, kWebhookSecret};
}

void check_no_secret(const std::string& what, const std::string& text) {
    for (const auto& secret : secrets()) CHECK_MESSAGE(!contains(text, secret), what << " contains the secret '" << secret << "'");
}

}  // namespace

TEST_CASE("security: a self-signed DHCP server is refused unless its CA is configured or verification is off") {
    auto env = make_environment();
    SelfSigned tls(env.work_dir());
    Simulator dhcp04(NDS_PSU_SIM, {"--token", kPsuToken, "--hostname", "dhcp04.corp.example.com", "--tls-cert", tls.cert,
                                   "--tls-key", tls.key},
                     env.work_dir() + "/psu-dhcp04.log");
    REQUIRE(dhcp04.url().rfind("https://", 0) == 0);
    dhcp04.seed(json::object{
        {"scopes", json::array{json::object{{"scope_id", "10.30.1.0"}, {"name", "Lab"}, {"start_ip", "10.30.1.10"},
                                            {"end_ip", "10.30.1.200"}, {"subnet_mask", "255.255.255.0"},
                                            {"description", ""}, {"state", "Active"}, {"lease_duration_seconds", 86400},
                                            {"router", "10.30.1.1"}, {"failover_name", nullptr}}}},
        {"leases", json::array{json::object{{"ip_address", "10.30.1.20"}, {"client_id", "aa-bb-cc-30-01-20"},
                                            {"hostname", "lab-1"}, {"scope_id", "10.30.1.0"},
                                            {"lease_expiry", "2026-12-01T00:00:00Z"}, {"address_state", "Active"}}}}});
    env.netbox().seed(json::object{{"servers", json::array{json::object{
        {"name", "dhcp04"}, {"hostname", "127.0.0.1"}, {"port", dhcp04.port()}, {"use_https", true},
        {"verify_ssl", true}, {"sync_standalone_scopes", true}, {"tags", json::array{}}}}}});

    auto config = [&](const std::string& name, const std::string& dhcp04_yaml) {
        return write_file(env.work_dir() + "/" + name + ".yaml",
                          "netbox:\n  url: " + env.netbox().url() + "\n  token: " + kAliceToken +
                              "\n  timeout: 5s\ndhcp_servers:\n  default:\n    token: " + kPsuToken +
                              "\n    timeout: 5s\n    max_retries: 0\n" + dhcp04_yaml + "log:\n  level: info\n");
    };

    SUBCASE("default: verification on, the system store does not know the simulator's CA") {
        auto cfg = config("default", "");
        auto check = env.run({"check"}, cfg);
        INFO(check.out << check.err);
        CHECK(check.exit_code == 1);
        CHECK(contains(check.out, "dhcp server dhcp04"));
        CHECK(contains(check.out + check.err, "TLS certificate verification failed"));
        CHECK(contains(check.out, "dhcp server dhcp03 (http://127.0.0.1:"));  // the others are fine
        auto sync = env.run({"sync", "--server", "dhcp04"}, cfg);
        INFO(sync.out << sync.err);
        CHECK(sync.exit_code == 1);
        CHECK(contains(sync.out + sync.err, "TLS certificate verification failed"));
        CHECK_FALSE(find_ip(env.netbox(), "10.30.1.20/24"));
    }
    SUBCASE("ca_file: the simulator's certificate is trusted") {
        auto cfg = config("ca", "  dhcp04:\n    ca_file: " + tls.cert + "\n");
        auto check = env.run({"check"}, cfg);
        INFO(check.out << check.err);
        CHECK(check.exit_code == 0);
        CHECK(contains(check.out, "dhcp server dhcp04 (https://127.0.0.1:"));
        auto sync = env.run({"sync", "--server", "dhcp04"}, cfg);
        INFO(sync.out << sync.err);
        CHECK(sync.exit_code == 0);
        CHECK(find_ip(env.netbox(), "10.30.1.20/24"));
        CHECK_FALSE(contains(sync.err, "TLS_VERIFY_OFF"));
    }
    SUBCASE("verify_tls false: accepted, with a TLS_VERIFY_OFF warning") {
        auto cfg = config("off", "  dhcp04:\n    verify_tls: false\n");
        auto check = env.run({"check"}, cfg);
        INFO(check.out << check.err);
        CHECK(check.exit_code == 0);
        CHECK(contains(check.err, "TLS_VERIFY_OFF"));
        auto sync = env.run({"sync", "--server", "dhcp04"}, cfg);
        INFO(sync.out << sync.err);
        CHECK(sync.exit_code == 0);
        CHECK(contains(sync.err, "TLS_VERIFY_OFF"));
    }
}

TEST_CASE("security: a self-signed NetBox is refused (exit 3) unless netbox.ca_file is set or verification is off") {
    auto dir = make_temp_dir("nds-tls");
    SelfSigned tls(dir);
    Simulator netbox(NDS_NETBOX_SIM, {"--tls-cert", tls.cert, "--tls-key", tls.key}, dir + "/netbox-sim.log");
    netbox.seed(json::object{{"users", json::array{json::object{{"username", "alice"}, {"token", kAliceToken}}}}});
    auto config = [&](const std::string& name, const std::string& netbox_yaml) {
        return write_file(dir + "/" + name + ".yaml", "netbox:\n  url: " + netbox.url() + "\n  token: " + kAliceToken +
                                                          "\n  timeout: 5s\n  max_retries: 0\n" + netbox_yaml +
                                                          "log:\n  level: info\n");
    };
    auto run = [&](std::vector<std::string> args, const std::string& cfg) {
        args.push_back("--config");
        args.push_back(cfg);
        return run_program(NDS_BINARY, args, {{"NETBOX_TOKEN", ""}});
    };

    auto refused = run({"check"}, config("default", ""));
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code == 3);
    CHECK(contains(refused.out + refused.err, "TLS certificate verification failed"));
    auto sync = run({"sync"}, config("default", ""));
    CHECK(sync.exit_code == 3);
    CHECK(contains(sync.out + sync.err, "TLS certificate verification failed"));

    auto trusted = run({"check"}, config("ca", "  ca_file: " + tls.cert + "\n"));
    INFO(trusted.out << trusted.err);
    CHECK(trusted.exit_code == 0);
    CHECK_FALSE(contains(trusted.err, "TLS_VERIFY_OFF"));

    auto off = run({"check"}, config("off", "  verify_tls: false\n"));
    INFO(off.out << off.err);
    CHECK(off.exit_code == 0);
    CHECK(contains(off.err, "TLS_VERIFY_OFF"));
}

TEST_CASE("security: no token or secret in anything printed, at trace level, text and JSON, nor in job output") {
    auto env = make_environment();
    for (const char* format : {"text", "json"}) {
        for (const char* token : {kAliceToken, kBobToken}) {
            auto cfg = write_file(env.work_dir() + "/trace.yaml",
                                  "netbox:\n  url: " + env.netbox().url() + "\n  token: " + token +
                                      "\ndhcp_servers:\n  default:\n    token: " + kPsuToken +
                                      "\nservice:\n  webhook_secret: " + kWebhookSecret +
                                      "\nlog:\n  level: trace\n  format: " + format + "\n");
            for (std::vector<std::string> args : {std::vector<std::string>{"sync", "-v"},
                                                  std::vector<std::string>{"sync", "--dry-run", "--output", "json"},
                                                  std::vector<std::string>{"check"},
                                                  std::vector<std::string>{"import", "--server", "dhcp03", "--dry-run"}}) {
                auto result = env.run(args, cfg);
                std::string what = args[0] + " (" + format + ", " + (token == kAliceToken ? "v1" : "v2") + " token)";
                INFO(what);
                CHECK(result.exit_code <= 1);
                CHECK(result.err.size() > 0);  // trace level did log
                check_no_secret(what + " stdout", result.out);
                check_no_secret(what + " stderr", result.err);
            }
        }
    }
    // A token NetBox rejects is not echoed either (the error names the problem, not the value).
    auto bad = write_file(env.work_dir() + "/bad.yaml", "netbox:\n  url: " + env.netbox().url() +
                                                            "\n  token: nbt_WRONGKEY.wrongsecretwrongsecret\nlog:\n  level: trace\n");
    auto refused = env.run({"sync"}, bad);
    CHECK(refused.exit_code == 3);
    CHECK_FALSE(contains(refused.out + refused.err, "wrongsecretwrongsecret"));

    // The service at trace level: its log, a webhook, and a job's own output (GET /v1/jobs/{id}).
    auto config = env.write_service_config(std::string("  webhook_secret: ") + kWebhookSecret + "\n  webhook_debounce: 50ms\n",
                                           kAliceToken, "", "  level: trace\n  format: json\n");
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    REQUIRE(service.wait_for_metric(R"(netbox_dhcp_sync_runs_total{origin="schedule",outcome="success"})", 1, 30s));
    std::string body = R"({"event":"updated","object_type":"ipam.ipaddress","username":"carol","data":{"id":1,"address":"10.20.1.60/24","vrf":null}})";
    CHECK(service.call("POST", "/v1/webhooks/netbox", body, {{"X-Hook-Signature", webhook_signature(kWebhookSecret, body)}})
              .status == 202);
    auto posted = service.call("POST", "/v1/jobs", R"({"servers":["dhcp03"]})", auth(kBobToken));
    REQUIRE(posted.status == 202);
    auto id = std::string(json::parse(posted.body).at("id").as_string());
    std::string job_text;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
        auto r = service.call("GET", "/v1/jobs/" + id, "", auth(kBobToken));
        REQUIRE(r.status == 200);
        job_text = r.body;
        auto state = std::string(json::parse(r.body).at("state").as_string());
        if (state != "queued" && state != "running") break;
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(50ms);
    }
    INFO(job_text);
    CHECK(contains(job_text, "\"log\""));
    check_no_secret("job output", job_text);
    CHECK(service.wait_for_log("WEBHOOK_ACCEPTED", 10s));
    check_no_secret("metrics", service.call("GET", "/metrics").body);
    service.signal(SIGTERM);
    REQUIRE(service.wait_exit(10s) == 0);
    check_no_secret("service log", service.log());
}

TEST_CASE("security: the job API wants a token NetBox accepts, and keeps each user's jobs private") {
    auto env = make_environment();
    auto config = env.write_service_config("", kAliceToken);
    ServiceProcess service(NDS_BINARY, config, env.work_dir() + "/service.log");
    REQUIRE(service.wait_for_metric(R"(netbox_dhcp_sync_runs_total{origin="schedule",outcome="success"})", 1, 30s));
    const std::string body = R"({"servers":["dhcp03"],"dry_run":true})";
    CHECK(service.call("POST", "/v1/jobs", body).status == 401);
    CHECK(service.call("POST", "/v1/jobs", body, {{"Authorization", "Basic YWxpY2U6c2VjcmV0"}}).status == 401);
    CHECK(service.call("POST", "/v1/jobs", body, {{"Authorization", "Token "}}).status == 401);
    CHECK(service.call("POST", "/v1/jobs", body, auth("0000000000000000000000000000000000000000")).status == 403);
    CHECK(service.call("POST", "/v1/jobs", body, auth("nbt_nosuchkey.nosuchsecret")).status == 403);

    auto posted = service.call("POST", "/v1/jobs", body, auth(kBobToken));
    REQUIRE(posted.status == 202);
    auto id = std::string(json::parse(posted.body).at("id").as_string());
    CHECK(service.call("GET", "/v1/jobs/" + id, "", auth(kBobToken)).status == 200);
    // Not readable by another user (alice is the service's own token), nor without or with a bad token.
    CHECK(service.call("GET", "/v1/jobs/" + id, "", auth(kAliceToken)).status == 404);
    CHECK(service.call("GET", "/v1/jobs/" + id).status == 401);
    CHECK(service.call("GET", "/v1/jobs/" + id, "", auth("0000000000000000000000000000000000000000")).status == 404);
    // Guessing ids does not help either: an unknown id looks the same as another user's job.
    CHECK(service.call("GET", "/v1/jobs/00000000000000000000000000000000", "", auth(kBobToken)).status == 404);
    service.signal(SIGTERM);
    CHECK(service.wait_exit(10s) == 0);
}
