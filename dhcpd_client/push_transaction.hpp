// The push of a rendered dhcpd.conf as one transaction: upload next to the file, test, keep a backup,
// replace atomically, stop and start the server, check it runs; on any failure put the previous file back and
// start the server again. An unchanged file touches nothing (no upload, no restart). The steps run on a
// RemoteHost (blocking; SshRemote over libssh in the backend, a fake in the unit tests) and every step is
// recorded with its command, exit status and output. docs/dhcpd.md "The push" lists the steps.
#pragma once

#include "dhcpd_client/remote_host.hpp"
#include "util/expected.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::dhcpd {

/// How far the caller's coroutine was cancelled (set from the event loop, read on the SSH thread).
class CancelState {
public:
    void request_partial() { level_.store(std::max(level_.load(), 1)); }
    void request_terminal() { level_.store(2); }
    bool any() const { return level_.load() > 0; }
    bool terminal() const { return level_.load() == 2; }

private:
    std::atomic<int> level_{0};
};

struct PushSettings {
    std::string config_path;
    std::string config_test;   ///< {file} = the candidate, shell-quoted; "" = no test
    std::string server_stop;
    std::string server_start;
    std::string server_check;  ///< "" = no check
    std::chrono::milliseconds server_check_delay{0};
    std::chrono::milliseconds command_timeout{60000};
    std::function<void(std::string_view step)> before_step;  ///< tests break a push here
};

struct StepRecord {
    std::string step;      ///< "upload", "config test", "install", "server start", "restore", ...
    std::string command;   ///< "" for file transfers
    bool ok = false;
    int exit_status = -1;  ///< commands: the exit status; -1 when none (transport failure, file step)
    std::string output;    ///< a command's stderr and stdout; a failed step's error
};

struct PushOutcome {
    enum class Result { unchanged, pushed, failed };
    Result result = Result::unchanged;
    std::string failed_step;          ///< the step that failed
    std::optional<Error> error;       ///< its error (errc::command_failed for a non-zero exit, ...)
    bool file_replaced = false;       ///< the install step was reached (the back-out had to restore)
    bool backed_out = false;          ///< the back-out put the previous file back and the server runs
    std::vector<StepRecord> steps;    ///< every step run, in order, the back-out included
};

/// The candidate's name: a hidden file next to config_path (same file system, so the rename is atomic).
std::string candidate_path(const std::string& config_path);
std::string backup_path(const std::string& config_path);
/// config_test with every {file} replaced by the shell-quoted path.
std::string config_test_command(const std::string& config_test, const std::string& file);

PushOutcome push_config(RemoteHost& remote, const PushSettings& settings, const std::optional<RemoteFile>& current,
                        const std::string& new_content, const CancelState& cancel);

/// dhcpd's own message out of its stderr: the banner, the file lines and the "If you think you have
/// received this message due to a bug" paragraph removed; what is left names the line and the problem.
std::string dhcpd_message(std::string_view output);

}  // namespace nds::dhcpd
