// The per-server locks of one sync run when processes share the servers (docs/coordination.md): which servers
// this run may sync, taken before anything about them is read, and what is given back at the end.
//
// A server is locked together with its failover partners: a run of one member of a pair also writes the
// other's reservations (sync_engine/backend_limits.hpp), so a pair is one unit of work. The locks of a unit
// are taken in name order (every process does the same, so two processes cannot each hold half of a pair
// and wait for the other half).
#pragma once

#include "coordination/server_lock.hpp"
#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nds::daemon {

/// What a run does about servers another process is syncing.
struct LockPolicy {
    /// 0: a server whose lock is held is left out and reported as running elsewhere (a scheduled run, the
    /// sync command). Above 0: wait up to this long for it (an API or webhook job: the change it carries may
    /// be newer than what the holder read).
    std::chrono::milliseconds max_wait{0};
    std::chrono::milliseconds retry_every{std::chrono::seconds(1)};
    /// Leave out a server another process synced within the interval (scheduled runs).
    bool skip_recently_synced = false;
    /// How long a finished sync of a server keeps other processes' scheduled runs from syncing it again.
    std::chrono::milliseconds synced_valid_for{0};
};

/// How long a finished sync keeps other processes' scheduled runs away from a server: a little less than one
/// interval, so the next scheduled run anywhere finds the record expired and syncs again.
inline std::chrono::milliseconds recently_synced_window(std::chrono::seconds interval) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(interval) * 9 / 10;
}

/// The groups of servers that are locked together: each server with its failover partners. `wanted` empty =
/// every server of the snapshot. Each group is sorted; groups come in the order of their first name.
std::vector<std::vector<std::string>> lock_groups(const engine::NetBoxSnapshot& structure,
                                                  const std::vector<std::string>& wanted);

class RunLocks {
public:
    RunLocks(coordination::ServerLockService& service, Logger& log, LockPolicy policy, std::string job);
    ~RunLocks();

    /// Takes the locks for `wanted` (empty = all servers of `structure`). Returns the requested servers this
    /// run may sync; those it may not are in `report` (skipped as running elsewhere or synced recently, or a
    /// problem when the lock could not be taken at all).
    boost::asio::awaitable<std::vector<std::string>> take(const engine::NetBoxSnapshot& structure,
                                                          const std::vector<std::string>& wanted, RunReport& report);

    /// Called once, on the executor, when one of the held locks is lost; the argument says which and why.
    void on_lost(std::function<void(const std::string&)> callback);
    /// The first lost lock's reason, if any was lost.
    const std::optional<std::string>& lost() const { return lost_; }

    /// Gives every lock back. A successful run (no failures, not stopped) is recorded as a sync of each of its
    /// servers, for the other processes' schedules. A lock that had expired or been taken over before the
    /// release is a warning in `report`: the run may have overlapped with another holder's.
    boost::asio::awaitable<void> release(RunReport& report);

private:
    /// Locks `server`'s unit (`group`: it and its failover partners) whole, or nothing of it.
    boost::asio::awaitable<bool> take_group(const std::string& server, const std::vector<std::string>& group,
                                            RunReport& report);
    boost::asio::awaitable<bool> synced_recently(const std::string& server, RunReport& report);
    void note_lost(const std::string& why);

    coordination::ServerLockService& service_;
    Logger& log_;
    LockPolicy policy_;
    std::string job_;
    std::map<std::string, coordination::ServerLockPtr> held_;
    std::set<std::string> synced_;  ///< servers this run syncs (record_sync after a clean run)
    std::optional<std::string> lost_;
    std::function<void(const std::string&)> on_lost_;
};

}  // namespace nds::daemon
