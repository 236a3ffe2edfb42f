#include "sync_engine/dns_name.hpp"

#include <cctype>

namespace nds::engine {
namespace {

bool is_label_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

bool is_label(std::string_view label) {
    if (label.empty()) return false;
    for (char c : label)
        if (!is_label_char(c)) return false;
    return true;
}

}  // namespace

bool is_valid_dns_name(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    if (name.back() == '.') name.remove_suffix(1);
    bool first = true;
    while (true) {
        auto dot = name.find('.');
        auto label = name.substr(0, dot);
        bool ok = is_label(label) || (first && label == "*");
        if (!ok) return false;
        if (dot == std::string_view::npos) return true;
        name.remove_prefix(dot + 1);
        first = false;
    }
}

std::string normalize_dns_name(std::string_view name) {
    std::string out(name);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool same_dns_name(std::string_view a, std::string_view b) { return normalize_dns_name(a) == normalize_dns_name(b); }

}  // namespace nds::engine
