#include "coordination/redis_lock_service.hpp"

#include "coordination/lock_records.hpp"
#include "coordination/lock_state.hpp"
#include "coordination/redis_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>

namespace nds::coordination {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr auto as_tuple_awaitable = net::as_tuple(net::use_awaitable);

/// An error *reply* from Redis as a typed Error: credentials (NOAUTH, WRONGPASS) or a refusal (NOPERM for
/// an ACL, anything else).
Error reply_error(const std::string& display, const std::string& doing, const RedisReply& reply) {
    auto code = reply.error_code();
    if (code == "NOAUTH" || code == "WRONGPASS")
        return Error{make_error_code(errc::authentication),
                     "Redis " + display + ": " + doing + ": " + reply.text +
                         " (set coordination.redis.password_file or user:password in the URL)"};
    if (code == "NOPERM")
        return Error{make_error_code(errc::refused),
                     "Redis " + display + ": " + doing + ": " + reply.text +
                         " (the ACL user needs the commands and keys listed in docs/coordination.md)"};
    return Error{make_error_code(errc::refused), "Redis " + display + ": " + doing + ": " + reply.text};
}

Error unexpected_reply(const std::string& display, const std::string& doing) {
    return Error{make_error_code(errc::malformed), "Redis " + display + ": " + doing + ": unexpected answer"};
}

Error with_context(const Error& error, const std::string& doing) {
    return Error{error.code, doing + ": " + error.message};
}

std::string ms_count(std::chrono::milliseconds value) { return std::to_string(value.count()); }

class RedisCore final : public detail::LockBackend, public std::enable_shared_from_this<RedisCore> {
public:
    RedisCore(net::any_io_executor executor, ResolvedRedisOptions options, std::string process_id)
        : executor_(executor), options_(options), process_id_(std::move(process_id)),
          connection_(std::move(executor), std::move(options)) {}

    const ResolvedRedisOptions& options() const { return options_; }
    const std::string& process_id() const { return process_id_; }

    static net::awaitable<Expected<Acquisition>> try_acquire(std::shared_ptr<RedisCore> self, std::string server,
                                                             std::string job);
    /// `with_token`: a lock's value ("<token> <holder id>"); else a sync record (the holder id alone, which
    /// may itself contain spaces: "pod:1:job 3f0c (schedule)").
    static net::awaitable<Expected<std::optional<LockHolder>>> read_holder(std::shared_ptr<RedisCore> self,
                                                                         std::string key, std::string doing,
                                                                         bool with_token = true);
    static net::awaitable<Expected<Done>> record_sync(std::shared_ptr<RedisCore> self, std::string server,
                                                      std::string job, std::chrono::milliseconds valid_for);
    static net::awaitable<Expected<Done>> ping(std::shared_ptr<RedisCore> self);

    net::awaitable<Expected<Done>> release(std::shared_ptr<detail::LockState> state) override {
        co_return co_await give_back(shared_from_this(), std::move(state));
    }

    void abandon(std::shared_ptr<detail::LockState> state) noexcept override {
        if (stopped_ || state->released) return;
        try {
            net::co_spawn(executor_, give_back_quietly(shared_from_this(), std::move(state)), net::detached);
        } catch (...) {  // out of memory: the lock expires after its TTL anyway
        }
    }

    void count_lost() noexcept override { ++counters_.lost; }

    /// The service object went away: renewals end (the locks expire after the TTL), holders learn it.
    void stop() {
        stopped_ = true;
        for (auto& [state, entry] : held_) {
            entry.timer->cancel();
            if (auto live = entry.state.lock())
                live->mark_lost(Error{make_error_code(errc::cancelled), "lock lost: the lock service stopped"});
        }
        held_.clear();
        connection_.close();
    }

    LockCounters counters() const {
        auto out = counters_;
        out.held = 0;
        for (const auto& [raw, entry] : held_)
            if (auto state = entry.state.lock(); state && !state->lost && !state->released) ++out.held;
        return out;
    }

private:
    struct Held {
        std::weak_ptr<detail::LockState> state;
        std::shared_ptr<net::steady_timer> timer;  ///< the renewal's wait; cancelled on release
    };

