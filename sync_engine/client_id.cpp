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

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool is_separator(char c) { return c == ':' || c == '-' || c == '.' || c == ' '; }

/// Already in the stored form: lowercase hex pairs joined with '-', the last group one digit when the count
/// is odd. Every client id read from PSU and NetBox is normalised at the edge, so this is the common case
/// and costs no allocation beyond the copy.
bool is_normalised(std::string_view text) {
    if (text.empty()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i % 3 == 2) {
            if (text[i] != '-' || i + 1 == text.size()) return false;
        } else if (!is_lower_hex(text[i])) {
            return false;
        }
    }
    return true;
}

/// The lowercase hex digits of a hex client id (trimmed), or nullopt when it is not one.
std::optional<std::string> hex_digits(std::string_view text) {
    std::string digits;
    digits.reserve(text.size());
    for (char c : text) {
        if (std::isxdigit(static_cast<unsigned char>(c)))
            digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!is_separator(c))
            return std::nullopt;
    }
    if (digits.empty()) return std::nullopt;
    return digits;
}

/// The 12 lowercase hex digits of a MAC in one consistent notation, or nullopt.
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

bool is_hex_client_id(std::string_view raw) { return hex_digits(trim(raw)).has_value(); }

bool is_mac_address(std::string_view raw) { return mac_digits(trim(raw)).has_value(); }

std::string normalize_client_id(std::string_view raw) {
    if (is_normalised(raw)) return std::string(raw);
    auto text = trim(raw);
    auto digits = hex_digits(text);
    if (!digits) return std::string(text);
    std::string out;
    out.reserve(digits->size() + digits->size() / 2);
    for (std::size_t i = 0; i < digits->size(); i += 2) {
        if (i) out += '-';
        out.append(*digits, i, 2);  // the last group is one digit when the count is odd
    }
    return out;
}

}  // namespace nds::engine
