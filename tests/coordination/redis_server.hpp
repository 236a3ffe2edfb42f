// A real redis-server for the coordination tests: started on 127.0.0.1 on a free port of 16000-16499 (the
// range given to these tests; several test processes run at once, so a port taken meanwhile is retried),
// without persistence (--save "" --appendonly no), in a temporary directory of its own, stopped (and the
// directory removed) when the object goes away. It can be stopped, started again on the same port, paused
// (SIGSTOP) and resumed, to play a Redis that goes away or hangs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nds::coordination::testing {

struct RedisServerOptions {
    std::string requirepass;              ///< password of the default user ("" = none)
    std::vector<std::string> acl_lines;   ///< extra "user ..." lines of redis.conf
    bool tls = false;                     ///< TLS only (port 0, tls-port); a CA/certificate pair is generated
};

class RedisServer {
public:
    explicit RedisServer(RedisServerOptions options = {});
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    /// Stops redis-server (SIGTERM, then SIGKILL after 5 s) and waits for it.
    void stop();
    /// Starts it again on the same port (throws if the port was taken meanwhile).
    void start();
    void pause();   ///< SIGSTOP: the socket stays open, nothing answers
    void resume();  ///< SIGCONT

    bool running() const { return pid_ > 0; }
    std::uint16_t port() const { return port_; }
    /// "redis://[credentials@]127.0.0.1:<port>/0" ("rediss://" for TLS).
    std::string url(const std::string& credentials = "") const;
    /// The PEM certificate that signs the server's (TLS only).
    std::string ca_file() const { return (dir_ / "ca.pem").string(); }
    const std::filesystem::path& dir() const { return dir_; }

    /// One command over a blocking hiredis connection (no TLS), authenticated with `password` if given.
    /// The reply as text: a string, a status, an error ("ERR ..."), an integer, "(nil)", or "[a,b]".
    std::string command(const std::vector<std::string>& arguments, const std::string& password = "") const;

private:
    bool try_start(std::chrono::milliseconds limit);
    void write_config() const;

    RedisServerOptions options_;
    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace nds::coordination::testing
