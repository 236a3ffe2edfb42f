#include "sync_engine/backend_limits.hpp"

#include "sync_engine/client_id.hpp"

#include <map>
#include <optional>
#include <string>
#include <set>
#include <tuple>
#include <utility>

namespace nds::engine {
namespace {

const BackendCapabilities& capabilities_of(const DhcpSnapshots& dhcp, const std::string& server) {
    static const BackendCapabilities defaults;
    auto found = dhcp.find(server);
    return found == dhcp.end() ? defaults : found->second.capabilities;
}

std::string join(const std::set<DhcpOperation>& operations) {
    std::string out;
    for (auto operation : operations) out += (out.empty() ? "" : ", ") + std::string(to_string(operation));
    return out;
}

/// A reservation update as a delete of the server's reservation and a create of the changed one.
void replace_update(const DhcpWrite& update, std::vector<DhcpWrite>& out) {
    const auto& reservation = std::get<ReservationChange>(update.change).reservation;
    auto note = update.note;
    note.reason = update.note.reason + " (re-created: the server cannot change a reservation in place)";
    out.push_back(DhcpWrite::reservation(note, Verb::remove, update.scope_id, reservation));
    out.push_back(DhcpWrite::reservation(note, Verb::create, update.scope_id, reservation));
}

/// Why a reservation update or removal addressed by client id cannot be sent: the server acts on the FIRST
/// reservation with that client id in ANY scope, so unless the id is reserved exactly once on the server the
/// write may change or delete another scope's reservation.
std::optional<std::string> ambiguous_client_id(const DhcpSnapshots& dhcp, const DhcpWrite& write) {
    const auto& reservation = std::get<ReservationChange>(write.change).reservation;
    auto found = dhcp.find(write.note.server);
    if (found == dhcp.end() || !found->second.all_reservations)
        return std::string("not sent: the server's whole reservation list could not be read, and this server "
                           "applies the write to the first reservation with the client id in any scope");
    auto wanted = normalize_client_id(reservation.client_id);
    std::vector<std::string> holders;
    for (const auto& other : *found->second.all_reservations)
        if (normalize_client_id(other.client_id) == wanted) holders.push_back(other.ip.to_string());
    if (holders.size() <= 1) return std::nullopt;
    std::string list;
    for (const auto& ip : holders) list += (list.empty() ? "" : ", ") + ip;
    return "not sent: client id " + wanted + " is reserved " + std::to_string(holders.size()) +
           " times on this server (" + list + ") and the server applies the write to the first one it finds, "
           "maybe in another scope";
}

}  // namespace

void fit_to_backends(const DhcpSnapshots& dhcp, Plan& plan) {
    std::vector<DhcpWrite> fitted;
    fitted.reserve(plan.dhcp_writes.size());
    std::map<std::string, std::set<DhcpOperation>> refused;  // per server, for the one warning
    auto skip = [&](DhcpWrite& write, DhcpOperation missing) {
        auto note = write.note;
        note.reason = std::string(to_string(missing)) + " not supported by this server: " + note.reason;
        plan.skips.push_back(Skip{std::move(note), write.kind()});
        refused[write.note.server].insert(missing);
    };
    // Writes that depend on one this server cannot perform: an exclusion or reservation of a scope that
    // could not be created, a reservation create that replaces one that could not be removed (it would
    // clash with the old reservation).
    std::set<std::pair<std::string, std::uint32_t>> scopes_not_created;
    std::set<std::tuple<std::string, std::uint32_t, std::uint32_t>> reservations_not_removed;
    auto reservation_key = [](const DhcpWrite& write) {
        const auto& reservation = std::get<ReservationChange>(write.change).reservation;
        return std::make_tuple(write.note.server, write.scope_id.value, reservation.ip.value);
    };
    auto skip_dependent = [&](DhcpWrite& write, const std::string& because) {
        auto note = write.note;
        note.reason = because + ": " + note.reason;
        plan.skips.push_back(Skip{std::move(note), write.kind()});
    };
    for (auto& write : plan.dhcp_writes) {
        const auto& capabilities = capabilities_of(dhcp, write.note.server);
        const bool is_scope = std::holds_alternative<ScopeChange>(write.change);
        const bool is_reservation = std::holds_alternative<ReservationChange>(write.change);
        if (!is_scope && scopes_not_created.count({write.note.server, write.scope_id.value})) {
            skip_dependent(write, "not sent: its scope could not be created on this server");
            continue;
        }
        if (is_reservation && write.verb == Verb::create && reservations_not_removed.count(reservation_key(write))) {
            skip_dependent(write, "not sent: the reservation it replaces could not be removed from this server");
            continue;
        }
        if (is_reservation && write.verb != Verb::create && capabilities.reservation_writes_by_client_id) {
            if (auto why = ambiguous_client_id(dhcp, write)) {
                skip_dependent(write, *why);
                continue;
            }
        }
        if (!capabilities.supports(write.operation())) {
            if (write.operation() == DhcpOperation::scope_create) scopes_not_created.insert({write.note.server, write.scope_id.value});
            if (write.operation() == DhcpOperation::reservation_delete) reservations_not_removed.insert(reservation_key(write));
        }
        if (write.operation() == DhcpOperation::reservation_update && !capabilities.reservation_update_in_place) {
            // Both halves or neither: a create without the delete would clash with the old reservation.
            if (!capabilities.supports(DhcpOperation::reservation_delete)) skip(write, DhcpOperation::reservation_delete);
            else if (!capabilities.supports(DhcpOperation::reservation_create)) skip(write, DhcpOperation::reservation_create);
            else replace_update(write, fitted);
            continue;
        }
        if (!capabilities.supports(write.operation())) {
            skip(write, write.operation());
            continue;
        }
        fitted.push_back(std::move(write));
    }
    plan.dhcp_writes = std::move(fitted);
    for (const auto& [server, operations] : refused) {
        const auto& why = capabilities_of(dhcp, server).unsupported_why;
        plan.problems.push_back(Problem{
            Severity::warning,
            ActionNote{server, "", server,
                       "not performed on this server: " + join(operations) + (why.empty() ? "" : " — " + why)}});
    }
}

}  // namespace nds::engine

