#include "daemon/run_locks.hpp"

#include "coordination/lock_records.hpp"
#include "daemon/log_messages.hpp"

#include <algorithm>
#include <utility>

namespace nds::daemon {

namespace asio = boost::asio;

namespace {

std::string seconds_text(std::chrono::milliseconds ms) {
    return std::to_string((ms.count() + 999) / 1000) + "s";
}

void report_skipped_server(RunReport& report, const std::string& server, const std::string& reason) {
    report.note_server(server);
    report.actions.push_back(ReportedAction{engine::ObjectKind::server, engine::Verb::update, ActionStatus::skipped,
                                            engine::ActionNote{server, "", server, reason}, {}});
}

}  // namespace

std::vector<std::vector<std::string>> lock_groups(const engine::NetBoxSnapshot& structure,
                                                  const std::vector<std::string>& wanted) {
    std::map<engine::ObjectId, std::string> names;
    for (const auto& server : structure.servers) names[server.id] = server.name;
    std::map<std::string, std::set<std::string>> partners;
    for (const auto& failover : structure.failovers) {
        auto primary = names.find(failover.primary_server_id), secondary = names.find(failover.secondary_server_id);
        if (primary == names.end() || secondary == names.end()) continue;
        partners[primary->second].insert(secondary->second);
        partners[secondary->second].insert(primary->second);
    }
    std::vector<std::string> servers = wanted;
    if (servers.empty())
        for (const auto& server : structure.servers) servers.push_back(server.name);
    std::sort(servers.begin(), servers.end());
    servers.erase(std::unique(servers.begin(), servers.end()), servers.end());

    std::vector<std::vector<std::string>> groups;
    for (const auto& server : servers) {
        std::set<std::string> group{server};
        for (const auto& partner : partners[server]) group.insert(partner);
        groups.emplace_back(group.begin(), group.end());
    }
    return groups;
}

RunLocks::RunLocks(coordination::ServerLockService& service, Logger& log, LockPolicy policy, std::string job)
    : service_(service), log_(log), policy_(policy), job_(std::move(job)) {}

RunLocks::~RunLocks() {
    // Locks still held (the run ended by an exception) are given back in the background by ServerLock; their
    // loss must no longer reach this object.
    for (auto& [server, lock] : held_) lock->on_lost({});
}

void RunLocks::on_lost(std::function<void(const std::string&)> callback) { on_lost_ = std::move(callback); }

void RunLocks::note_lost(const std::string& why) {
    if (lost_) return;
    lost_ = why;
    log_.error(msg::LOCK_LOST, why + "; no further write batch is sent");
    if (on_lost_) on_lost_(why);
}

asio::awaitable<std::vector<std::string>> RunLocks::take(const engine::NetBoxSnapshot& structure,
                                                         const std::vector<std::string>& wanted, RunReport& report) {
    std::vector<std::string> may_sync;
    // Each requested server with its partners; a partner already locked for an earlier group counts as held.
    std::vector<std::string> requested = wanted;
    if (requested.empty())
        for (const auto& s : structure.servers) requested.push_back(s.name);
    std::sort(requested.begin(), requested.end());
    requested.erase(std::unique(requested.begin(), requested.end()), requested.end());
    auto groups = lock_groups(structure, requested);  // one per requested server, in name order
    std::map<std::string, std::vector<std::string>> group_of;
    for (std::size_t i = 0; i < requested.size(); ++i) group_of[requested[i]] = groups[i];
    // Without waiting, each process starts at a different server (replicas starting together split the
    // servers). Waiting, every process goes in name order, so none waits for a unit while holding one that
    // the other waits for.
    if (policy_.max_wait.count() == 0) requested = coordination::acquisition_order(requested, service_.process_id());
    for (const auto& name : requested) {
        if (policy_.skip_recently_synced && co_await synced_recently(name, report)) continue;
        if (co_await take_group(name, group_of[name], report)) {
            may_sync.push_back(name);
            synced_.insert(name);
        }
    }
    co_return may_sync;
}

asio::awaitable<bool> RunLocks::synced_recently(const std::string& server, RunReport& report) {
    auto recent = co_await service_.recent_sync(server);
    if (!recent || !*recent) co_return false;  // no record (or Redis cannot say): take the lock, which decides
    auto reason = "synced recently by " + (*recent)->holder_id + " (counts for another " +
                  seconds_text((*recent)->expires_in) + "); left to the next scheduled run";
    log_.info(msg::LOCK_RECENTLY_SYNCED, reason, {{"server", server}});
    report_skipped_server(report, server, reason);
    co_return true;
}

asio::awaitable<bool> RunLocks::take_group(const std::string& server, const std::vector<std::string>& group,
                                           RunReport& report) {
    std::vector<std::string> taken_now;
    auto give_back = [&]() -> asio::awaitable<void> {  // a unit is locked whole or not at all
        for (const auto& member : taken_now) {
            auto lock = std::move(held_[member]);
            held_.erase(member);
            (void)co_await lock->release();
        }
    };
    for (const auto& member : group) {
        if (held_.count(member)) continue;
        // Not a ?: with a co_await in each branch: GCC 12 miscompiles that (the result is garbage).
        Expected<coordination::Acquisition> taken = Error{make_error_code(errc::cancelled), "not tried"};
        if (policy_.max_wait.count() > 0) taken = co_await service_.acquire(member, job_, policy_.max_wait, policy_.retry_every);
        else taken = co_await service_.try_acquire(member, job_);
        if (!taken) {
            auto text = "cannot take the lock of server '" + member + "': " + taken.error().message + "; not synced";
            log_.error(msg::LOCK_FAILED, text, {{"server", server}});
            report.note_server(server);
            report.add_problem(engine::Severity::error, server, "", text);
            co_await give_back();
            co_return false;
        }
        if (!taken->acquired()) {
            const auto& holder = *taken->held_by;
            auto reason = std::string("running elsewhere: ") +
                          (member == server ? "" : "its failover partner " + member + " is ") + "held by " +
                          holder.holder_id + " (the lock lasts another " + seconds_text(holder.expires_in) +
                          " if that holder stops)";
            log_.info(msg::LOCK_BUSY, reason, {{"server", server}});
            report_skipped_server(report, server, reason);
            co_await give_back();
            co_return false;
        }
        auto lock = taken->lock;
        lock->on_lost([this, member](const Error& why) { note_lost("server '" + member + "': " + why.message); });
        held_[member] = std::move(lock);
        taken_now.push_back(member);
    }
    co_return true;
}

asio::awaitable<void> RunLocks::release(RunReport& report) {
    const bool clean = report.exit_code() == 0 && !report.stopped && !report.dry_run && !lost_;
    for (auto& [server, lock] : held_) {
        if (clean && synced_.count(server) && policy_.synced_valid_for.count() > 0) {
            auto recorded = co_await service_.record_sync(server, job_, policy_.synced_valid_for);
            if (!recorded)
                log_.warning(msg::LOCK_FAILED, "cannot record the sync for the other processes: " + recorded.error().message,
                             {{"server", server}});
        }
        auto released = co_await lock->release();
        if (released) continue;
        auto text = "the lock of server '" + server + "' could not be given back cleanly: " + released.error().message;
        if (released.error().code == make_error_code(errc::conflict))
            text += " (another holder may have synced it at the same time)";
        log_.warning(msg::LOCK_FAILED, text, {{"server", server}});
        report.add_problem(engine::Severity::warning, server, "", text);
    }
    held_.clear();
}

}  // namespace nds::daemon
