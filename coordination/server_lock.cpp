#include "coordination/server_lock.hpp"

#include "coordination/in_process_lock_service.hpp"
#include "coordination/lock_records.hpp"
#include "coordination/lock_state.hpp"
#include "coordination/redis_lock_service.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

namespace nds::coordination {

namespace net = boost::asio;

void detail::LockState::mark_lost(Error why) {
    if (released || lost) return;
    lost = why;
    if (auto owner = backend.lock()) owner->count_lost();
    if (on_lost) net::post(executor, [callback = on_lost, why = std::move(why)] { callback(why); });
}

ServerLock::ServerLock(std::shared_ptr<detail::LockState> state) : state_(std::move(state)) {}

ServerLock::~ServerLock() {
    if (state_->released) return;
    if (auto owner = state_->backend.lock()) owner->abandon(state_);
}

const std::string& ServerLock::server() const { return state_->server; }
const std::string& ServerLock::holder_id() const { return state_->holder_id; }

Expected<Done> ServerLock::check() const {
    if (state_->released)
        return Error{make_error_code(errc::cancelled), "lock lost: the lock of server '" + state_->server +
                                                           "' was released"};
    if (!state_->lost && detail::LockState::Clock::now() >= state_->valid_until)
        // A backstop: the renewal reports a failure at once, but if it could not even run (a blocked event
        // loop), the lock must still not be trusted beyond the time Redis keeps it.
        state_->mark_lost(Error{make_error_code(errc::conflict),
                                "lock lost: the lock of server '" + state_->server +
                                    "' was not renewed within its TTL and may have been taken by another holder"});
    if (state_->lost) return *state_->lost;
    return Done{};
}

void ServerLock::on_lost(std::function<void(const Error&)> callback) {
    state_->on_lost = std::move(callback);
    if (state_->lost && !state_->released && state_->on_lost)
        net::post(state_->executor, [callback = state_->on_lost, why = *state_->lost] { callback(why); });
}

net::awaitable<Expected<Done>> ServerLock::release() {
    if (state_->released) co_return Done{};
    auto owner = state_->backend.lock();
    if (!owner) {
        state_->released = true;
        co_return Error{make_error_code(errc::cancelled),
                        "releasing the lock of server '" + state_->server + "': the lock service is gone"};
    }
    co_return co_await owner->release(state_);
}

net::awaitable<Expected<Acquisition>> ServerLockService::acquire(std::string server, std::string job,
                                                                 std::chrono::milliseconds max_wait,
                                                                 std::chrono::milliseconds retry_every) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + max_wait;
    net::steady_timer timer(co_await net::this_coro::executor);
    for (;;) {
        auto attempt = co_await try_acquire(server, job);
        if (!attempt || attempt->acquired() || Clock::now() + retry_every > deadline) co_return attempt;
        timer.expires_after(retry_every);
        auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return Error{make_error_code(errc::cancelled), "waiting for the lock of server '" + server + "': cancelled"};
    }
}

Expected<std::unique_ptr<ServerLockService>> make_server_lock_service(net::any_io_executor executor,
                                                                      const LockServiceOptions& options) {
    std::string process_id = options.process_id.empty() ? default_process_id() : options.process_id;
    if (!options.redis) return make_in_process_lock_service(std::move(executor), std::move(process_id));
    auto resolved = resolve_redis_options(*options.redis);
    if (!resolved) return resolved.error();
    try {
        return make_redis_lock_service(std::move(executor), std::move(*resolved), std::move(process_id));
    } catch (const std::runtime_error& failure) {  // the CA file cannot be loaded
        return Error{make_error_code(errc::config), failure.what()};
    }
}

}  // namespace nds::coordination
