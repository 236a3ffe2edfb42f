// A real OpenSSH server for the dhcpd tests: its own host key, client key, authorized_keys, config and pid
// file under a temporary directory, listening on 127.0.0.1 on a port of the dhcpd tests' range
// (22000-22999), stopped when the object goes away.
#pragma once

#include "tests/support/child_process.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace nds::dhcpd::test {

/// A directory under /tmp, unique per process and object, removed with everything in it.
class TempDir {
public:
    explicit TempDir(const std::string& tag);
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

void write_text(const std::string& path, const std::string& text, std::filesystem::perms perms = std::filesystem::perms(0644));
std::string read_text(const std::string& path);

class SshdInstance {
public:
    explicit SshdInstance(const std::filesystem::path& dir);
    ~SshdInstance();

    int port() const { return port_; }
    const std::string& client_key() const { return client_key_; }
    /// "[127.0.0.1]:PORT ssh-ed25519 AAAA..." for the server's real host key, or another key.
    std::string known_hosts_line() const;
    std::string wrong_known_hosts_line() const;
    /// Kills every connection's sshd process (the listening server stays): the sessions drop.
    void kill_sessions();
    /// Stops the listening server.
    void stop();

private:
    std::filesystem::path dir_;
    int port_ = 0;
    std::string client_key_;
    std::string host_public_key_, other_public_key_;
    std::unique_ptr<nds::testing::ChildProcess> process_;
};

}  // namespace nds::dhcpd::test
