// What the locks look like in Redis (docs/coordination.md, "Key layout"): key names, the lock's value, the
// tokens and the two Lua scripts. Pure, apart from the random bytes of a token.
//
//   <prefix>:lock:<server>    "<token> <holder id>"   PX lock_ttl, renewed while the holder syncs
//   <prefix>:synced:<server>  "<holder id>"           PX the time a finished sync counts for
//
// The value starts with a 128-bit random token so that only the process that took the lock renews or
// deletes it (the scripts compare the whole value); the holder id after it ("host:pid:job") lets any replica
// say who is syncing a server. The token is not a secret against Redis users (they can read it), it guards
// against a late holder deleting or extending a lock that expired and was taken by someone else.
#pragma once

#include "util/expected.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace nds::coordination {

std::string lock_key(std::string_view prefix, std::string_view server);
std::string synced_key(std::string_view prefix, std::string_view server);

/// 32 hex characters from OpenSSL's CSPRNG (RAND_bytes). Throws std::runtime_error if it has no entropy.
std::string random_token();

/// "<token> <holder id>".
std::string lock_value(std::string_view token, std::string_view holder_id);
/// The holder id in a lock value (after the first space); the whole value if it has none (written by someone
/// else than this program).
std::string holder_of_value(std::string_view value);

/// "<hostname>:<pid>": the process part of every holder id (in Kubernetes the hostname is the pod's name).
std::string default_process_id();
/// "<process id>:<job>", or the process id alone for an empty job.
std::string make_holder_id(std::string_view process_id, std::string_view job);

/// The order in which this process should try to lock `servers`: sorted, then rotated by a stable hash
/// (FNV-1a) of `process_id`, so replicas that start a full run at the same moment begin at different servers
/// and split them instead of racing for the same ones.
std::vector<std::string> acquisition_order(std::vector<std::string> servers, std::string_view process_id);

/// A DHCP server name usable in a key: not empty, at most 200 bytes, no control characters.
/// Error errc::config naming the value.
Expected<Done> check_server_name(std::string_view server);

/// A Lua script and its SHA-1 (for EVALSHA; EVAL when the server does not know it yet).
struct LuaScript {
    std::string_view name;
    std::string_view source;
    std::string sha1;  ///< lower-case hex
};

/// KEYS[1] = lock key, ARGV[1] = our value, ARGV[2] = TTL in ms. 1 if extended, 0 if the lock is not ours.
const LuaScript& renew_script();
/// KEYS[1] = lock key, ARGV[1] = our value. 1 if deleted, 0 if the lock was not ours (expired or taken).
const LuaScript& release_script();

std::string sha1_hex(std::string_view data);

}  // namespace nds::coordination
