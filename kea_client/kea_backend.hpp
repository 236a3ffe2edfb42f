// The ISC Kea backend: one Kea DHCPv4 server behind nds::backend::DhcpBackend (dhcp_backend/dhcp_backend.hpp),
// reached over Kea's HTTP control channel. docs/kea.md describes the mapping, the write transaction and
// what Kea 2.2 on Debian can and cannot do. Everything Kea-specific lives in kea_client/; this header is
// all the daemon needs (daemon/backend_factory builds it for `backend: kea`).
#pragma once

#include "dhcp_backend/dhcp_backend.hpp"
#include "http/http_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace nds::kea {

/// The steps of apply()'s configuration transaction, in order (docs/kea.md). Tests stop Kea or change its
/// configuration at one of them through KeaOptions::transaction_hook.
enum class TransactionStep {
    before_config_test,   ///< the edited configuration is ready
    before_conflict_check,  ///< config-test passed; the fresh config-get comes next
    before_config_set,    ///< the fresh config-get matched
    before_read_back,     ///< config-set succeeded
    before_config_write,  ///< the read-back matched
};
const char* to_string(TransactionStep step);

/// One Kea server, from its `dhcp_servers.<name>` entry (config keys: backend: kea, url, kea_service,
/// username, password_file / password, ca_file, cert_file, key_file, timeout, max_concurrent).
struct KeaOptions {
    /// The server's name in NetBox (the dhcp_servers key), for messages.
    std::string server_name;
    /// Kea 2.2's Control Agent ("http://127.0.0.1:8000"), or Kea >= 2.7's own HTTP control socket. The path,
    /// if any, is the POST target ("/" when none). https:// uses TLS, verified by default.
    std::string url = "http://127.0.0.1:8000";
    /// The "service" of every command: "dhcp4" for the Control Agent; "" for Kea >= 2.7's own socket
    /// (the member is then left out).
    std::string kea_service = "dhcp4";
    /// HTTP basic auth (the Control Agent's "authentication" / Kea's "http-headers"); none when empty.
    std::string username;
    /// The password itself (the daemon reads password_file into it). Never logged.
    std::string password;
    /// TLS client certificate and key (PEM) for Kea's "cert-required". Not supported by http::Client yet:
    /// when set, health() fails with errc::config naming the keys (see docs/kea.md).
    std::string cert_file;
    std::string key_file;
    /// Transport: ca_file and verify_tls (the `ca_file` key), timeout per command (the `timeout` key, default
    /// 10 s here), retries. Every command is a POST, which http::Client does not replay once sent.
    http::ClientOptions http = default_http_options();
    /// At most this many commands in flight to this server at once (`max_concurrent`).
    std::size_t max_concurrent = 4;
    /// Leases asked for per lease4-get-page request.
    std::size_t lease_page_size = 1000;
    /// Reservations asked for per reservation-get-page request (host_cmds only).
    std::size_t host_page_size = 1000;
    /// At most this many extra config-test calls to find the writes Kea refuses (docs/kea.md, "A write Kea
    /// refuses"); past it the whole run's writes fail.
    std::size_t max_isolation_tests = 24;
    /// Tests only: awaited at each step of the configuration transaction.
    std::function<boost::asio::awaitable<void>(TransactionStep)> transaction_hook;

    static http::ClientOptions default_http_options() {
        http::ClientOptions options;
        options.timeout = std::chrono::seconds(10);
        options.user_agent = "netbox-dhcp-sync (kea)";
        return options;
    }
};

/// The backend for one Kea server. Nothing is sent before the first call.
std::unique_ptr<backend::DhcpBackend> make_kea_backend(boost::asio::any_io_executor executor, KeaOptions options);

}  // namespace nds::kea
