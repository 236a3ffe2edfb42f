#include "coordination/lock_records.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <unistd.h>

namespace nds::coordination {
namespace {

std::string to_hex(const unsigned char* bytes, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0x0F];
    }
    return out;
}

// GET and compare in one script: Redis runs a script atomically, so no other client can take the lock
// between the comparison and the PEXPIRE / DEL.
constexpr std::string_view renew_source =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
constexpr std::string_view release_source =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

}  // namespace

std::string lock_key(std::string_view prefix, std::string_view server) {
    return std::string(prefix) + ":lock:" + std::string(server);
}

std::string synced_key(std::string_view prefix, std::string_view server) {
    return std::string(prefix) + ":synced:" + std::string(server);
}

std::string random_token() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed: no lock token");
    return to_hex(bytes, sizeof bytes);
}

std::string lock_value(std::string_view token, std::string_view holder_id) {
    return std::string(token) + " " + std::string(holder_id);
}

std::string holder_of_value(std::string_view value) {
    auto space = value.find(' ');
    return std::string(space == std::string_view::npos ? value : value.substr(space + 1));
}

std::string default_process_id() {
    char host[HOST_NAME_MAX + 1] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "unknown-host");
    return std::string(host) + ":" + std::to_string(::getpid());
}

std::string make_holder_id(std::string_view process_id, std::string_view job) {
    if (job.empty()) return std::string(process_id);
    return std::string(process_id) + ":" + std::string(job);
}

std::vector<std::string> acquisition_order(std::vector<std::string> servers, std::string_view process_id) {
    std::sort(servers.begin(), servers.end());
    servers.erase(std::unique(servers.begin(), servers.end()), servers.end());
    if (servers.empty()) return servers;
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a: the same in every build, unlike std::hash
    for (unsigned char c : process_id) hash = (hash ^ c) * 1099511628211ull;
    std::rotate(servers.begin(), servers.begin() + static_cast<std::ptrdiff_t>(hash % servers.size()), servers.end());
    return servers;
}

Expected<Done> check_server_name(std::string_view server) {
    auto fail = [&](const char* why) {
        return Error{make_error_code(errc::config), "DHCP server name '" + std::string(server) + "' " + why};
    };
    if (server.empty()) return fail("is empty");
    if (server.size() > 200) return fail("is longer than 200 bytes");
    for (char c : server)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return fail("has a control character");
    return Done{};
}

std::string sha1_hex(std::string_view data) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return to_hex(digest, sizeof digest);
}

const LuaScript& renew_script() {
    static const LuaScript script{"renew", renew_source, sha1_hex(renew_source)};
    return script;
}

const LuaScript& release_script() {
    static const LuaScript script{"release", release_source, sha1_hex(release_source)};
    return script;
}

}  // namespace nds::coordination
