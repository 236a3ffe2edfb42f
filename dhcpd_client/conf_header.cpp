#include "dhcpd_client/conf_header.hpp"

#include <openssl/evp.h>

#include <cstdio>

namespace nds::dhcpd {
namespace {

constexpr std::string_view kFirstLinePrefix = "# dhcpd.conf of DHCP server ";
constexpr std::string_view kHashPrefix = "# content-sha256 ";

}  // namespace

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    std::string out;
    char buf[3];
    for (unsigned int i = 0; i < length; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", digest[i]);
        out += buf;
    }
    return out;
}

std::string config_header(std::string_view server_name, std::string_view netbox_url, std::string_view body) {
    // One line each: a line break in a name would end the comment and put the rest into the configuration.
    auto one_line = [](std::string_view text) {
        std::string out(text);
        for (char& c : out)
            if (static_cast<unsigned char>(c) < 0x20) c = ' ';
        return out;
    };
    std::string out(kFirstLinePrefix);
    out += '"';
    out += one_line(server_name);
    out += "\", written by netbox-dhcp-sync from NetBox ";
    out += netbox_url.empty() ? std::string("(URL not given)") : one_line(netbox_url);
    out += "\n# Edits made here are replaced by the next sync: add statements through the sync's free_lines.\n";
    out += std::string(kHashPrefix) + sha256_hex(body) + "\n";
    return out;
}

HeaderCheck check_header(std::string_view text) {
    HeaderCheck check;
    if (text.substr(0, kFirstLinePrefix.size()) != kFirstLinePrefix) return check;
    // The header is three lines; the hash line is the last one.
    std::size_t pos = 0;
    for (int line = 0; line < 3; ++line) {
        auto eol = text.find('\n', pos);
        if (eol == std::string_view::npos) return check;
        auto content = text.substr(pos, eol - pos);
        if (line == 2) {
            if (content.substr(0, kHashPrefix.size()) != kHashPrefix) return check;
            check.ours = true;
            check.hash_matches = content.substr(kHashPrefix.size()) == sha256_hex(text.substr(eol + 1));
        }
        pos = eol + 1;
    }
    return check;
}

}  // namespace nds::dhcpd
