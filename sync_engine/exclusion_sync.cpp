#include "sync_engine/exclusion_sync.hpp"

#include "sync_engine/labels.hpp"

#include <set>

namespace nds::engine {
namespace {

std::set<DhcpExclusion> local_set(const NetBoxScope& local) {
    std::set<DhcpExclusion> out;
    for (const auto& range : local.exclusion_ranges) out.insert(DhcpExclusion{range.start_ip, range.end_ip});
    return out;
}

}  // namespace

void pull_exclusions(const NetBoxScope& local, const std::vector<DhcpExclusion>& remote, const std::string& server,
                     Plan& plan) {
    std::set<DhcpExclusion> on_server(remote.begin(), remote.end());
    std::set<DhcpExclusion> in_netbox = local_set(local);
    for (const auto& range : on_server) {
        if (in_netbox.count(range)) continue;
        plan.exclusion_creates.push_back(ExclusionRangeCreate{
            make_note(server, scope_label(local), range_label(range.start_ip, range.end_ip),
                      "exclusion on server, not in NetBox"),
            local.id, range.start_ip, range.end_ip});
    }
    for (const auto& range : local.exclusion_ranges) {
        if (on_server.count(DhcpExclusion{range.start_ip, range.end_ip})) continue;
        plan.exclusion_deletes.push_back(ExclusionRangeDelete{
            make_note(server, scope_label(local), range_label(range.start_ip, range.end_ip),
                      "exclusion no longer on server"),
            range.id});
    }
}

void push_exclusions(const NetBoxScope& local, const DhcpScope& remote_scope, const std::vector<DhcpExclusion>& remote,
                     const std::string& server, Plan& plan) {
    std::set<DhcpExclusion> on_server(remote.begin(), remote.end());
    std::set<DhcpExclusion> in_netbox = local_set(local);
    for (const auto& range : in_netbox) {
        if (on_server.count(range)) continue;
        plan.dhcp_writes.push_back(DhcpWrite::exclusion(
            make_note(server, scope_label(local), range_label(range.start_ip, range.end_ip),
                      "exclusion in NetBox, not on server (push_scope_info)"),
            Verb::create, remote_scope.scope_id, range));
    }
    for (const auto& range : on_server) {
        if (in_netbox.count(range)) continue;
        plan.dhcp_writes.push_back(DhcpWrite::exclusion(
            make_note(server, scope_label(local), range_label(range.start_ip, range.end_ip),
                      "exclusion on server, not in NetBox (push_scope_info)"),
            Verb::remove, remote_scope.scope_id, range));
    }
}

}  // namespace nds::engine
