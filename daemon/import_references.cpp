#include "daemon/import_references.hpp"

namespace nds::daemon {

using engine::ObjectId;

namespace {

netbox::WriteFailure failure(engine::ObjectKind kind, std::size_t action, const engine::ActionNote& note,
                             std::string error) {
    return netbox::WriteFailure{kind, action, note.object, note.server, note.scope, std::move(error)};
}

}  // namespace

void ImportReferences::failovers_created(const std::vector<engine::FailoverCreate>& creates,
                                         const std::vector<ObjectId>& ids) {
    for (std::size_t i = 0; i < creates.size() && i < ids.size(); ++i)
        if (ids[i] > 0) failovers_[creates[i].name] = ids[i];
}

void ImportReferences::option_codes_created(const std::vector<engine::OptionCodeCreate>& creates,
                                            const std::vector<ObjectId>& ids) {
    for (std::size_t i = 0; i < creates.size() && i < ids.size(); ++i)
        if (ids[i] > 0) option_codes_[creates[i].code] = ids[i];
}

void ImportReferences::option_values_created(const std::vector<engine::OptionValueCreate>& creates,
                                             const std::vector<ObjectId>& ids) {
    for (std::size_t i = 0; i < creates.size() && i < ids.size(); ++i)
        if (ids[i] > 0) option_values_[{creates[i].code, creates[i].value}] = ids[i];
}

std::vector<ObjectId> ImportReferences::definition_ids(const std::vector<engine::OptionValueCreate>& creates) const {
    std::vector<ObjectId> ids;
    for (const auto& c : creates) {
        if (c.definition_id) {
            ids.push_back(*c.definition_id);
            continue;
        }
        auto found = option_codes_.find(c.code);
        ids.push_back(found == option_codes_.end() ? 0 : found->second);
    }
    return ids;
}

ImportReferences::Resolved<engine::ScopeCreate> ImportReferences::resolve(
    const std::vector<engine::ScopeCreate>& creates) const {
    Resolved<engine::ScopeCreate> out;
    for (std::size_t i = 0; i < creates.size(); ++i) {
        engine::ScopeCreate c = creates[i];
        if (!c.failover_id && !c.failover_name.empty()) {
            auto found = failovers_.find(c.failover_name);
            if (found == failovers_.end()) {
                out.failures.push_back(failure(engine::ObjectKind::scope, i, c.note,
                                               "its failover '" + c.failover_name + "' was not created"));
                continue;
            }
            c.failover_id = found->second;
        }
        std::string missing;
        for (auto& ref : c.option_values) {
            if (ref.id) continue;
            auto found = option_values_.find({ref.code, ref.value});
            if (found == option_values_.end()) {
                missing += (missing.empty() ? "" : ", ") + ("option " + std::to_string(ref.code) + " '" + ref.value + "'");
                continue;
            }
            ref.id = found->second;
        }
        if (!missing.empty()) {
            // The scope is still created (its options are not what makes it a scope); the link is reported.
            out.failures.push_back(failure(engine::ObjectKind::option_value, i, c.note,
                                           "not linked to the new scope: " + missing + " was not created"));
        }
        out.actions.push_back(std::move(c));
        out.sent.push_back(i);
    }
    return out;
}

ImportReferences::Resolved<engine::ExclusionRangeCreate> ImportReferences::resolve(
    const std::vector<engine::ExclusionRangeCreate>& creates) const {
    Resolved<engine::ExclusionRangeCreate> out;
    for (std::size_t i = 0; i < creates.size(); ++i) {
        engine::ExclusionRangeCreate c = creates[i];
        if (c.new_scope) {
            ObjectId id = *c.new_scope < scope_ids_.size() ? scope_ids_[*c.new_scope] : 0;
            if (id <= 0) {
                out.failures.push_back(failure(engine::ObjectKind::exclusion_range, i, c.note, "its scope was not created"));
                continue;
            }
            c.scope_id = id;
        }
        out.actions.push_back(std::move(c));
        out.sent.push_back(i);
    }
    return out;
}

}  // namespace nds::daemon
