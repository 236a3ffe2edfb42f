// The Redis locks when things go wrong, with a real redis-server: a holder that dies (its service destroyed
// unreleased, or its process SIGKILLed) frees its server after the TTL; Redis stopped or hung mid-hold makes
// the holder's lock report lost within the renewal interval and acquire fail cleanly; Redis started again
// serves locks again; credentials (requirepass, an ACL user) and TLS.
#include "test_support.hpp"

#include "coordination/lock_records.hpp"
#include "tests/support/child_process.hpp"

#include <csignal>

using namespace nds;
using namespace nds::coordination;
using namespace nds::coordination::testing;

namespace {

std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

/// Waits (bounded) until on_lost has run; the time it took from `start`, or nullopt.
net::awaitable<std::optional<std::chrono::milliseconds>> wait_lost(const bool& lost, Clock::time_point start,
                                                                   std::chrono::milliseconds limit) {
    while (!lost && since(start) < limit) co_await sleep_for(5ms);
    if (!lost) co_return std::nullopt;
    co_return since(start);
}

}  // namespace

TEST_CASE("redis locks: a holder whose service is destroyed unreleased frees the server after the TTL") {
    RedisServer redis;
    net::io_context io;
    auto holder_service = make_service(io, fast_options(redis.url(), 1200ms), "dead-host:1");
    auto waiter = make_service(io, fast_options(redis.url(), 1200ms), "live-host:2");
    run(io, [&]() -> net::awaitable<void> {
        auto taken = co_await holder_service->try_acquire("dhcp01", "job-1");
        REQUIRE(taken);
        REQUIRE(taken->acquired());
        auto orphan = taken->lock;
        co_await sleep_for(900ms);  // past one renewal: the lock is kept beyond the first TTL share

        auto busy = co_await waiter->try_acquire("dhcp01", "job-2");
        REQUIRE(busy);
        REQUIRE_FALSE(busy->acquired());
        CHECK(busy->held_by->holder_id == "dead-host:1:job-1");
        CHECK(busy->held_by->expires_in > 0ms);
        CHECK(busy->held_by->expires_in <= 1200ms);

        // The holder stops renewing without releasing (as a crashed process would).
        holder_service.reset();
        auto stopped = orphan->check();
        REQUIRE_FALSE(stopped);
        CHECK(stopped.error().is(errc::cancelled));
        const auto died = Clock::now();
        auto taken_over = co_await waiter->acquire("dhcp01", "job-2", 5s, 20ms);
        auto waited = since(died);
        REQUIRE_MESSAGE(taken_over, (taken_over ? "" : taken_over.error().message));
        REQUIRE(taken_over->acquired());
        MESSAGE("taken over after " << waited.count() << " ms (TTL 1200 ms, renewed every 400 ms)");
        // Not at once (nobody released it), and no later than one TTL (plus scheduling slack).
        CHECK(waited >= 300ms);
        CHECK(waited <= 1200ms + 600ms);
        REQUIRE(co_await taken_over->lock->release());
    });
}

TEST_CASE("redis locks: a SIGKILLed holder process keeps its lock while alive and loses it after the TTL") {
    RedisServer redis;
    nds::testing::ChildProcess child(NDS_LOCK_HOLDER, {redis.url(), "dhcp07", "900"});
    auto line = child.read_line(10s);
    REQUIRE(line);
    REQUIRE_MESSAGE(line->starts_with("held "), *line);
    const std::string child_holder = line->substr(5);
    CHECK(child_holder.ends_with(":" + std::to_string(child.pid()) + ":child-job"));

    net::io_context io;
    auto service = make_service(io, fast_options(redis.url(), 900ms), "parent:1");
    run(io, [&]() -> net::awaitable<void> {
        // Three TTLs later the child still holds it: its renewals work.
        co_await sleep_for(2700ms);
        auto busy = co_await service->try_acquire("dhcp07", "job-p");
        REQUIRE(busy);
        REQUIRE_FALSE(busy->acquired());
        CHECK(busy->held_by->holder_id == child_holder);

        ::kill(child.pid(), SIGKILL);
        const auto killed = Clock::now();
        auto taken = co_await service->acquire("dhcp07", "job-p", 5s, 20ms);
        auto waited = since(killed);
        REQUIRE_MESSAGE(taken, (taken ? "" : taken.error().message));
        REQUIRE(taken->acquired());
        MESSAGE("taken over " << waited.count() << " ms after SIGKILL (TTL 900 ms)");
        CHECK(waited <= 900ms + 600ms);
        REQUIRE(co_await taken->lock->release());
    });
    child.stop();
}

