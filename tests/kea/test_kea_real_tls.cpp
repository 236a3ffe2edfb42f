// The Kea backend over HTTPS with a TLS client certificate, against a real kea-ctrl-agent configured with
// trust-anchor, cert-file, key-file and cert-required (Kea's own TLS settings). The certificates are made by
// the openssl command for each run: a CA, the agent's certificate for 127.0.0.1, and a client certificate.
#include "tests/kea/kea_test_util.hpp"
#include "tests/support/sync_environment.hpp"

#include <doctest/doctest.h>
#include "tests/kea/kea_skip.hpp"

#include <cstdlib>
#include <fstream>

using namespace nds::testing;

namespace {

const char* kConfig = R"({
  "subnet4": [ { "id": 3, "subnet": "192.0.2.0/24", "pools": [ {"pool": "192.0.2.10 - 192.0.2.20"} ] } ]
})";

/// A CA and two certificates it signed, in a fresh directory.
struct Certificates {
    std::string dir = make_temp_dir("nds-kea-tls");
    std::string ca = dir + "/ca.pem", server_cert = dir + "/server.pem", server_key = dir + "/server.key",
                client_cert = dir + "/client.pem", client_key = dir + "/client.key";

    Certificates() {
        { std::ofstream(dir + "/server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"; }
        { std::ofstream(dir + "/client.ext") << "extendedKeyUsage=clientAuth\n"; }
        std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        std::string in = "cd '" + dir + "' && ";
        shell(in + "openssl req -x509" + key + " -keyout ca.key -out ca.pem -days 2 -subj /CN=nds-test-ca");
        for (const char* who : {"server", "client"}) {
            std::string w = who;
            shell(in + "openssl req" + key + " -keyout " + w + ".key -out " + w + ".csr -subj /CN=nds-" + w);
            shell(in + "openssl x509 -req -in " + w + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out " + w +
                  ".pem -extfile " + w + ".ext");
        }
    }

    static void shell(const std::string& command) {
        std::string quiet = command + " >/dev/null 2>&1";
        REQUIRE_MESSAGE(std::system(quiet.c_str()) == 0, command);
    }

    KeaTls agent_tls() const {
        KeaTls tls;
        tls.ca_file = ca;
        tls.cert_file = server_cert;
        tls.key_file = server_key;
        tls.client_cert_file = client_cert;
        tls.client_key_file = client_key;
        return tls;
    }
};

KeaInstanceOptions tls_instance(const Certificates& certificates) {
    KeaInstanceOptions options;
    options.name = "kea-tls";
    options.dhcp4 = kConfig;
    options.tls = certificates.agent_tls();
    return options;
}

}  // namespace

TEST_CASE("real Kea over HTTPS: with the client certificate the agent answers health and scope reads") {
    SKIP_WITHOUT_KEA();
    Certificates certificates;
    KeaInstance kea(tls_instance(certificates));
    REQUIRE(kea.url().rfind("https://", 0) == 0);
    boost::asio::io_context io;
    auto options = kea_options(kea);
    options.http.ca_file = certificates.ca;
    options.cert_file = certificates.client_cert;
    options.key_file = certificates.client_key;
    auto backend = nds::kea::make_kea_backend(io.get_executor(), options);
    auto health = run(io, backend->health());
    REQUIRE_MESSAGE(health, health.error().message);
    CHECK(health->software == "ISC Kea dhcp4");
    auto scopes = run(io, backend->list_scopes(false));
    REQUIRE_MESSAGE(scopes, scopes.error().message);
    REQUIRE(scopes->items.size() == 1);
    CHECK(scopes->items[0].scope_id == ipv4("192.0.2.0"));
}

TEST_CASE("real Kea over HTTPS: without a client certificate the agent refuses and health says so") {
    SKIP_WITHOUT_KEA();
    Certificates certificates;
    KeaInstance kea(tls_instance(certificates));
    boost::asio::io_context io;
    auto options = kea_options(kea);
    options.http.ca_file = certificates.ca;
    options.http.max_retries = 0;
    auto backend = nds::kea::make_kea_backend(io.get_executor(), options);
    auto health = run(io, backend->health());
    REQUIRE_FALSE(health);
    CHECK(health.error().message.find(kea.url().substr(0, kea.url().size() - 1)) != std::string::npos);
}

TEST_CASE("Kea client certificate files that cannot be loaded: health names the file") {
    boost::asio::io_context io;
    nds::kea::KeaOptions options;
    options.server_name = "kea01";
    options.url = "https://127.0.0.1:1/";
    options.cert_file = "/nonexistent/client.pem";
    options.key_file = "/nonexistent/client.key";
    auto backend = nds::kea::make_kea_backend(io.get_executor(), options);
    auto health = run(io, backend->health());
    REQUIRE_FALSE(health);
    CHECK(health.error().message.find("/nonexistent/client.pem") != std::string::npos);
}
