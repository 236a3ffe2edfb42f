#include "daemon/backend_factory.hpp"

#include "dhcpd_client/dhcpd_backend.hpp"
#include "kea_client/kea_backend.hpp"
#include "psu_client/psu_backend.hpp"

namespace nds::daemon {
namespace {

psu::PsuOptions psu_options(const engine::NetBoxServer& server, const DhcpServerConfig& config) {
    psu::PsuOptions options;
    options.server_name = server.name;
    options.base_url = std::string(server.use_https ? "https" : "http") + "://" + server.hostname + ":" +
                       std::to_string(server.port);
    options.token = config.token;
    options.script_fixed = config.psu_script_fixed;
    // Verified unless either the config or NetBox's verify_ssl turns it off.
    options.http.verify_tls = config.verify_tls && server.verify_ssl;
    options.http.ca_file = config.ca_file;
    options.http.timeout = config.timeout;
    options.http.max_retries = config.max_retries;
    options.http.max_body_bytes = config.max_response_bytes;
    return options;
}

kea::KeaOptions kea_options(const engine::NetBoxServer& server, const DhcpServerConfig& config) {
    kea::KeaOptions options;
    options.server_name = server.name;
    options.url = config.url;
    options.kea_service = config.kea_service;
    options.username = config.username;
    options.password = config.password;
    options.cert_file = config.cert_file;
    options.key_file = config.key_file;
    options.http.verify_tls = config.verify_tls;
    options.http.ca_file = config.ca_file;
    options.http.timeout = config.timeout;
    options.http.max_retries = config.max_retries;
    options.http.max_body_bytes = config.max_response_bytes;
    options.max_concurrent = static_cast<std::size_t>(config.max_concurrent);
    return options;
}

/// Tells `observer` about every HTTP attempt to the server.
void observe(http::ClientOptions& http, const HttpObserver& observer, const std::string& server) {
    if (!observer) return;
    http.on_attempt = [observer, server](const http::Request&, unsigned status, std::chrono::steady_clock::duration elapsed) {
        observer(server, status, elapsed);
    };
}

/// A backend this build cannot make: every call says so, so the server is reported as unreachable with the
/// reason instead of the run failing.
class UnavailableBackend final : public backend::DhcpBackend {
public:
    UnavailableBackend(std::string server, std::string why) : server_(std::move(server)), why_(std::move(why)) {}
    const std::string& server_name() const override { return server_; }
    std::string endpoint() const override { return "(no backend)"; }
    boost::asio::awaitable<Expected<backend::BackendHealth>> health() override { co_return error(); }
    engine::BackendCapabilities capabilities() const override { return {}; }
    boost::asio::awaitable<Expected<engine::ParsedList<engine::DhcpScope>>> list_scopes(bool) override { co_return error(); }
    boost::asio::awaitable<backend::ScopeRead> read_scope(engine::ScopeReadRequest) override {
        backend::ScopeRead read;
        read.data.error = why_;
        co_return read;
    }
    boost::asio::awaitable<Expected<engine::ParsedList<engine::DhcpReservation>>> list_all_reservations() override {
        co_return error();
    }
    boost::asio::awaitable<Expected<engine::ParsedList<engine::DhcpFailover>>> list_failovers() override { co_return error(); }
    boost::asio::awaitable<Expected<engine::ParsedList<engine::DhcpOptionValue>>> list_scope_options(engine::Ipv4Address) override {
        co_return error();
    }
    boost::asio::awaitable<backend::ApplyResult> apply(std::vector<engine::DhcpWrite> writes) override {
        backend::ApplyResult result;
        result.outcomes.assign(writes.size(), backend::WriteOutcome{backend::WriteStatus::failed, why_});
        co_return result;
    }
    boost::asio::awaitable<Expected<std::string>> preview(std::vector<engine::DhcpWrite>) override { co_return std::string(); }

private:
    Error error() const { return Error{make_error_code(errc::unsupported), why_}; }
    std::string server_;
    std::string why_;
};

}  // namespace

BackendFactory make_backend_factory(boost::asio::any_io_executor executor, const Config& config, HttpObserver observer) {
    return [executor, &config, observer](const backend::ServerContext& context) -> std::unique_ptr<backend::DhcpBackend> {
        const auto& server = context.server;
        auto server_config = config.server(server.name);
        switch (server_config.backend) {
        case BackendKind::psu: {
            auto options = psu_options(server, server_config);
            observe(options.http, observer, server.name);
            return psu::make_psu_backend(executor, std::move(options));
        }
        case BackendKind::kea: {
            auto options = kea_options(server, server_config);
            observe(options.http, observer, server.name);
            return kea::make_kea_backend(executor, std::move(options));
        }
        case BackendKind::dhcpd:
            return dhcpd::make_dhcpd_backend(executor, server_config.dhcpd, context);
        }
        return std::make_unique<UnavailableBackend>(
            server.name, server.name + ": backend '" + to_string(server_config.backend) + "' is not available in this build");
    };
}

bool backend_renders_options(const engine::NetBoxServer& server, const Config& config) {
    return config.server(server.name).backend == BackendKind::dhcpd;
}

std::vector<std::string> backend_config_warnings(const engine::NetBoxServer& server, const Config& config) {
    std::vector<std::string> warnings;
    auto server_config = config.server(server.name);
    if (server_config.backend == BackendKind::psu && server.use_https &&
        !(server_config.verify_tls && server.verify_ssl))
        warnings.push_back("TLS verification of DHCP server is off");
    if (server_config.backend == BackendKind::kea && server_config.url.rfind("https:", 0) == 0 && !server_config.verify_tls)
        warnings.push_back("TLS verification of the Kea control channel is off");
    return warnings;
}

}  // namespace nds::daemon