    /// EVALSHA, or EVAL when Redis does not know the script yet (after a restart its script cache is empty).
    net::awaitable<Expected<RedisReply>> run_script(const LuaScript& script, std::vector<std::string> keys_and_args,
                                                    std::size_t key_count) {
        std::vector<std::string> command{"EVALSHA", script.sha1, std::to_string(key_count)};
        command.insert(command.end(), keys_and_args.begin(), keys_and_args.end());
        auto reply = co_await connection_.exec(command);
        if (!reply || !reply->is_error() || reply->error_code() != "NOSCRIPT") co_return reply;
        command[0] = "EVAL";
        command[1] = std::string(script.source);
        co_return co_await connection_.exec(std::move(command));
    }

    static net::awaitable<void> renew_loop(std::shared_ptr<RedisCore> self, std::shared_ptr<detail::LockState> state,
                                           std::shared_ptr<net::steady_timer> timer, Clock::time_point sent);
    static net::awaitable<Expected<Done>> give_back(std::shared_ptr<RedisCore> self,
                                                    std::shared_ptr<detail::LockState> state);
    /// For a handle dropped unreleased: nobody waits for the answer (and co_spawn needs a void result here,
    /// Expected having no default value).
    static net::awaitable<void> give_back_quietly(std::shared_ptr<RedisCore> self,
                                                  std::shared_ptr<detail::LockState> state) {
        co_await give_back(std::move(self), std::move(state));
    }

    std::shared_ptr<detail::LockState> new_state(const std::string& server, const std::string& job,
                                                 const std::string& key, std::string value, Clock::time_point sent) {
        auto state = std::make_shared<detail::LockState>();
        state->executor = executor_;
        state->server = server;
        state->holder_id = make_holder_id(process_id_, job);
        state->key = key;
        state->value = std::move(value);
        state->valid_until = sent + options_.lock_ttl;
        state->backend = weak_from_this();
        return state;
    }

    net::any_io_executor executor_;
    ResolvedRedisOptions options_;
    std::string process_id_;
    RedisConnection connection_;
    bool stopped_ = false;
    std::map<const detail::LockState*, Held> held_;
    LockCounters counters_;
};

net::awaitable<Expected<Acquisition>> RedisCore::try_acquire(std::shared_ptr<RedisCore> self, std::string server,
                                                             std::string job) {
    const std::string doing = "taking the lock of server '" + server + "'";
    if (auto valid = check_server_name(server); !valid) {
        ++self->counters_.errors;
        co_return valid.error();
    }
    if (self->stopped_) co_return Error{make_error_code(errc::cancelled), doing + ": the lock service stopped"};
    const auto key = lock_key(self->options_.key_prefix, server);
    const auto value = lock_value(random_token(), make_holder_id(self->process_id_, job));
    // Twice at most: the lock can be released between our SET and our GET of its holder.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto sent = Clock::now();
        // (Commands are built before the co_await: GCC 12 rejects a braced list inside one.)
        std::vector<std::string> set{"SET", key, value, "NX", "PX", ms_count(self->options_.lock_ttl)};
        auto reply = co_await self->connection_.exec(std::move(set));
        if (!reply) {
            ++self->counters_.errors;
            co_return with_context(reply.error(), doing);
        }
        if (reply->is_status("OK")) {
            if (self->stopped_) co_return Error{make_error_code(errc::cancelled), doing + ": the lock service stopped"};
            auto state = self->new_state(server, job, key, value, sent);
            auto timer = std::make_shared<net::steady_timer>(self->executor_);
            self->held_[state.get()] = Held{state, timer};
            ++self->counters_.acquired;
            net::co_spawn(self->executor_, renew_loop(self, state, timer, sent), net::detached);
            co_return Acquisition{std::make_shared<ServerLock>(state), std::nullopt};
        }
        if (reply->is_error()) {
            ++self->counters_.errors;
            co_return reply_error(self->options_.display, doing, *reply);
        }
        if (!reply->is_nil()) {
            ++self->counters_.errors;
            co_return unexpected_reply(self->options_.display, doing);
        }
        auto holder = co_await read_holder(self, key, "reading the holder of server '" + server + "'");
        if (!holder) {
            ++self->counters_.errors;
            co_return holder.error();
        }
        if (*holder) {
            ++self->counters_.busy;
            co_return Acquisition{nullptr, std::move(*holder)};
        }
    }
    ++self->counters_.busy;
    co_return Acquisition{nullptr, LockHolder{"(changing hands)", std::chrono::milliseconds(0)}};
}

