#include "sync_engine/import_failovers.hpp"

#include "sync_engine/labels.hpp"

#include <algorithm>
#include <cctype>

namespace nds::engine {
namespace {

std::string dns_key(std::string host) {
    if (!host.empty() && host.back() == '.') host.pop_back();
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return host;
}

}  // namespace

const NetBoxServer* find_server_by_hostname(const NetBoxSnapshot& netbox, const std::string& host) {
    if (host.empty()) return nullptr;
    for (const auto& server : netbox.servers)
        if (server.hostname == host) return &server;
    const NetBoxServer* found = nullptr;
    for (const auto& server : netbox.servers) {
        if (dns_key(server.hostname) != dns_key(host)) continue;
        if (found) return nullptr;  // two servers differ only in case: not guessing
        found = &server;
    }
    return found;
}

void import_failover(const NetBoxSnapshot& netbox, const NetBoxServer& server, const DhcpFailover& remote,
                     ImportPlan& out) {
    auto note = [&](std::string reason) { return make_note(server.name, "", remote.name, std::move(reason)); };
    if (remote.name.empty()) {
        out.error(ImportCategory::failovers, note("failover record has no name — skipped"));
        return;
    }
    if (find_failover_by_name(netbox, remote.name)) {
        out.plan.skips.push_back(Skip{note("already exists in NetBox (not changed)"), ObjectKind::failover});
        return;
    }
    for (const auto& planned : out.plan.failover_creates)
        if (planned.name == remote.name) return;  // the server listed it twice

    const NetBoxServer* partner = find_server_by_hostname(netbox, remote.secondary_server);
    if (!partner) {
        out.error(ImportCategory::failovers,
                  note(remote.name + ": secondary server '" + remote.secondary_server +
                       "' not found — add it as a DHCP Server in NetBox first (hostname '" + remote.secondary_server +
                       "'), then import again"));
        return;
    }
    if (partner->id == server.id) {
        out.error(ImportCategory::failovers,
                  note(remote.name + ": the partner '" + remote.secondary_server + "' is server '" + server.name +
                       "' itself; a failover needs two servers — skipped"));
        return;
    }
    std::string mode = remote.mode.empty() ? "LoadBalance" : remote.mode;
    if (mode != "LoadBalance" && mode != "HotStandby") {
        out.error(ImportCategory::failovers,
                  note(remote.name + ": mode '" + mode + "' is neither LoadBalance nor HotStandby — skipped"));
        return;
    }

    FailoverCreate create;
    create.name = remote.name;
    create.primary_server_id = server.id;
    create.secondary_server_id = partner->id;
    create.mode = mode;
    create.max_client_lead_time = remote.max_client_lead_time > 0 ? remote.max_client_lead_time : 3600;
    create.max_response_delay = remote.max_response_delay > 0 ? remote.max_response_delay : 30;
    if (remote.state_switchover_interval && *remote.state_switchover_interval > 0)
        create.state_switchover_interval = *remote.state_switchover_interval;
    create.enable_auth = false;
    if (remote.enable_auth) {
        out.plan.problems.push_back(Problem{
            Severity::warning,
            note("failover '" + remote.name + "' uses message authentication; its shared secret cannot be read from the "
                 "server, so it is imported with enable_auth off — set the secret in NetBox and turn it on there")});
    }
    create.note = note("on server, not in NetBox: primary '" + server.name + "' (imported server), secondary '" +
                       partner->name + "' (hostname " + partner->hostname + ")");
    out.plan.failover_creates.push_back(std::move(create));
}

}  // namespace nds::engine
