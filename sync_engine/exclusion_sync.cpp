#include "sync_engine/exclusion_sync.hpp"

#include "sync_engine/labels.hpp"

#include <algorithm>
#include <set>

namespace nds::engine {
namespace {

/// One range as the server can hold it, and the NetBox ranges it stands for.
struct ServerShapedRange {
    DhcpExclusion range;
    std::vector<const NetBoxExclusionRange*> parts;
};

/// NetBox's ranges in the server's shape. A server whose exclusions are the gaps between its pools cannot hold
/// two overlapping or adjacent ranges apart: they come back as one gap. Compared unmerged, such ranges would be
/// deleted and re-created on every run.
std::vector<ServerShapedRange> server_shaped(const NetBoxScope& local, ExclusionModel model) {
    std::vector<const NetBoxExclusionRange*> ranges;
    for (const auto& range : local.exclusion_ranges) ranges.push_back(&range);
    std::vector<ServerShapedRange> out;
    if (model == ExclusionModel::native) {
        for (const auto* range : ranges) out.push_back({DhcpExclusion{range->start_ip, range->end_ip}, {range}});
        return out;
    }
    std::sort(ranges.begin(), ranges.end(), [](const auto* a, const auto* b) {
        return std::tie(a->start_ip.value, a->end_ip.value) < std::tie(b->start_ip.value, b->end_ip.value);
    });
    for (const auto* range : ranges) {
        bool joins = !out.empty() && out.back().range.end_ip.value != 0xffffffffu &&
                     range->start_ip.value <= out.back().range.end_ip.value + 1;
        if (!joins) {
            out.push_back({DhcpExclusion{range->start_ip, range->end_ip}, {range}});
            continue;
        }
        auto& merged = out.back();
        if (range->end_ip.value > merged.range.end_ip.value) merged.range.end_ip = range->end_ip;
        merged.parts.push_back(range);
    }
    return out;
}

std::set<DhcpExclusion> ranges_of(const std::vector<ServerShapedRange>& shaped) {
    std::set<DhcpExclusion> out;
    for (const auto& s : shaped) out.insert(s.range);
    return out;
}

}  // namespace

void pull_exclusions(const NetBoxScope& local, const std::vector<DhcpExclusion>& remote, ExclusionModel model,
                     const std::string& server, Plan& plan) {
    std::set<DhcpExclusion> on_server(remote.begin(), remote.end());
    auto in_netbox = server_shaped(local, model);
    auto netbox_set = ranges_of(in_netbox);
    for (const auto& range : on_server) {
        if (netbox_set.count(range)) continue;
        plan.exclusion_creates.push_back(ExclusionRangeCreate{
            make_note(server, scope_label(local), range_label(range.start_ip, range.end_ip),
                      "exclusion on server, not in NetBox"),
            local.id, range.start_ip, range.end_ip});
    }
    for (const auto& shaped : in_netbox) {
        if (on_server.count(shaped.range)) continue;
        for (const auto* range : shaped.parts)
            plan.exclusion_deletes.push_back(ExclusionRangeDelete{
                make_note(server, scope_label(local), range_label(range->start_ip, range->end_ip),
                          "exclusion no longer on server"),
                range->id});
    }
}

void push_exclusions(const NetBoxScope& local, const DhcpScope& remote_scope, const std::vector<DhcpExclusion>& remote,
                     ExclusionModel model, const std::string& server, Plan& plan) {
    std::set<DhcpExclusion> on_server(remote.begin(), remote.end());
    auto netbox_set = ranges_of(server_shaped(local, model));
    for (const auto& range : netbox_set) {
        if (on_server.count(range)) continue;
        plan.dhcp_writes.push_back(DhcpWrite::exclusion(
            make_note(server, scope_label(local), range_label(range.start_ip, range.end_ip),
                      "exclusion in NetBox, not on server (push_scope_info)"),
            Verb::create, remote_scope.scope_id, range));
    }
    for (const auto& range : on_server) {
        if (netbox_set.count(range)) continue;
        plan.dhcp_writes.push_back(DhcpWrite::exclusion(
            make_note(server, scope_label(local), range_label(range.start_ip, range.end_ip),
                      "exclusion on server, not in NetBox (push_scope_info)"),
            Verb::remove, remote_scope.scope_id, range));
    }
}

}  // namespace nds::engine
