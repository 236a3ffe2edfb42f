#include "sync_engine/backend_limits.hpp"

#include <map>
#include <set>

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
    for (auto& write : plan.dhcp_writes) {
        const auto& capabilities = capabilities_of(dhcp, write.note.server);
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
