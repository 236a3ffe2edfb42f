#include "daemon/sd_notify.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace nds::daemon;

namespace {

struct EnvGuard {
    std::string old;
    bool had = false;
    EnvGuard() {
        if (const char* v = std::getenv("NOTIFY_SOCKET")) {
            old = v;
            had = true;
        }
    }
    ~EnvGuard() {
        if (had) ::setenv("NOTIFY_SOCKET", old.c_str(), 1);
        else ::unsetenv("NOTIFY_SOCKET");
    }
};

}  // namespace

TEST_CASE("sd_notify: sends the state as one datagram to $NOTIFY_SOCKET") {
    EnvGuard guard;
    std::string path = "/tmp/nds-notify-" + std::to_string(::getpid());
    ::unlink(path.c_str());
    int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    CHECK(sd_notify("READY=1\nSTATUS=listening"));
    char buffer[256] = {};
    auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    CHECK(std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0) == "READY=1\nSTATUS=listening");
    ::close(fd);
    ::unlink(path.c_str());
}

TEST_CASE("sd_notify: abstract socket names, no socket, and a socket nobody listens on") {
    EnvGuard guard;
    std::string name = "@nds-notify-test-" + std::to_string(::getpid());
    int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path + 1, name.data() + 1, name.size() - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0);
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
    CHECK(sd_notify("STOPPING=1"));
    char buffer[64] = {};
    auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    CHECK(std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0) == "STOPPING=1");
    ::close(fd);

    ::unsetenv("NOTIFY_SOCKET");
    CHECK(sd_notify("READY=1"));  // not under systemd: nothing to do
    ::setenv("NOTIFY_SOCKET", "/tmp/nds-no-such-socket", 1);
    CHECK_FALSE(sd_notify("READY=1"));
}