net::awaitable<Expected<std::optional<LockHolder>>> RedisCore::read_holder(std::shared_ptr<RedisCore> self,
                                                                         std::string key, std::string doing,
                                                                         bool with_token) {
    using Result = Expected<std::optional<LockHolder>>;
    std::vector<std::string> get{"GET", key};
    auto value = co_await self->connection_.exec(std::move(get));
    if (!value) co_return Result(with_context(value.error(), doing));
    if (value->is_error()) co_return Result(reply_error(self->options_.display, doing, *value));
    if (value->is_nil()) co_return Result(std::optional<LockHolder>{});
    if (value->type != RedisReply::Type::string) co_return Result(unexpected_reply(self->options_.display, doing));
    std::vector<std::string> pttl{"PTTL", key};
    auto ttl = co_await self->connection_.exec(std::move(pttl));
    if (!ttl) co_return Result(with_context(ttl.error(), doing));
    if (ttl->is_error()) co_return Result(reply_error(self->options_.display, doing, *ttl));
    // PTTL: -2 gone meanwhile, -1 no expiry (not written by us): shown as 0.
    auto left = ttl->type == RedisReply::Type::integer && ttl->integer > 0 ? ttl->integer : 0;
    co_return Result(std::optional<LockHolder>{LockHolder{with_token ? holder_of_value(value->text) : value->text, std::chrono::milliseconds(left)}});
}

net::awaitable<void> RedisCore::renew_loop(std::shared_ptr<RedisCore> self, std::shared_ptr<detail::LockState> state,
                                           std::shared_ptr<net::steady_timer> timer, Clock::time_point sent) {
    const auto& options = self->options_;
    auto forget = [&] { self->held_.erase(state.get()); };
    for (;;) {
        // Paced by the last renewal's *send* time: a slow answer does not push the next one towards the TTL.
        timer->expires_at(sent + options.renew_every);
        co_await timer->async_wait(as_tuple_awaitable);
        if (self->stopped_ || state->released || state->lost) co_return;
        const auto now = Clock::now();
        std::vector<std::string> arguments{state->key, state->value, ms_count(options.lock_ttl)};
        auto reply = co_await self->run_script(renew_script(), std::move(arguments), 1);
        if (self->stopped_ || state->released) co_return;
        if (!reply) {
            state->mark_lost(Error{reply.error().code, "lock lost: renewing the lock of server '" + state->server +
                                                           "' failed: " + reply.error().message});
            forget();
            co_return;
        }
        if (reply->is_error()) {
            auto refused = reply_error(options.display, "renewing the lock of server '" + state->server + "'", *reply);
            state->mark_lost(Error{refused.code, "lock lost: " + refused.message});
            forget();
            co_return;
        }
        if (reply->type == RedisReply::Type::integer && reply->integer == 1) {
            sent = now;
            state->valid_until = now + options.lock_ttl;
            continue;
        }
        state->mark_lost(Error{make_error_code(errc::conflict),
                               "lock lost: the lock of server '" + state->server +
                                   "' is no longer ours in Redis (it expired or another holder took it)"});
        forget();
        co_return;
    }
}

net::awaitable<Expected<Done>> RedisCore::give_back(std::shared_ptr<RedisCore> self,
                                                    std::shared_ptr<detail::LockState> state) {
    if (state->released) co_return Done{};
    const bool was_lost = state->lost.has_value();
    state->released = true;
    if (auto it = self->held_.find(state.get()); it != self->held_.end()) {
        it->second.timer->cancel();
        self->held_.erase(it);
    }
    const std::string doing = "releasing the lock of server '" + state->server + "'";
    if (self->stopped_) co_return Error{make_error_code(errc::cancelled), doing + ": the lock service stopped"};
    // Even a lost lock is deleted if it is still ours (a renewal that timed out may not have been refused).
    std::vector<std::string> arguments{state->key, state->value};
    auto reply = co_await self->run_script(release_script(), std::move(arguments), 1);
    if (!reply) co_return with_context(reply.error(), doing + " (it expires after the TTL by itself)");
    if (reply->is_error()) co_return reply_error(self->options_.display, doing, *reply);
    if (reply->type == RedisReply::Type::integer && reply->integer == 1) {
        if (!was_lost) ++self->counters_.released;
        co_return Done{};
    }
    co_return Error{make_error_code(errc::conflict),
                    doing + ": it had expired or been taken over before the release (held beyond its TTL)"};
}

