// PowerShell Universal simulator: one process = one Windows DHCP server behind the plugin's PSU endpoint
// script, plus the /_sim/ control API (see README.md). By default it answers like the script the plugin
// ships (1.0.2), defects included; `script: "fixed"` models a corrected script.
#pragma once

#include "http/http_message.hpp"
#include "http/url.hpp"
#include "sync_engine/ipv4.hpp"
#include "tests/sim/sim_common.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace nds::sim::psu {

using engine::Ipv4Address;
using engine::Ipv4Network;

struct Scope {
    Ipv4Address scope_id;  ///< network address; the key Windows and the plugin use
    std::string name;
    Ipv4Address start_ip, end_ip, subnet_mask;
    std::string description;
    std::string state = "Active";  ///< "Active" | "InActive"
    std::int64_t lease_duration_seconds = 691200;  ///< Windows default: 8 days
    std::optional<Ipv4Address> router;             ///< option 3 (first value)

    Ipv4Network network() const;
};

struct Lease {
    Ipv4Address ip_address;
    std::string client_id, hostname;
    Ipv4Address scope_id;
    std::optional<std::string> lease_expiry;  ///< "yyyy-MM-ddTHH:mm:ssZ" or null
    std::string address_state = "Active";     ///< as stored; listing reports reserved IPs as ActiveReservation
};

struct Reservation {
    Ipv4Address ip_address;
    std::string client_id, name, description;
    std::string type = "Dhcp";  ///< Dhcp | Bootp | Both
    Ipv4Address scope_id;
};

/// Which endpoint script the simulator answers as.
enum class Script {
    v1_0_2,  ///< the plugin's script 1.0.2: four writes always fail, max_response_delay reads 0, IPv4 checks ineffective
    fixed,   ///< a corrected script: those writes work, max_response_delay is reported, bad IPv4 is a 400
};

/// PSU-specific costs (POST /_sim/config), on top of the shared Costs: what makes the real script slow.
struct ReadCosts {
    unsigned latency_ms_per_lease_read = 0;       ///< every GET /leases (one Get-DhcpServerv4Lease per scope)
    unsigned latency_us_per_object_rendered = 0;  ///< every element of a list response (ConvertTo-*Object + JSON)
};

struct Failover {
    std::string name, secondary_server;
    std::string mode = "LoadBalance";
    std::vector<Ipv4Address> scope_ids;
    std::int64_t max_client_lead_time = 3600, max_response_delay = 30;
    std::optional<std::int64_t> state_switchover_interval;
    bool enable_auth = false;
};

struct OptionValue {
    std::int64_t code = 0;
    std::string name;
    std::vector<std::string> value;
    std::string type = "String";
    std::string vendor_class;
};

/// What the simulated DHCP server holds. Maps are keyed by address so that per-scope listings are range
/// scans, not full scans.
struct PsuState {
    std::map<std::uint32_t, Scope> scopes;
    std::map<std::uint32_t, Lease> leases;              ///< by IP
    std::map<std::uint32_t, Reservation> reservations;  ///< by IP
    std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> exclusions;  ///< (scope, start, end)
    std::vector<Failover> failovers;
    std::map<std::string, std::vector<OptionValue>> options;  ///< "server" or scope id ("10.0.1.0")

    const Scope* scope(Ipv4Address id) const;
    const Failover* failover_of(Ipv4Address scope_id) const;
    void clear() { *this = PsuState{}; }
};

struct PsuOptions {
    std::string token;
    std::string reader_token;  ///< "" = none
    std::string hostname = "dhcp01.example.com";
    Script script = Script::v1_0_2;
    std::string script_version = "1.0.2";  ///< reported by GET /health
};

/// "1.0.2" | "fixed" → Script; nullopt for anything else.
std::optional<Script> parse_script(std::string_view text);
std::string_view to_string(Script script);

class PsuSim {
public:
    explicit PsuSim(PsuOptions options);
    PsuSim(const PsuSim&) = delete;
    PsuSim& operator=(const PsuSim&) = delete;

    boost::asio::awaitable<http::Response> handle(http::Request request);

private:
    struct Result {
        http::Response response;
        bool wrote = false;  ///< a successful write (counts toward objects_written and the write cost)
        std::size_t rendered = 0;  ///< elements of a list response (the per-object rendering cost)
        bool lease_read = false;   ///< a GET /leases that was handled (the per-lease-read cost)
    };

    http::Response handle_control(const http::Request& request, const http::Target& target);
    http::Response seed(const json::value& body);
    json::object dump() const;
    http::Response set_config(const json::value& body);
    json::object config_json() const;

    Result handle_api(const http::Request& request, const http::Target& target);
    Result scopes(const http::Request& request, const http::Target& target, std::string_view rest);
    Result create_scope(const http::Request& request);
    Result update_scope(const http::Request& request, const std::string& id_text);
    Result leases(const http::Target& target);
    Result reservations(const http::Request& request, const http::Target& target, std::string_view rest);
    Result create_reservation(const http::Request& request);
    Result failover(const http::Request& request);
    Result health(const http::Request& request) const;
    Result options(const http::Request& request, std::string_view rest);
    Result exclusions(const http::Request& request, const http::Target& target);

    json::object scope_json(const Scope& scope, bool list_form) const;
    json::object lease_json(const Lease& lease) const;
    json::object reservation_json(const Reservation& r) const;
    /// `as_reported`: with the max_response_delay the script reports (0 under 1.0.2), not the stored one.
    json::object failover_json(const Failover& f, bool as_reported = true) const;
    /// Assert-ValidIPv4 as the configured script runs it: a 400 from the fixed script; nothing from 1.0.2,
    /// whose check never stops the request (the caller then fails where the cmdlet would).
    std::optional<http::Response> assert_ipv4(std::string_view value, std::string_view field_name) const;
    /// The reservation Find-ReservationByClientId returns: scopes in order, the first reservation whose
    /// client id equals `client_id` ignoring case; end() when none.
    std::map<std::uint32_t, Reservation>::iterator find_reservation_by_client_id(std::string_view client_id);
    std::chrono::microseconds read_cost(const Result& result) const;
    json::array scope_options(const Scope& scope) const;

    std::string token_;
    std::string reader_token_;  ///< optional DHCPReader token: GETs only (403 on writes)
    std::string hostname_;
    Script script_;
    std::string script_version_;
    PsuState state_;
    Faults faults_;
    Stats stats_;
    Costs costs_;
    ReadCosts read_costs_;
};

/// POST /reservations client id normalisation: lowercase, strip non-hex, '-' after every pair.
std::string normalise_client_id(std::string_view raw);

}  // namespace nds::sim::psu