TEST_CASE("redis locks: Redis stopped mid-hold loses the lock within the renewal interval, restarted it serves again") {
    RedisServer redis;
    net::io_context io;
    auto options = fast_options(redis.url(), 3000ms);
    options.renew_every = 500ms;
    auto service = make_service(io, options, "host:3");
    run(io, [&]() -> net::awaitable<void> {
        auto taken = co_await service->try_acquire("dhcp01", "job-1");
        REQUIRE(taken);
        REQUIRE(taken->acquired());
        auto lock = taken->lock;
        bool lost = false;
        std::string reason;
        lock->on_lost([&](const Error& why) {
            lost = true;
            reason = why.message;
        });
        co_await sleep_for(700ms);  // one renewal has gone through
        CHECK(lock->check());

        redis.stop();
        const auto gone = Clock::now();
        auto after = co_await wait_lost(lost, gone, 3000ms);
        REQUIRE_MESSAGE(after, "the lock was not reported lost");
        MESSAGE("lock reported lost " << after->count() << " ms after Redis stopped (renewal every 500 ms): " << reason);
        CHECK(*after <= 500ms + 300ms + 300ms);  // renewal interval + command timeout + slack
        CHECK(reason.starts_with("lock lost: "));
        auto state = lock->check();
        REQUIRE_FALSE(state);
        CHECK(state.error().is(errc::transport));
        CHECK(service->counters().lost == 1);

        // Acquire fails cleanly, fast, saying where and why.
        const auto attempt = Clock::now();
        auto refused = co_await service->try_acquire("dhcp02", "job-2");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().is(errc::transport));
        CHECK_MESSAGE(contains(refused.error().message, "taking the lock of server 'dhcp02'"), refused.error().message);
        CHECK_MESSAGE(contains(refused.error().message, "Redis redis://127.0.0.1:" + std::to_string(redis.port())),
                      refused.error().message);
        CHECK_MESSAGE(contains(refused.error().message, "connection refused"), refused.error().message);
        CHECK(since(attempt) < 1000ms);
        auto ping = co_await service->ping();
        REQUIRE_FALSE(ping);
        CHECK(ping.error().is(errc::transport));

        // Redis is back (empty: no persistence): the same service connects again and takes locks.
        redis.start();
        CHECK(co_await service->ping());
        auto again = co_await service->try_acquire("dhcp01", "job-3");
        REQUIRE_MESSAGE(again, (again ? "" : again.error().message));
        REQUIRE(again->acquired());
        co_await sleep_for(1200ms);  // renewals run again (EVALSHA falls back to EVAL: the script cache is empty)
        CHECK(again->lock->check());
        CHECK(redis.command({"SCRIPT", "EXISTS", renew_script().sha1}) == "[1]");
        REQUIRE(co_await again->lock->release());
        // The lock lost while Redis was down is not in the new Redis: releasing it says so.
        auto stale = co_await lock->release();
        REQUIRE_FALSE(stale);
        CHECK(stale.error().is(errc::conflict));
    });
}

TEST_CASE("redis locks: a Redis that stops answering (SIGSTOP) loses the lock by the command timeout") {
    RedisServer redis;
    net::io_context io;
    auto options = fast_options(redis.url(), 3000ms);
    options.renew_every = 500ms;
    auto service = make_service(io, options, "host:4");
    run(io, [&]() -> net::awaitable<void> {
        auto taken = co_await service->try_acquire("dhcp01", "job-1");
        REQUIRE(taken);
        REQUIRE(taken->acquired());
        auto lock = taken->lock;
        bool lost = false;
        std::string reason;
        lock->on_lost([&](const Error& why) {
            lost = true;
            reason = why.message;
        });
        redis.pause();
        const auto hung = Clock::now();
        auto after = co_await wait_lost(lost, hung, 3000ms);
        REQUIRE_MESSAGE(after, "the lock was not reported lost");
        MESSAGE("lock reported lost " << after->count() << " ms after Redis hung: " << reason);
        CHECK(*after <= 500ms + 300ms + 400ms);
        CHECK_MESSAGE(contains(reason, "no answer within 300ms"), reason);
        CHECK(lock->check().error().is(errc::transport));

        // Every call stays bounded while Redis hangs.
        const auto attempt = Clock::now();
        auto refused = co_await service->try_acquire("dhcp02", "job-2");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().is(errc::transport));
        CHECK(since(attempt) <= 500ms + 300ms + 400ms);  // connect timeout + command timeout + slack

        // Redis answers again: the lost lock is still ours there (it had not expired), so release deletes it.
        redis.resume();
        auto released = co_await lock->release();
        CHECK_MESSAGE(released, (released ? "" : released.error().message));
        auto free = co_await service->holder("dhcp01");
        REQUIRE(free);
        CHECK_FALSE(*free);
    });
}