net::awaitable<Expected<Done>> RedisCore::record_sync(std::shared_ptr<RedisCore> self, std::string server,
                                                      std::string job, std::chrono::milliseconds valid_for) {
    const std::string doing = "recording the sync of server '" + server + "'";
    if (auto valid = check_server_name(server); !valid) co_return valid.error();
    if (valid_for.count() <= 0) co_return Done{};
    std::vector<std::string> set{"SET", synced_key(self->options_.key_prefix, server),
                                 make_holder_id(self->process_id_, job), "PX", ms_count(valid_for)};
    auto reply = co_await self->connection_.exec(std::move(set));
    if (!reply) co_return with_context(reply.error(), doing);
    if (reply->is_error()) co_return reply_error(self->options_.display, doing, *reply);
    if (!reply->is_status("OK")) co_return unexpected_reply(self->options_.display, doing);
    co_return Done{};
}

net::awaitable<Expected<Done>> RedisCore::ping(std::shared_ptr<RedisCore> self) {
    std::vector<std::string> ping{"PING"};
    auto reply = co_await self->connection_.exec(std::move(ping));
    if (!reply) co_return reply.error();
    if (reply->is_error()) co_return reply_error(self->options_.display, "PING", *reply);
    if (!reply->is_status("PONG")) co_return unexpected_reply(self->options_.display, "PING");
    co_return Done{};
}

class RedisLockService final : public ServerLockService {
public:
    RedisLockService(net::any_io_executor executor, ResolvedRedisOptions options, std::string process_id)
        : core_(std::make_shared<RedisCore>(std::move(executor), std::move(options), std::move(process_id))) {}
    ~RedisLockService() override { core_->stop(); }

    net::awaitable<Expected<Acquisition>> try_acquire(std::string server, std::string job) override {
        co_return co_await RedisCore::try_acquire(core_, std::move(server), std::move(job));
    }
    net::awaitable<Expected<std::optional<LockHolder>>> holder(std::string server) override {
        using Result = Expected<std::optional<LockHolder>>;
        if (auto valid = check_server_name(server); !valid) co_return Result(valid.error());
        co_return co_await RedisCore::read_holder(core_, lock_key(core_->options().key_prefix, server),
                                                  "reading the holder of server '" + server + "'");
    }
    net::awaitable<Expected<Done>> record_sync(std::string server, std::string job,
                                               std::chrono::milliseconds valid_for) override {
        co_return co_await RedisCore::record_sync(core_, std::move(server), std::move(job), valid_for);
    }
    net::awaitable<Expected<std::optional<LockHolder>>> recent_sync(std::string server) override {
        using Result = Expected<std::optional<LockHolder>>;
        if (auto valid = check_server_name(server); !valid) co_return Result(valid.error());
        co_return co_await RedisCore::read_holder(core_, synced_key(core_->options().key_prefix, server),
                                                  "reading the last sync of server '" + server + "'", /*with_token=*/false);
    }
    net::awaitable<Expected<Done>> ping() override { co_return co_await RedisCore::ping(core_); }
    std::string describe() const override { return core_->options().display; }
    bool shared() const override { return true; }
    LockCounters counters() const override { return core_->counters(); }
    const std::string& process_id() const override { return core_->process_id(); }

private:
    std::shared_ptr<RedisCore> core_;
};

}  // namespace

std::unique_ptr<ServerLockService> make_redis_lock_service(net::any_io_executor executor, ResolvedRedisOptions options,
                                                           std::string process_id) {
    return std::make_unique<RedisLockService>(std::move(executor), std::move(options), std::move(process_id));
}

}  // namespace nds::coordination
