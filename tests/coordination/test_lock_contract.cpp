// The contract of ServerLockService, run against both implementations: the in-process one and the Redis one
// on a real redis-server. Then mutual exclusion under load: many acquire/release cycles from two contenders
// (two coroutines in-process; two Redis services on two threads, each with its own connection), with a shared
// log that shows whether two holds ever overlapped.
#include "test_support.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

using namespace nds;
using namespace nds::coordination;
using namespace nds::coordination::testing;

namespace {

net::awaitable<void> check_contract(ServerLockService& service) {
    auto first = co_await service.try_acquire("dhcp01", "job-a");
    REQUIRE_MESSAGE(first, (first ? "" : first.error().message));
    REQUIRE(first->acquired());
    CHECK_FALSE(first->held_by);
    auto lock = first->lock;
    CHECK(lock->server() == "dhcp01");
    CHECK(lock->holder_id() == service.process_id() + ":job-a");
    CHECK(lock->check());

    // Held: a second attempt is an answer naming the holder, not an error.
    auto second = co_await service.try_acquire("dhcp01", "job-b");
    REQUIRE(second);
    CHECK_FALSE(second->acquired());
    REQUIRE(second->held_by);
    CHECK(second->held_by->holder_id == service.process_id() + ":job-a");

    // Another server is independent.
    auto other = co_await service.try_acquire("dhcp02", "job-b");
    REQUIRE(other);
    REQUIRE(other->acquired());

    auto holder = co_await service.holder("dhcp01");
    REQUIRE(holder);
    REQUIRE(*holder);
    CHECK((*holder)->holder_id == lock->holder_id());
    auto nobody = co_await service.holder("dhcp03");
    REQUIRE(nobody);
    CHECK_FALSE(*nobody);

    auto counters = service.counters();
    CHECK(counters.acquired == 2);
    CHECK(counters.busy == 1);
    CHECK(counters.held == 2);

    // Release: the lock is free, the handle says so, a second release is harmless.
    auto released = co_await lock->release();
    REQUIRE_MESSAGE(released, (released ? "" : released.error().message));
    auto after = lock->check();
    REQUIRE_FALSE(after);
    CHECK(after.error().is(errc::cancelled));
    CHECK(after.error().message.starts_with("lock lost: "));
    CHECK(co_await lock->release());
    auto freed = co_await service.holder("dhcp01");
    REQUIRE(freed);
    CHECK_FALSE(*freed);

    // A handle dropped without release gives the lock back by itself.
    auto again = co_await service.try_acquire("dhcp01", "job-c");
    REQUIRE(again);
    REQUIRE(again->acquired());
    again->lock.reset();
    bool given_back = false;
    for (int i = 0; i < 200 && !given_back; ++i) {
        auto now = co_await service.holder("dhcp01");
        REQUIRE(now);
        given_back = !now->has_value();
        if (!given_back) co_await sleep_for(10ms);
    }
    CHECK(given_back);

    REQUIRE(co_await other->lock->release());
    CHECK(service.counters().held == 0);
    CHECK(service.counters().released >= 3);

    // A finished sync is visible for the time given, then gone; the holder id comes back whole, spaces and all
    // (the service's job names have them).
    REQUIRE(co_await service.record_sync("dhcp02", "job d (schedule)", 300ms));
    auto recent = co_await service.recent_sync("dhcp02");
    REQUIRE(recent);
    REQUIRE(*recent);
    CHECK((*recent)->holder_id == service.process_id() + ":job d (schedule)");
    CHECK((*recent)->expires_in <= 300ms);
    co_await sleep_for(400ms);
    auto expired = co_await service.recent_sync("dhcp02");
    REQUIRE(expired);
    CHECK_FALSE(*expired);

    CHECK(co_await service.ping());
    auto bad = co_await service.try_acquire("", "job-e");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().is(errc::config));
}

/// Who held the server when: the enter/leave events of every contender, in the order they happened.
class HoldLog {
public:
    void enter(const std::string& who) {
        std::lock_guard guard(mutex_);
        if (!occupant_.empty()) overlaps_.push_back(who + " entered while " + occupant_ + " held the lock");
        occupant_ = who;
        ++holds_[who];
    }
    void leave(const std::string& who) {
        std::lock_guard guard(mutex_);
        if (occupant_ != who) overlaps_.push_back(who + " left while the log says " + occupant_ + " held the lock");
        occupant_.clear();
    }
    std::vector<std::string> overlaps() const {
        std::lock_guard guard(mutex_);
        return overlaps_;
    }
    int holds(const std::string& who) const {
        std::lock_guard guard(mutex_);
        auto it = holds_.find(who);
        return it == holds_.end() ? 0 : it->second;
    }

private:
    mutable std::mutex mutex_;
    std::string occupant_;
    std::vector<std::string> overlaps_;
    std::map<std::string, int> holds_;
};

