// Client of one Windows DHCP server's PowerShell Universal endpoints (/api/dhcp/..., the plugin's behaviour
// §3). Every PSU wire detail (paths, snake_case/PascalCase keys, tolerant list parsing) lives in
// psu_client/; callers see engine types only. Records that cannot be used are skipped and reported in
// `problems`, never fatal.
#pragma once

#include "util/expected.hpp"
#include "http/http_client.hpp"
#include "psu_client/psu_types.hpp"
#include "sync_engine/dhcp_snapshot.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nds::psu {

struct PsuOptions {
    std::string server_name;   ///< NetBox DHCPServer name, for messages
    std::string base_url;      ///< "https://dhcp01.example.com:443" (the client appends /api/dhcp/...)
    std::string token;         ///< App Token; sent as "Authorization: Bearer <token>" when non-empty
    /// The operator deployed the corrected endpoint script (docs/backends.md): the operations script 1.0.2
    /// cannot perform are attempted.
    bool script_fixed = false;
    http::ClientOptions http;
};

class PsuClient {
public:
    PsuClient(boost::asio::any_io_executor executor, PsuOptions options);
    ~PsuClient();

    const std::string& server_name() const;

    boost::asio::awaitable<Expected<Health>> health();
    /// POST /health: the plugin's check that the App Token may write (a read-only token gets 403). Writes nothing.
    boost::asio::awaitable<Expected<Done>> check_write_access();
    boost::asio::awaitable<Expected<ParsedList<engine::DhcpScope>>> list_scopes(bool active_only);
    boost::asio::awaitable<Expected<ParsedList<engine::DhcpLease>>> list_leases(engine::Ipv4Address scope_id);
    boost::asio::awaitable<Expected<ParsedList<engine::DhcpReservation>>> list_reservations(engine::Ipv4Address scope_id);
    /// Every reservation of the server, all scopes (GET /reservations without scope_id).
    boost::asio::awaitable<Expected<ParsedList<engine::DhcpReservation>>> list_all_reservations();
    boost::asio::awaitable<Expected<ParsedList<engine::DhcpExclusion>>> list_exclusions(engine::Ipv4Address scope_id);
    boost::asio::awaitable<Expected<ParsedList<Failover>>> list_failovers();
    boost::asio::awaitable<Expected<ParsedList<OptionValue>>> list_scope_options(engine::Ipv4Address scope_id);

    boost::asio::awaitable<Expected<Done>> create_scope(const engine::DhcpScope& scope);
    boost::asio::awaitable<Expected<Done>> update_scope(const engine::DhcpScope& scope);
    boost::asio::awaitable<Expected<Done>> create_reservation(engine::Ipv4Address scope_id, const engine::DhcpReservation& reservation);
    boost::asio::awaitable<Expected<Done>> update_reservation(const engine::DhcpReservation& reservation);
    boost::asio::awaitable<Expected<Done>> delete_reservation(const std::string& client_id);
    boost::asio::awaitable<Expected<Done>> create_exclusion(engine::Ipv4Address scope_id, const engine::DhcpExclusion& exclusion);
    boost::asio::awaitable<Expected<Done>> delete_exclusion(engine::Ipv4Address scope_id, const engine::DhcpExclusion& exclusion);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nds::psu
