#include "sync_engine/import_planner.hpp"

#include "sync_engine/import_failovers.hpp"
#include "sync_engine/import_options.hpp"
#include "sync_engine/import_scopes.hpp"
#include "sync_engine/labels.hpp"

#include <algorithm>

namespace nds::engine {
namespace {

void read_problems(ImportPlan& out, ImportCategory category, const std::vector<ReadProblem>& problems) {
    for (const auto& p : problems)
        out.error(category, make_note(p.server, p.scope, p.scope, "record skipped: " + p.what));
}

}  // namespace

ImportPlan plan_import(const ImportNetBox& netbox, const std::string& server_name, const ImportServerData& server,
                       const SyncSettings& settings) {
    ImportPlan out;
    auto found = std::find_if(netbox.snapshot.servers.begin(), netbox.snapshot.servers.end(),
                              [&](const NetBoxServer& s) { return s.name == server_name; });
    if (found == netbox.snapshot.servers.end()) {
        out.plan.problems.push_back(Problem{Severity::error, make_note(server_name, "", server_name,
                                                                       "unknown DHCP server '" + server_name +
                                                                           "' (not a DHCP Server in NetBox)")});
        return out;
    }
    const NetBoxServer& self = *found;

    if (!server.failovers) {
        out.error(ImportCategory::failovers,
                  make_note(self.name, "", "", "could not fetch failover list: " + server.failovers_error));
    } else {
        for (const auto& failover : *server.failovers) import_failover(netbox.snapshot, self, failover, out);
    }
    read_problems(out, ImportCategory::failovers, server.failover_problems);

    if (!server.scopes) {
        out.error(ImportCategory::scopes, make_note(self.name, "", "", "could not fetch scope list: " + server.scopes_error));
    } else {
        OptionImporter options(netbox, self.name, out);
        ImportScopeContext context{netbox, self, settings, options, out};
        for (const auto& scope : *server.scopes) {
            auto data = server.scope_data.find(scope.scope_id.value);
            import_scope(context, scope, data == server.scope_data.end() ? nullptr : &data->second);
        }
    }
    read_problems(out, ImportCategory::scopes, server.scope_problems);
    read_problems(out, ImportCategory::option_values, server.option_problems);
    read_problems(out, ImportCategory::exclusion_ranges, server.exclusion_problems);
    return out;
}

}  // namespace nds::engine
