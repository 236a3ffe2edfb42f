// One SSH connection to a dhcpd server (libssh): host key checked against a known_hosts file, key or
// password authentication, commands with exit status and output, SFTP reads and writes. libssh is blocking:
// an SshSession is used by one thread at a time (the backend's SSH thread, never the event loop). Every step
// is bounded: a watchdog shuts the socket down when a step outlives its deadline, so a hung server cannot
// hold the thread. After any transport failure the session is broken and must be replaced.
#pragma once

#include "dhcpd_client/remote_host.hpp"
#include "util/expected.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace nds::dhcpd {

struct SshTarget {
    std::string host;
    int port = 22;
    std::string user;
    std::string key_file;
    std::string password_file;
    std::string known_hosts;
    bool accept_new_host_key = false;
    std::chrono::milliseconds timeout{15000};  ///< each step: connect, authentication, each SFTP request
};

/// libssh's known-hosts verdict, and what the sync does with it (pure, tested without a server).
enum class KnownHostState { known, changed, other_key_type, unknown, no_file, error };
enum class HostKeyDecision { accept, accept_and_record, refuse };
HostKeyDecision decide_host_key(KnownHostState state, bool accept_new_host_key);

class SshSession {
public:
    /// Connects, checks the host key (errc::host_key when refused, naming the key's SHA-256 fingerprint and
    /// the file), authenticates (errc::authentication). errc::transport when the server cannot be reached.
    static Expected<std::unique_ptr<SshSession>> connect(const SshTarget& target);
    ~SshSession();
    SshSession(const SshSession&) = delete;
    SshSession& operator=(const SshSession&) = delete;

    /// Runs a command through the user's shell; stdout and stderr each kept up to `max_output` bytes. A
    /// non-zero exit status is a result, not an error; errc::transport when the connection fails or the
    /// command outlives `timeout`.
    Expected<CommandResult> run(const std::string& command, std::chrono::milliseconds timeout,
                                std::size_t max_output = 1 << 20);

    /// nullopt when the file does not exist; errc::io when it cannot be read or exceeds `max_bytes`.
    Expected<std::optional<RemoteFile>> read_file(const std::string& path, std::uint64_t max_bytes);
    /// Creates or truncates `path` with `mode`, writes `content` and syncs it to disk (when the server offers
    /// fsync@openssh.com).
    Expected<Done> write_file(const std::string& path, const std::string& content, std::uint32_t mode);
    /// SFTP rename; fails when `to` exists (SFTP version 3). Use a command (mv -f) to replace a file.
    Expected<Done> rename(const std::string& from, const std::string& to);
    Expected<Done> remove(const std::string& path);
    struct Stat {
        std::uint64_t size = 0;
        std::uint32_t mode = 0;
        std::int64_t mtime = 0;
    };
    Expected<std::optional<Stat>> stat(const std::string& path);

    /// The server's identification ("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10").
    std::string server_banner() const;
    /// Shuts the connection down from any thread: a call blocked in this session returns (transport error).
    void abort();
    bool broken() const;

private:
    struct Impl;
    explicit SshSession(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace nds::dhcpd
