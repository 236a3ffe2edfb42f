// The server side of the dhcpd backend as the push sees it: files and commands, blocking, each bounded by its
// own timeout. SshRemote (dhcpd_server.cpp) implements it over libssh; the unit tests over a map of files.
#pragma once

#include "util/expected.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace nds::dhcpd {

struct CommandResult {
    int exit_status = -1;  ///< -1 when the server sent none (killed by a signal)
    std::string out;
    std::string err;
};

struct RemoteFile {
    std::string content;
    std::uint32_t mode = 0644;  ///< permission bits
};

class RemoteHost {
public:
    virtual ~RemoteHost() = default;
    /// nullopt: no such file.
    virtual Expected<std::optional<RemoteFile>> read_file(const std::string& path, std::uint64_t max_bytes) = 0;
    virtual Expected<Done> write_file(const std::string& path, const std::string& content, std::uint32_t mode) = 0;
    virtual Expected<Done> remove_file(const std::string& path) = 0;
    virtual Expected<CommandResult> run(const std::string& command, std::chrono::milliseconds timeout) = 0;
    /// Waits (server_check_delay); a fake returns at once.
    virtual void pause(std::chrono::milliseconds duration) = 0;
};

/// `text` in single quotes for a POSIX shell ('it'\''s').
std::string shell_quote(const std::string& text);

}  // namespace nds::dhcpd
