// The daemon's configuration: YAML parsed into a typed structure, validated, then handed over whole
// (Kea's staged commit: a config that fails validation never replaces a working one). Every error names
// the key and the bad value.
#pragma once

#include "util/expected.hpp"
#include "coordination/redis_options.hpp"
#include "dhcpd_client/dhcpd_options.hpp"
#include "sync_engine/sync_settings.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace nds::daemon {

struct NetBoxConfig {
    std::string url;
    std::string token;  ///< the value only; secret
    std::string plugin_path = "/api/plugins/windows-dhcp/";
    bool verify_tls = true;
    std::string ca_file;
    std::chrono::milliseconds timeout{30000};
    int page_size = 1000;
    int max_concurrent_writes = 2;
    int ip_write_batch_size = 100;  ///< IPs per create/update request (the plugin validates each: README)
    int max_retries = 3;                                  ///< retries of a failed request (connect, timeout, 429, 502-504)
    std::size_t max_response_bytes = 256u * 1024 * 1024;  ///< larger response bodies fail the request
    bool journal = false;  ///< service: write a journal entry on each DHCP server a finished job synced
};

struct SyncConfig {
    engine::SyncSettings settings;
    std::chrono::seconds interval{3600};
    int max_concurrent_servers = 4;  ///< DHCP servers read and written in parallel
};

/// Which software serves a DHCP server (dhcp_servers.<name>.backend); daemon/backend_factory.cpp makes it.
enum class BackendKind { psu, kea, dhcpd };
const char* to_string(BackendKind kind);

/// One `dhcp_servers.<name>` entry. The keys of one backend are refused on a server of another.
struct DhcpServerConfig {
    BackendKind backend = BackendKind::psu;
    // ---- every backend ----
    std::string ca_file;
    bool verify_tls = true;
    std::chrono::milliseconds timeout{30000};  ///< per request; a Kea server's default is 10s
    int max_concurrent = 8;  ///< requests in flight to this server
    int max_retries = 3;                                 ///< retries of a failed request (connect, timeout, 429, 502-504)
    std::size_t max_response_bytes = 64u * 1024 * 1024;  ///< larger response bodies fail the request
    // ---- psu ----
    std::string token;              ///< PSU App Token; secret
    bool psu_script_fixed = false;  ///< the corrected endpoint script is deployed (docs/backends.md)
    // ---- kea ----
    std::string url;                   ///< the Control Agent (Kea 2.2) or Kea's own HTTP control socket (>= 2.7)
    std::string kea_service = "dhcp4";  ///< "" for Kea's own socket (no "service" in commands)
    std::string username;              ///< HTTP basic auth
    std::string password;              ///< secret (password or password_file)
    std::string cert_file, key_file;   ///< TLS client certificate
    // ---- dhcpd ----
    dhcpd::DhcpdOptions dhcpd;  ///< ssh:, config_path, leases_path, config_test, server_*, globals:, free_lines, failover:
};

struct ServiceConfig {
    std::string listen = "127.0.0.1:9595";
    std::string webhook_secret;  ///< secret
    std::chrono::milliseconds webhook_debounce{5000};
    int job_history = 100;                            ///< finished jobs kept for GET /v1/jobs/{id}
    std::chrono::milliseconds job_retention{std::chrono::hours(24)};  ///< ... and for at most this long
    int max_queued_jobs = 100;                        ///< POST /v1/jobs answers 503 beyond this
    int job_log_lines = 2000;                         ///< log lines kept per job (later ones are counted)
    std::size_t max_body_bytes = 1024 * 1024;         ///< larger request bodies get 413
    int max_connections = 128;                        ///< open HTTP connections; one more gets 503 and is closed
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};  ///< an HTTP connection idle this long is closed
    /// A request's header must arrive within this (from the connection's accept, or its first byte on a
    /// kept-alive connection): slow clients are dropped before they fill max_connections.
    std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
    int max_connections_per_client = 32;  ///< open HTTP connections from one client address; one more gets 503
    int webhook_max_pending = 1000;                   ///< debounced webhook events held; the next one syncs at once
    std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(60)};  ///< SIGTERM: wait this long for the batch in flight
};

enum class LogLevel { trace, debug, info, warning, error };
enum class LogFormat { text, json };

struct LogConfig {
    LogLevel level = LogLevel::info;
    LogFormat format = LogFormat::text;
};

/// `coordination:` (docs/coordination.md): per-server locks shared with other processes through Redis.
struct CoordinationConfig {
    std::optional<coordination::RedisOptions> redis;  ///< nullopt: locks inside this process only
};

struct Config {
    NetBoxConfig netbox;
    SyncConfig sync;
    std::map<std::string, DhcpServerConfig> dhcp_servers;  ///< by NetBox DHCPServer name; "default" applies to the rest
    ServiceConfig service;
    LogConfig log;
    CoordinationConfig coordination;

    /// The settings of a DHCP server: its own entry, else "default", else built-in defaults.
    DhcpServerConfig server(const std::string& name) const;
};

/// Reads `${VAR}` from this function (tests pass their own; the daemon passes getenv).
using EnvLookup = std::string (*)(const char* name);
std::string process_env(const char* name);

/// Parses YAML text. `$NETBOX_TOKEN` (through env) overrides netbox.token.
Expected<Config> parse_config(const std::string& yaml_text, EnvLookup env = process_env);
/// Reads and parses a file; the error names the path.
Expected<Config> load_config(const std::string& path, EnvLookup env = process_env);

/// "30s", "5m", "1h", "250ms" -> duration. nullopt on anything else.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

/// "1048576", "512KiB", "64MiB", "1GiB" -> bytes. nullopt on anything else (or above 2^50).
std::optional<std::uint64_t> parse_size(const std::string& text);

}  // namespace nds::daemon
