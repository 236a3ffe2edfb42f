#include "sync_engine/client_id.hpp"

#include <cctype>
#include <optional>

namespace nds::engine {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

/// Already in the form this project stores: "aa-bb-cc-dd-ee-ff", lowercase. Every client id read from PSU and
/// NetBox is normalised at the edge, so this is the common case (issue #5: two calls per lease).
bool is_normalised_mac(std::string_view text) {
    if (text.size() != 17) return false;
    for (std::size_t i = 0; i < 17; ++i) {
        char c = text[i];
        if (i % 3 == 2) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

/// The 12 lowercase hex digits of a MAC, or nullopt. Separators must be consistent with one of the
/// known layouts: none, ':' or '-' every 2 digits, '.' every 4 digits.
std::optional<std::string> mac_digits(std::string_view text) {
    std::string digits;
    digits.reserve(12);
    char separator = 0;
    std::size_t group = 0;
    std::size_t group_size = 0;
    for (char c : text) {
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            ++group;
            continue;
        }
        if (c != ':' && c != '-' && c != '.') return std::nullopt;
        if (separator == 0) {
            separator = c;
            group_size = group;
        } else if (c != separator || group != group_size) {
            return std::nullopt;
        }
        group = 0;
    }
    if (digits.size() != 12) return std::nullopt;
    if (separator != 0) {
        bool pairs = (separator == ':' || separator == '-') && group_size == 2;
        bool quads = separator == '.' && group_size == 4;
        if (!(pairs || quads) || group != group_size) return std::nullopt;
    }
    return digits;
}

}  // namespace

bool is_mac_address(std::string_view raw) { return mac_digits(trim(raw)).has_value(); }

std::string normalize_client_id(std::string_view raw) {
    if (is_normalised_mac(raw)) return std::string(raw);
    auto text = trim(raw);
    auto digits = mac_digits(text);
    if (!digits) return std::string(text);
    std::string out;
    out.reserve(17);
    for (std::size_t i = 0; i < 12; i += 2) {
        if (i) out += '-';
        out.append(*digits, i, 2);
    }
    return out;
}

}  // namespace nds::engine
