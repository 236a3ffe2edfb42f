// Inside coordination/: the state of one held lock, shared by the holder's ServerLock and the service that
// renews it, and the seam through which a ServerLock reaches its service.
#pragma once

#include "util/expected.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace nds::coordination::detail {

struct LockState;

/// What a service does for the ServerLock handles it gave out.
class LockBackend {
public:
    virtual ~LockBackend() = default;
    /// ServerLock::release(): stop renewing and give the lock back.
    virtual boost::asio::awaitable<Expected<Done>> release(std::shared_ptr<LockState> state) = 0;
    /// The handle went away unreleased: stop renewing and give the lock back in the background.
    virtual void abandon(std::shared_ptr<LockState> state) noexcept = 0;
    /// A held lock was found lost (for the counters).
    virtual void count_lost() noexcept = 0;
};

struct LockState {
    using Clock = std::chrono::steady_clock;

    boost::asio::any_io_executor executor;  ///< where on_lost runs
    std::string server;
    std::string holder_id;
    std::string key;    ///< Redis key (empty in-process)
    std::string value;  ///< "<token> <holder id>" (empty in-process)
    /// The lock is surely ours until then (last renewal *sent* + TTL); max() in-process.
    Clock::time_point valid_until = Clock::time_point::max();
    bool released = false;
    std::optional<Error> lost;
    std::function<void(const Error&)> on_lost;
    std::weak_ptr<LockBackend> backend;

    /// Records the loss (the first reason wins), counts it and posts on_lost. Nothing after release().
    void mark_lost(Error why);
};

}  // namespace nds::coordination::detail
