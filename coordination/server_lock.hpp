// Per-DHCP-server locks shared by every process that syncs (docs/coordination.md): before a job touches a
// server it takes that server's lock, so two replicas of the service (or the service and a CronJob) never sync
// one server at the same time. Two implementations behind one interface:
//
// - Redis (coordination.redis set): SET <prefix>:lock:<server> "<token> <holder>" NX PX <ttl>, renewed while
//   held by a compare-and-extend Lua script, released by compare-and-delete. A holder that dies stops
//   renewing and its lock expires after lock_ttl.
// - in-process (no coordination section): the same calls on a map inside this process; what a single
//   service did before (job_queue.hpp keeps one job per server), nothing is shared with other processes.
//
// Everything runs on the executor given to the factory (the service's single-threaded io_context), and every
// call is bounded by the configured timeouts. Callbacks run on that executor too. The service object must
// outlive the calls into it; ServerLock handles may outlive it (they then report "lock service stopped").
#pragma once

#include "coordination/redis_options.hpp"
#include "util/expected.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace nds::coordination {

/// Who holds a server's lock (or finished a sync of it), as every replica can read it.
struct LockHolder {
    std::string holder_id;                    ///< "<hostname>:<pid>:<job>" as the holder wrote it
    std::chrono::milliseconds expires_in{0};  ///< time left on the key (Redis PTTL); 0 in-process
};

namespace detail {
struct LockState;
}

/// A held lock on one DHCP server. The service renews it in the background until release(); the holder
/// calls check() before every write batch and stops writing as soon as it fails.
class ServerLock {
public:
    explicit ServerLock(std::shared_ptr<detail::LockState> state);
    /// Dropped without release(): the lock is given back in the background (compare-and-delete), so a job
    /// that ends by an exception does not keep its server for a whole TTL.
    ~ServerLock();
    ServerLock(const ServerLock&) = delete;
    ServerLock& operator=(const ServerLock&) = delete;

    const std::string& server() const;
    const std::string& holder_id() const;

    /// Done while the lock is held. Once it is not, an Error whose message starts with "lock lost: " and says
    /// why: errc::conflict (the lock expired or another holder has it now), errc::transport (Redis did not
    /// answer a renewal), errc::cancelled (the lock service stopped, or the lock was released).
    Expected<Done> check() const;

    /// `callback` runs once, on the executor, as soon as the lock is lost (right away if it already is).
    /// Never called after release(). A second call replaces the first callback.
    void on_lost(std::function<void(const Error&)> callback);

    /// Gives the lock back. Done when it was still ours; errc::conflict when it had already expired or been
    /// taken over (a sync may have overlapped with another holder's: worth a warning); errc::transport when
    /// Redis did not answer (the lock then expires by itself after lock_ttl). Renewal stops in every case;
    /// a second call is Done at once.
    boost::asio::awaitable<Expected<Done>> release();

private:
    std::shared_ptr<detail::LockState> state_;
};

using ServerLockPtr = std::shared_ptr<ServerLock>;

/// The answer to an attempt to take a lock: exactly one of the two is set.
struct Acquisition {
    ServerLockPtr lock;                 ///< taken: this process may sync the server now
    std::optional<LockHolder> held_by;  ///< not taken: someone else syncs the server ("running elsewhere")

    bool acquired() const { return lock != nullptr; }
};

/// For /metrics (totals since start, and the locks held now).
struct LockCounters {
    std::uint64_t acquired = 0;  ///< try_acquire calls that took the lock
    std::uint64_t busy = 0;      ///< ... that found it held by someone else
    std::uint64_t errors = 0;    ///< ... that failed (Redis unreachable, refused, timeout)
    std::uint64_t lost = 0;      ///< held locks lost before release (renewal failed or refused)
    std::uint64_t released = 0;  ///< locks released while still held
    std::size_t held = 0;        ///< locks this process holds now
};

class ServerLockService {
public:
    virtual ~ServerLockService() = default;

    /// One attempt to take `server`'s lock for `job` (holder id "<process id>:<job>"). Held elsewhere is an
    /// answer, not an error (Acquisition::held_by). Errors: errc::transport (Redis unreachable or too slow),
    /// errc::authentication (credentials missing or refused), errc::refused (an ACL forbids a command),
    /// errc::config (a server name that cannot be a key), errc::cancelled (the service is stopping).
    virtual boost::asio::awaitable<Expected<Acquisition>> try_acquire(std::string server, std::string job) = 0;

    /// try_acquire every `retry_every` until taken or `max_wait` passed (then the last answer: held_by set).
    /// Errors end the wait at once.
    boost::asio::awaitable<Expected<Acquisition>> acquire(std::string server, std::string job,
                                                          std::chrono::milliseconds max_wait,
                                                          std::chrono::milliseconds retry_every);

    /// Who holds `server`'s lock now; nullopt when nobody does.
    virtual boost::asio::awaitable<Expected<std::optional<LockHolder>>> holder(std::string server) = 0;

    /// Notes that `job` finished a sync of `server`; recent_sync() shows it to every replica for `valid_for`
    /// (so replicas' schedules can skip a server another replica has just synced).
    virtual boost::asio::awaitable<Expected<Done>> record_sync(std::string server, std::string job,
                                                               std::chrono::milliseconds valid_for) = 0;
    /// The last record_sync() of `server` that is still valid, or nullopt.
    virtual boost::asio::awaitable<Expected<std::optional<LockHolder>>> recent_sync(std::string server) = 0;

    /// The coordination engine answers (Redis: PING, authenticated); for /readyz. In-process: always Done.
    virtual boost::asio::awaitable<Expected<Done>> ping() = 0;

    /// "redis://host:6379/0" or "in-process": for logs (never a password).
    virtual std::string describe() const = 0;
    /// True when the locks are seen by other processes (Redis).
    virtual bool shared() const = 0;
    virtual LockCounters counters() const = 0;
    /// The first part of every holder id of this process: "<hostname>:<pid>".
    virtual const std::string& process_id() const = 0;
};

struct LockServiceOptions {
    std::optional<RedisOptions> redis;  ///< nullopt: in-process locks
    std::string process_id;             ///< empty: default_process_id() ("<hostname>:<pid>")
};

/// The Redis service when `options.redis` is set (its options checked: errc::config naming the field and
/// value; an unreadable ca_file too), else the in-process one. No connection is made here: the first call
/// connects (so a service can start while Redis is still coming up; ping() tells /readyz).
Expected<std::unique_ptr<ServerLockService>> make_server_lock_service(boost::asio::any_io_executor executor,
                                                                      const LockServiceOptions& options);

}  // namespace nds::coordination
