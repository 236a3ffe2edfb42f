#include "coordination/in_process_lock_service.hpp"

#include "coordination/lock_records.hpp"
#include "coordination/lock_state.hpp"

#include <map>

namespace nds::coordination {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

Error stopped_error(const std::string& server) {
    return Error{make_error_code(errc::cancelled), "lock of server '" + server + "': the lock service stopped"};
}

/// The locks, shared with the ServerLock handles (they may outlive the service object).
class InProcessCore final : public detail::LockBackend, public std::enable_shared_from_this<InProcessCore> {
public:
    InProcessCore(net::any_io_executor executor, std::string process_id)
        : executor_(std::move(executor)), process_id_(std::move(process_id)) {}

    Expected<Acquisition> try_acquire(const std::string& server, const std::string& job) {
        if (auto valid = check_server_name(server); !valid) {
            ++counters_.errors;
            return valid.error();
        }
        if (stopped_) return stopped_error(server);
        if (auto current = live(server)) {
            ++counters_.busy;
            return Acquisition{nullptr, LockHolder{current->holder_id, std::chrono::milliseconds(0)}};
        }
        auto state = std::make_shared<detail::LockState>();
        state->executor = executor_;
        state->server = server;
        state->holder_id = make_holder_id(process_id_, job);
        state->backend = weak_from_this();
        held_[server] = state;
        ++counters_.acquired;
        return Acquisition{std::make_shared<ServerLock>(state), std::nullopt};
    }

    std::optional<LockHolder> holder(const std::string& server) {
        if (auto current = live(server)) return LockHolder{current->holder_id, std::chrono::milliseconds(0)};
        return std::nullopt;
    }

    void record_sync(const std::string& server, const std::string& job, std::chrono::milliseconds valid_for) {
        synced_[server] = {make_holder_id(process_id_, job), Clock::now() + valid_for};
    }

    std::optional<LockHolder> recent_sync(const std::string& server) {
        auto it = synced_.find(server);
        if (it == synced_.end()) return std::nullopt;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(it->second.second - Clock::now());
        if (left.count() <= 0) {
            synced_.erase(it);
            return std::nullopt;
        }
        return LockHolder{it->second.first, left};
    }

    net::awaitable<Expected<Done>> release(std::shared_ptr<detail::LockState> state) override {
        give_back(*state);
        co_return Done{};
    }

    void abandon(std::shared_ptr<detail::LockState> state) noexcept override { give_back(*state); }

    void count_lost() noexcept override { ++counters_.lost; }

    /// The service object went away: its locks are lost to their holders.
    void stop() {
        stopped_ = true;
        for (auto& [server, weak] : held_)
            if (auto state = weak.lock())
                state->mark_lost(Error{make_error_code(errc::cancelled), "lock lost: the lock service stopped"});
        held_.clear();
    }

    LockCounters counters() const {
        auto out = counters_;
        out.held = 0;
        for (const auto& [server, weak] : held_)
            if (auto state = weak.lock(); state && !state->released && !state->lost) ++out.held;
        return out;
    }

    const std::string& process_id() const { return process_id_; }

private:
    std::shared_ptr<detail::LockState> live(const std::string& server) {
        auto it = held_.find(server);
        if (it == held_.end()) return nullptr;
        auto state = it->second.lock();
        if (!state || state->released) {
            held_.erase(it);
            return nullptr;
        }
        return state;
    }

    void give_back(detail::LockState& state) {
        if (state.released) return;
        bool was_held = !state.lost;
        state.released = true;
        auto it = held_.find(state.server);
        if (it != held_.end() && it->second.lock().get() == &state) held_.erase(it);
        if (was_held) ++counters_.released;
    }

    net::any_io_executor executor_;
    std::string process_id_;
    bool stopped_ = false;
    std::map<std::string, std::weak_ptr<detail::LockState>> held_;
    std::map<std::string, std::pair<std::string, Clock::time_point>> synced_;
    LockCounters counters_;
};

class InProcessLockService final : public ServerLockService {
public:
    InProcessLockService(net::any_io_executor executor, std::string process_id)
        : core_(std::make_shared<InProcessCore>(std::move(executor), std::move(process_id))) {}
    ~InProcessLockService() override { core_->stop(); }

    net::awaitable<Expected<Acquisition>> try_acquire(std::string server, std::string job) override {
        co_return core_->try_acquire(server, job);
    }
    net::awaitable<Expected<std::optional<LockHolder>>> holder(std::string server) override {
        co_return core_->holder(server);
    }
    net::awaitable<Expected<Done>> record_sync(std::string server, std::string job,
                                               std::chrono::milliseconds valid_for) override {
        core_->record_sync(server, job, valid_for);
        co_return Done{};
    }
    net::awaitable<Expected<std::optional<LockHolder>>> recent_sync(std::string server) override {
        co_return core_->recent_sync(server);
    }
    net::awaitable<Expected<Done>> ping() override { co_return Done{}; }
    std::string describe() const override { return "in-process (locks not shared with other processes)"; }
    bool shared() const override { return false; }
    LockCounters counters() const override { return core_->counters(); }
    const std::string& process_id() const override { return core_->process_id(); }

private:
    std::shared_ptr<InProcessCore> core_;
};

}  // namespace

std::unique_ptr<ServerLockService> make_in_process_lock_service(net::any_io_executor executor, std::string process_id) {
    return std::make_unique<InProcessLockService>(std::move(executor), std::move(process_id));
}

}  // namespace nds::coordination
