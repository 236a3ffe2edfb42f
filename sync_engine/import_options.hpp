// Option import (the plugin's behaviour), for scopes the import creates:
//  - codes 3 and 51 are the scope's router and lease time (fields of the scope itself), never option values;
//  - a code NetBox has no definition for gets one (name from the server, else "Option <code>"); unlike the
//    plugin (always String) its data type follows the Windows option type;
//  - values are a shared library: get-or-create by (definition, value joined with ", "), created once per
//    import and linked to every new scope that uses it;
//  - B15: definitions are unique by code, so a vendor-class option whose code is defined for another vendor
//    class is an error instead of being mixed up, and a scope gets at most one value per code.
#pragma once

#include "sync_engine/import_inputs.hpp"
#include "sync_engine/import_plan.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nds::engine {

/// The plugin's data_type for a Windows option type ("IPv4Address" with several values -> "IPAddressList").
std::string option_data_type(const DhcpOptionValue& option);
/// "8.8.8.8, 8.8.4.4": how the plugin stores multi-valued options.
std::string joined_option_value(const DhcpOptionValue& option);

class OptionImporter {
public:
    OptionImporter(const ImportNetBox& netbox, std::string server, ImportPlan& out);

    /// Links the scope's options to `scope` (creating definitions and values as needed).
    void import(const std::string& scope_label, const std::vector<DhcpOptionValue>& options, ScopeCreate& scope);

private:
    struct Definition {
        std::optional<ObjectId> id;  ///< nullopt: created by this plan
        std::string name;
        std::string vendor_class;
    };
    struct Value {
        std::optional<ObjectId> id;  ///< nullopt: created by this plan
        std::string first_scope;     ///< the scope whose import created it
    };

    const Definition* definition(const std::string& scope_label, const DhcpOptionValue& option);

    std::string server_;
    ImportPlan& out_;
    std::map<int, Definition> definitions_;                   ///< by code: NetBox's, then the planned ones
    std::map<std::pair<int, std::string>, Value> values_;     ///< by (code, value)
};

}  // namespace nds::engine
