// A process that takes one server's lock and keeps it (renewing) until it is killed: the "holder that dies"
// of the coordination tests. Usage: coordination_lock_holder <redis url> <server> <ttl ms>
// Prints "held <holder id>" once it holds the lock, "lost: <why>" (exit 3) if the lock is lost.
#include "coordination/server_lock.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace net = boost::asio;
using namespace nds::coordination;

namespace {

net::awaitable<void> hold(ServerLockService& service, std::string server, ServerLockPtr& lock, int& exit_code) {
    auto taken = co_await service.acquire(server, "child-job", std::chrono::seconds(10), std::chrono::milliseconds(20));
    if (!taken || !taken->acquired()) {
        std::printf("failed: %s\n", taken ? "held elsewhere" : taken.error().message.c_str());
        std::fflush(stdout);
        exit_code = 2;
        co_return;
    }
    lock = taken->lock;
    lock->on_lost([](const nds::Error& why) {
        std::printf("lost: %s\n", why.message.c_str());
        std::fflush(stdout);
        std::exit(3);
    });
    std::printf("held %s\n", lock->holder_id().c_str());
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s <redis url> <server> <ttl ms>\n", argv[0]);
        return 64;
    }
    net::io_context io{1};
    RedisOptions redis;
    redis.url = argv[1];
    redis.lock_ttl = std::chrono::milliseconds(std::atoi(argv[3]));
    redis.renew_every = redis.lock_ttl / 3;
    redis.connect_timeout = std::chrono::milliseconds(500);
    redis.command_timeout = std::chrono::milliseconds(300);
    auto service = make_server_lock_service(io.get_executor(), LockServiceOptions{redis, ""});
    if (!service) {
        std::printf("failed: %s\n", service.error().message.c_str());
        return 2;
    }
    ServerLockPtr lock;
    int exit_code = 0;
    net::co_spawn(io, hold(**service, argv[2], lock, exit_code), net::detached);
    // Runs the renewals until killed (the test's SIGKILL) or until the lock is lost.
    io.run();
    return exit_code;
}
