// DHCP option codes as dhcpd names and writes them (dhcp-options(5)), and the conversion of option values
// between NetBox's form (the plugin's DHCPOptionValue: "8.8.8.8, 8.8.4.4") and dhcpd's statement syntax.
// Pure. A code dhcpd has no name for is declared in the rendered file (`option nds-option-252 code 252 =
// text;`) from the NetBox definition's data type; what cannot be expressed is reported, never guessed.
#pragma once

#include "util/expected.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::dhcpd {

enum class OptionFormat {
    ip,           ///< one address (dhcpd also takes a name that resolves to one)
    ip_list,      ///< comma-separated addresses
    text,         ///< one quoted string
    domain_list,  ///< comma-separated quoted domain names (option 119)
    u8,
    u16,
    u32,
    i32,
    flag,         ///< on / off
    u16_list,
    hex,          ///< bytes, colon-separated hex ("01:02:ff")
};

struct OptionInfo {
    int code = 0;
    std::string_view name;  ///< dhcpd's name ("domain-name-servers")
    OptionFormat format = OptionFormat::text;
};

const OptionInfo* find_option(int code);
const OptionInfo* find_option(std::string_view dhcpd_name);
/// Every named option of the catalog, by code (tests render them all through the real `dhcpd -t`).
const std::vector<OptionInfo>& option_catalog();

/// Codes the DHCP protocol or the subnet declaration set (1 subnet mask, 50-57, 61, 82, ...): not scope
/// options. Option 3 (routers) and 51 (lease time) are scope fields, handled by the renderer itself.
bool is_protocol_option(int code);

/// The name a code without a dhcpd name gets in the rendered file: "nds-option-252".
std::string custom_option_name(int code);
/// The format of such a code from the NetBox definition's data type (String, IPAddress, IPAddressList,
/// DWORD, Binary) or the Windows option type (IPv4Address, String, DWord, Word, Byte, BinaryData);
/// nullopt for types dhcpd cannot declare here ("DWORD DWORD", Encapsulated, IPv6Address).
std::optional<OptionFormat> format_for_data_type(std::string_view type, std::size_t value_count);
/// The type of a definition statement: "text", "array of ip-address", "unsigned integer 32", ...
std::string definition_type(OptionFormat format);
/// The other way round, from a definition in a parsed file; nullopt for record types this backend does not map.
std::optional<OptionFormat> format_from_definition(std::string_view type_text);

/// NetBox values (one string "a, b" or already split) as dhcpd writes them: `10.0.0.1, 10.0.0.2`,
/// `"example.net"`, `on`, `01:02:ff`. errc::config naming the value when it does not fit the format.
Expected<std::string> format_option_value(OptionFormat format, const std::vector<std::string>& values);

/// A parsed option's values back in NetBox form: one string per list element, strings unquoted, flags
/// "1"/"0", hex as "01:02:ff".
std::vector<std::string> option_values_from_dhcpd(OptionFormat format, const std::vector<std::string>& elements);
/// The Windows option type name the import expects for a format ("IPv4Address", "String", "DWord", ...).
const char* windows_type(OptionFormat format);

/// `"text"` with dhcpd's escapes (\" \\ and \ooo for control characters).
std::string quote_string(std::string_view text);

}  // namespace nds::dhcpd
