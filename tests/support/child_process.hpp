// A child process for integration tests and the demo: started with arguments, stdout read line by line,
// stopped (SIGTERM, then SIGKILL) when the object goes away, so no simulator outlives its test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nds::testing {

class ChildProcess {
public:
    /// Starts `program` with `args`; stdout is a pipe, stderr goes to `stderr_path` ("" = inherited).
    ChildProcess(const std::string& program, const std::vector<std::string>& args,
                 const std::string& stderr_path = "");
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// Next stdout line, or nullopt at EOF or after `timeout`.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// Stops the process (SIGTERM, up to 5 s, then SIGKILL) and returns its exit status.
    int stop();
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string buffer_;
    bool exited_ = false;
    int status_ = 0;
};

/// Result of running a program to completion.
struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs a program with extra environment variables and waits for it (killed after `timeout`).
RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::vector<std::pair<std::string, std::string>>& env = {},
                      std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace nds::testing
