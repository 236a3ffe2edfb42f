#include "sync_engine/import_options.hpp"

#include "sync_engine/labels.hpp"

#include <set>

namespace nds::engine {

std::string option_data_type(const DhcpOptionValue& option) {
    const std::string& t = option.type;
    if (t == "IPv4Address") return option.value.size() > 1 ? "IPAddressList" : "IPAddress";
    if (t == "IPv6Address") return "IPv6Address";
    if (t == "DWord" || t == "Word" || t == "Byte") return "DWORD";
    if (t == "DWordDword" || t == "DWordDWord") return "DWORD DWORD";
    if (t == "BinaryData") return "Binary";
    if (t == "EncapsulatedData") return "Encapsulated";
    return "String";
}

std::string joined_option_value(const DhcpOptionValue& option) {
    std::string out;
    for (const auto& v : option.value) out += (out.empty() ? "" : ", ") + v;
    return out;
}

OptionImporter::OptionImporter(const ImportNetBox& netbox, std::string server, ImportPlan& out)
    : server_(std::move(server)), out_(out) {
    std::map<ObjectId, int> code_of;
    for (const auto& def : netbox.option_codes) {
        code_of[def.id] = def.code;
        definitions_.emplace(def.code, Definition{def.id, def.name, def.vendor_class});  // first per code wins
    }
    // Prefer a row without a friendly name, as the plugin's get-or-create would find it.
    for (int pass = 0; pass < 2; ++pass)
        for (const auto& value : netbox.option_values) {
            if ((pass == 0) != value.friendly_name.empty()) continue;
            auto code = code_of.find(value.definition_id);
            if (code == code_of.end()) continue;
            if (definitions_.at(code->second).id != value.definition_id) continue;  // a duplicate definition's row
            values_.emplace(std::make_pair(code->second, value.value), Value{value.id, ""});
        }
}

const OptionImporter::Definition* OptionImporter::definition(const std::string& scope_label,
                                                              const DhcpOptionValue& option) {
    auto found = definitions_.find(option.code);
    if (found != definitions_.end()) {
        if (found->second.vendor_class != option.vendor_class) {
            out_.error(ImportCategory::option_values,
                       make_note(server_, scope_label, "Option " + std::to_string(option.code),
                                 "option " + std::to_string(option.code) + " of vendor class '" + option.vendor_class +
                                     "': NetBox keeps one definition per code and code " + std::to_string(option.code) +
                                     " is defined for vendor class '" + found->second.vendor_class + "' — not imported"));
            return nullptr;
        }
        return &found->second;
    }
    OptionCodeCreate create;
    create.code = option.code;
    create.name = option.name.empty() ? "Option " + std::to_string(option.code) : option.name;
    create.data_type = option_data_type(option);
    create.vendor_class = option.vendor_class;
    create.note = make_note(server_, scope_label, std::to_string(option.code) + ": " + create.name,
                            "option code used on the server, no definition in NetBox");
    Definition def{std::nullopt, create.name, create.vendor_class};
    out_.plan.option_code_creates.push_back(std::move(create));
    return &definitions_.emplace(option.code, std::move(def)).first->second;
}

void OptionImporter::import(const std::string& scope_label, const std::vector<DhcpOptionValue>& options,
                            ScopeCreate& scope) {
    std::set<int> attached;
    for (const auto& option : options) {
        if (option.code == 3 || option.code == 51) continue;  // router and lease time live on the scope
        if (option.code <= 0) continue;
        std::string object = "Option " + std::to_string(option.code);
        if (!attached.insert(option.code).second) {
            out_.error(ImportCategory::option_values,
                       make_note(server_, scope_label, object,
                                 "the scope has several values for option " + std::to_string(option.code) +
                                     " (vendor class '" + option.vendor_class +
                                     "'); NetBox allows one value per code on a scope — only the first is imported"));
            continue;
        }
        std::string value = joined_option_value(option);
        if (value.empty()) {
            out_.plan.skips.push_back(Skip{make_note(server_, scope_label, object, "option has no value on the server"),
                                           ObjectKind::option_value});
            continue;
        }
        const Definition* def = definition(scope_label, option);
        if (!def) {
            attached.erase(option.code);
            continue;
        }
        object = "Option " + std::to_string(option.code) + " (" + def->name + "): " + value;
        auto key = std::make_pair(option.code, value);
        auto known = values_.find(key);
        if (known != values_.end()) {
            std::string reason = known->second.id ? "value already in NetBox (shared); linked to the new scope"
                                                  : "value created for scope '" + known->second.first_scope +
                                                        "' in this import (shared); linked to the new scope";
            out_.plan.skips.push_back(Skip{make_note(server_, scope_label, object, reason), ObjectKind::option_value});
            scope.option_values.push_back(OptionValueRef{known->second.id, option.code, value});
            continue;
        }
        OptionValueCreate create;
        create.code = option.code;
        create.definition_id = def->id;
        create.value = value;
        create.note = make_note(server_, scope_label, object, "option value of the scope on the server, not in NetBox");
        out_.plan.option_value_creates.push_back(std::move(create));
        values_.emplace(key, Value{std::nullopt, scope_label});
        scope.option_values.push_back(OptionValueRef{std::nullopt, option.code, value});
    }
}

}  // namespace nds::engine