namespace nds::engine {

SyncSettings settings_for(const SyncSettings& settings, const BackendCapabilities& capabilities) {
    if (!capabilities.config_from_netbox) return settings;
    SyncSettings out = settings;
    out.push_scope_info = true;
    out.push_reservations = true;
    out.prune_reservations = true;
    return out;
}

namespace {

/// The NetBox scope a write to `server` is about: one the server owns (standalone or through a failover) on
/// the write's network.
const NetBoxScope* scope_of_write(const NetBoxSnapshot& netbox, const NetBoxServer& server, const DhcpWrite& write) {
    for (const auto& scope : netbox.scopes) {
        const NetBoxPrefix* prefix = find_prefix(netbox, scope.prefix_id);
        if (!prefix || prefix->prefix.network != write.scope_id) continue;
        if (scope.server_id == server.id) return &scope;
        if (scope.failover_id)
            if (const auto* failover = find_failover(netbox, *scope.failover_id);
                failover && (failover->primary_server_id == server.id || failover->secondary_server_id == server.id))
                return &scope;
    }
    return nullptr;
}

const NetBoxServer* find_server_by_name(const NetBoxSnapshot& netbox, const std::string& name) {
    for (const auto& server : netbox.servers)
        if (server.name == name) return &server;
    return nullptr;
}

}  // namespace

void copy_to_failover_partners(const NetBoxSnapshot& netbox, const DhcpSnapshots& dhcp, const std::string& maintenance_tag,
                               Plan& plan) {
    std::vector<DhcpWrite> copies;
    std::set<std::string> reported;
    for (const auto& write : plan.dhcp_writes) {
        auto found = dhcp.find(write.note.server);
        if (found == dhcp.end() || !found->second.capabilities.push_to_failover_partner) continue;
        const NetBoxServer* server = find_server_by_name(netbox, write.note.server);
        const NetBoxScope* scope = server ? scope_of_write(netbox, *server, write) : nullptr;
        if (!scope || !scope->failover_id) continue;
        const NetBoxFailover* failover = find_failover(netbox, *scope->failover_id);
        if (!failover) continue;
        auto partner_id = failover->primary_server_id == server->id ? failover->secondary_server_id : failover->primary_server_id;
        const NetBoxServer* partner = find_server(netbox, partner_id);
        if (!partner || partner->id == server->id) continue;
        if (has_tag(partner->tags, maintenance_tag)) {
            if (reported.insert(partner->name).second)
                plan.problems.push_back(Problem{
                    Severity::warning,
                    ActionNote{partner->name, "", partner->name,
                               "failover partner of " + server->name + " in " + failover->name +
                                   " is in maintenance: the changes pushed to " + server->name + " are not copied to it"}});
            continue;
        }
        DhcpWrite copy = write;
        copy.note.server = partner->name;
        copy.note.reason = write.note.reason + " (failover partner of " + server->name + " in " + failover->name + ")";
        copies.push_back(std::move(copy));
    }
    for (auto& copy : copies) plan.dhcp_writes.push_back(std::move(copy));
}

}  // namespace nds::engine