TEST_CASE("redis locks: requirepass, missing or wrong password is an authentication error without the password") {
    RedisServer redis(RedisServerOptions{"s3cret-pw", {}, false});
    net::io_context io;
    auto anonymous = make_service(io, fast_options(redis.url()));
    auto wrong_options = fast_options(redis.url());
    wrong_options.password = "not-the-pw";
    auto wrong = make_service(io, wrong_options);
    auto right = make_service(io, fast_options(redis.url(":s3cret-pw")));
    run(io, [&]() -> net::awaitable<void> {
        auto noauth = co_await anonymous->try_acquire("dhcp01", "job-1");
        REQUIRE_FALSE(noauth);
        CHECK(noauth.error().is(errc::authentication));
        CHECK_MESSAGE(contains(noauth.error().message, "NOAUTH"), noauth.error().message);
        auto ping = co_await anonymous->ping();
        REQUIRE_FALSE(ping);
        CHECK(ping.error().is(errc::authentication));

        auto refused = co_await wrong->try_acquire("dhcp01", "job-1");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().is(errc::authentication));
        CHECK_MESSAGE(contains(refused.error().message, "AUTH as the default user refused"), refused.error().message);
        CHECK_FALSE(contains(refused.error().message, "not-the-pw"));

        auto taken = co_await right->try_acquire("dhcp01", "job-1");
        REQUIRE_MESSAGE(taken, (taken ? "" : taken.error().message));
        REQUIRE(taken->acquired());
        CHECK_FALSE(contains(right->describe(), "s3cret-pw"));
        REQUIRE(co_await taken->lock->release());
    });
}

TEST_CASE("redis locks: an ACL user limited to the lock commands and the key prefix is enough") {
    // The minimal rights of docs/coordination.md; the default user is switched off.
    RedisServer redis(RedisServerOptions{
        "",
        {"user default off",
         "user locker on >lock-pw ~netbox-dhcp-sync:* resetchannels -@all +ping +get +set +pttl +del +pexpire +eval "
         "+evalsha"},
        false});
    net::io_context io;
    auto service = make_service(io, fast_options(redis.url("locker:lock-pw"), 900ms));
    auto elsewhere_options = fast_options(redis.url("locker:lock-pw"), 900ms);
    elsewhere_options.key_prefix = "other-app";
    auto elsewhere = make_service(io, elsewhere_options);
    run(io, [&]() -> net::awaitable<void> {
        CHECK(co_await service->ping());
        auto taken = co_await service->try_acquire("dhcp01", "job-1");
        REQUIRE_MESSAGE(taken, (taken ? "" : taken.error().message));
        REQUIRE(taken->acquired());
        co_await sleep_for(1500ms);  // renewals (EVALSHA/EVAL with GET and PEXPIRE) are allowed
        CHECK(taken->lock->check());
        REQUIRE(co_await service->record_sync("dhcp01", "job-1", 1000ms));
        REQUIRE(co_await taken->lock->release());

        auto denied = co_await elsewhere->try_acquire("dhcp01", "job-2");
        REQUIRE_FALSE(denied);
        CHECK(denied.error().is(errc::refused));
        CHECK_MESSAGE(contains(denied.error().message, "NOPERM"), denied.error().message);
    });
}

TEST_CASE("redis locks: TLS with the server's CA verifies, without it the handshake is refused") {
    RedisServer redis(RedisServerOptions{"", {}, true});
    net::io_context io;
    auto trusted_options = fast_options(redis.url());
    trusted_options.ca_file = redis.ca_file();
    auto trusted = make_service(io, trusted_options);
    auto untrusted = make_service(io, fast_options(redis.url()));  // system store: does not know the test CA
    run(io, [&]() -> net::awaitable<void> {
        auto taken = co_await trusted->try_acquire("dhcp01", "job-1");
        REQUIRE_MESSAGE(taken, (taken ? "" : taken.error().message));
        REQUIRE(taken->acquired());
        co_await sleep_for(700ms);  // a renewal over TLS
        CHECK(taken->lock->check());
        REQUIRE(co_await taken->lock->release());

        auto refused = co_await untrusted->try_acquire("dhcp01", "job-2");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().is(errc::transport));
        CHECK_MESSAGE(contains(refused.error().message, "TLS certificate verification failed"), refused.error().message);
    });

    auto missing = fast_options(redis.url());
    missing.ca_file = (redis.dir() / "no-such-ca.pem").string();
    auto failed = make_server_lock_service(io.get_executor(), LockServiceOptions{missing, ""});
    REQUIRE_FALSE(failed);
    CHECK(failed.error().is(errc::config));
    CHECK(contains(failed.error().message, "coordination.redis.ca_file"));
}

TEST_CASE("redis locks: a finished sync recorded by one replica is seen by another") {
    RedisServer redis;
    net::io_context io;
    auto first = make_service(io, fast_options(redis.url()), "pod-a:1");
    auto second = make_service(io, fast_options(redis.url()), "pod-b:1");
    run(io, [&]() -> net::awaitable<void> {
        REQUIRE(co_await first->record_sync("dhcp01", "job-9", 800ms));
        auto seen = co_await second->recent_sync("dhcp01");
        REQUIRE(seen);
        REQUIRE(*seen);
        CHECK((*seen)->holder_id == "pod-a:1:job-9");
        CHECK((*seen)->expires_in > 0ms);
        auto other = co_await second->recent_sync("dhcp02");
        REQUIRE(other);
        CHECK_FALSE(*other);
        co_await sleep_for(900ms);
        auto gone = co_await second->recent_sync("dhcp01");
        REQUIRE(gone);
        CHECK_FALSE(*gone);
    });
}
