// An import plan creates objects that later objects of the same plan refer to before they have ids: a scope
// joins a failover created a moment earlier, links option values (whose definitions may be new too), and gets
// exclusion ranges. The executor records here what NetBox created and asks for the ids when it writes the
// dependants. Anything whose dependency was not created fails with that reason instead of being sent.
#pragma once

#include "netbox_client/netbox_client.hpp"
#include "sync_engine/plan.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nds::daemon {

class ImportReferences {
public:
    /// `ids[i]` is the id NetBox gave creates[i] (0 when it was not created).
    void failovers_created(const std::vector<engine::FailoverCreate>& creates, const std::vector<engine::ObjectId>& ids);
    void option_codes_created(const std::vector<engine::OptionCodeCreate>& creates, const std::vector<engine::ObjectId>& ids);
    void option_values_created(const std::vector<engine::OptionValueCreate>& creates, const std::vector<engine::ObjectId>& ids);
    /// `ids[i]` is the id NetBox gave scope_creates[i] (0 when it was not created).
    void scopes_created(std::vector<engine::ObjectId> ids) { scope_ids_ = std::move(ids); }

    /// The definition id of each option value (0 when its definition was not created).
    std::vector<engine::ObjectId> definition_ids(const std::vector<engine::OptionValueCreate>& creates) const;

    /// Actions whose references are all known, with the ids filled in; `sent[k]` is the index in the input of
    /// `actions[k]`. The others are in `failures` (kind and label of the action, and why).
    template <class Action>
    struct Resolved {
        std::vector<Action> actions;
        std::vector<std::size_t> sent;
        std::vector<netbox::WriteFailure> failures;
    };
    Resolved<engine::ScopeCreate> resolve(const std::vector<engine::ScopeCreate>& creates) const;
    Resolved<engine::ExclusionRangeCreate> resolve(const std::vector<engine::ExclusionRangeCreate>& creates) const;

private:
    std::map<std::string, engine::ObjectId> failovers_;                    ///< by name
    std::map<int, engine::ObjectId> option_codes_;                         ///< by code
    std::map<std::pair<int, std::string>, engine::ObjectId> option_values_;  ///< by (code, value)
    std::vector<engine::ObjectId> scope_ids_;
};

}  // namespace nds::daemon