/// `cycles` times: wait for the lock, note the hold, keep it 0-2 ms (the other contender tries meanwhile),
/// note the end, release. Failures are collected (doctest assertions are not thread-safe).
net::awaitable<void> contend(ServerLockService& service, std::string who, int cycles, HoldLog& log,
                             std::vector<std::string>& failures) {
    std::mt19937 random(std::hash<std::string>{}(who));
    for (int i = 0; i < cycles; ++i) {
        auto taken = co_await service.acquire("contended", who, 20s, 1ms);
        if (!taken || !taken->acquired()) {
            failures.push_back(who + ": " + (taken ? "still held after 20s" : taken.error().message));
            co_return;
        }
        log.enter(who);
        co_await sleep_for(std::chrono::microseconds(random() % 2000));
        if (!taken->lock->check()) failures.push_back(who + ": lock lost while held");
        log.leave(who);
        auto released = co_await taken->lock->release();
        if (!released) failures.push_back(who + ": release: " + released.error().message);
    }
}

void check_log(const HoldLog& log, const std::vector<std::string>& failures, int cycles) {
    for (const auto& failure : failures) FAIL_CHECK(failure);
    auto overlaps = log.overlaps();
    for (const auto& overlap : overlaps) FAIL_CHECK(overlap);
    CHECK(overlaps.empty());
    // Both contenders made every cycle (the test is not passed by one of them never getting the lock).
    CHECK(log.holds("alpha") == cycles);
    CHECK(log.holds("beta") == cycles);
}

}  // namespace

TEST_CASE("in-process locks: the lock service contract") {
    net::io_context io;
    auto service = make_service(io, std::nullopt, "test-host:1");
    CHECK_FALSE(service->shared());
    CHECK(service->describe().starts_with("in-process"));
    run(io, [&]() -> net::awaitable<void> { co_await check_contract(*service); });
}

TEST_CASE("redis locks: the lock service contract on a real redis-server") {
    RedisServer redis;
    net::io_context io;
    auto service = make_service(io, fast_options(redis.url()), "test-host:2");
    CHECK(service->shared());
    CHECK(service->describe() == "redis://127.0.0.1:" + std::to_string(redis.port()) + "/0");
    run(io, [&]() -> net::awaitable<void> { co_await check_contract(*service); });
    // The key layout of docs/coordination.md: a held lock is "<token> <holder>" under <prefix>:lock:<server>.
    run(io, [&]() -> net::awaitable<void> {
        auto taken = co_await service->try_acquire("dhcp09", "job-z");
        REQUIRE(taken);
        REQUIRE(taken->acquired());
        auto value = redis.command({"GET", "netbox-dhcp-sync:lock:dhcp09"});
        CHECK(value.size() == 33 + std::string("test-host:2:job-z").size());
        CHECK(value.ends_with(" test-host:2:job-z"));
        auto ttl = std::stoll(redis.command({"PTTL", "netbox-dhcp-sync:lock:dhcp09"}));
        CHECK(ttl > 0);
        CHECK(ttl <= 1500);
        REQUIRE(co_await taken->lock->release());
        CHECK(redis.command({"EXISTS", "netbox-dhcp-sync:lock:dhcp09"}) == "0");
    });
}

TEST_CASE("in-process locks: two contenders in one process never hold one server at the same time") {
    net::io_context io;
    auto service = make_service(io, std::nullopt);
    HoldLog log;
    std::vector<std::string> failures;
    constexpr int cycles = 300;
    run(io, [&]() -> net::awaitable<void> {
        using namespace boost::asio::experimental::awaitable_operators;
        co_await (contend(*service, "alpha", cycles, log, failures) && contend(*service, "beta", cycles, log, failures));
    });
    check_log(log, failures, cycles);
}

TEST_CASE("redis locks: two lock services on two threads never hold one server at the same time") {
    RedisServer redis;
    HoldLog log;
    constexpr int cycles = 150;
    std::vector<std::string> failures_alpha, failures_beta;
    std::string crash_alpha, crash_beta;
    auto contender = [&](std::string who, std::vector<std::string>& failures, std::string& crash) {
        try {
            net::io_context io;
            auto service = make_server_lock_service(io.get_executor(),
                                                    LockServiceOptions{fast_options(redis.url(), 2000ms), "host-" + who});
            if (!service) {
                failures.push_back(service.error().message);
                return;
            }
            net::co_spawn(io, contend(**service, who, cycles, log, failures),
                          [&](std::exception_ptr e) {
                              if (e) crash = who + ": exception";
                              io.stop();
                          });
            io.run_for(120s);
        } catch (const std::exception& e) {
            crash = who + ": " + e.what();
        }
    };
    std::thread alpha(contender, "alpha", std::ref(failures_alpha), std::ref(crash_alpha));
    std::thread beta(contender, "beta", std::ref(failures_beta), std::ref(crash_beta));
    alpha.join();
    beta.join();
    CHECK_MESSAGE(crash_alpha.empty(), crash_alpha);
    CHECK_MESSAGE(crash_beta.empty(), crash_beta);
    failures_alpha.insert(failures_alpha.end(), failures_beta.begin(), failures_beta.end());
    check_log(log, failures_alpha, cycles);
}
