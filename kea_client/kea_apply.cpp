// apply(): all of one run's writes to one Kea server as ONE configuration transaction (docs/kea.md):
//   config-get -> edit in memory -> config-test -> fresh config-get, same fingerprint (else: conflict,
//   nothing written) -> config-set -> config-get, the sync's view equal to what was sent -> config-write
// Any failure from config-set on sends the saved original back (config-set) and reports the error; a
// rollback that cannot reach Kea is made at the start of the next run. A refused config-test is narrowed
// down to the writes Kea refuses (config-test of halves of the write list, never by reading Kea's
// message), which fail with Kea's text while the others go on. Reservations of a server with host_cmds and
// a hosts database go one command each after the transaction.
#include "kea_client/kea_backend_impl.hpp"

#include "kea_client/kea_config_edit.hpp"
#include "sync_engine/client_id.hpp"

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

namespace nds::kea {
namespace asio = boost::asio;
using asio::awaitable;
using backend::WriteStatus;

struct KeaBackend::Transaction {
    const std::vector<engine::DhcpWrite>& writes;
    backend::ApplyResult& result;
    std::vector<bool> in_config;        ///< written through the configuration transaction
    std::vector<bool> by_host_command;  ///< written with host_cmds after it
    std::vector<bool> decided;          ///< an outcome was set
    KeaConfig original;
    EditedConfig edited;
    bool config_sent = false;     ///< config-set was sent: Kea may hold the edited configuration
    bool write_started = false;   ///< config-write was sent: the config file may have changed
    bool committed = false;       ///< the transaction succeeded: Kea runs `edited`

    Transaction(const std::vector<engine::DhcpWrite>& w, backend::ApplyResult& r)
        : writes(w), result(r), in_config(w.size(), false), by_host_command(w.size(), false), decided(w.size(), false) {}

    void set(std::size_t i, WriteStatus status, std::string text) {
        result.outcomes[i] = backend::WriteOutcome{status, std::move(text)};
        decided[i] = true;
    }
    /// The configuration writes still waiting for their outcome.
    std::vector<std::size_t> open_config_writes() const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < writes.size(); ++i)
            if (in_config[i] && !decided[i]) out.push_back(i);
        return out;
    }
    void settle_config_writes(WriteStatus status, const std::string& text) {
        for (auto i : open_config_writes()) set(i, status, text);
    }
    void problem(engine::Severity severity, const std::string& server, std::string text) {
        result.problems.push_back(engine::Problem{severity, engine::ActionNote{server, "", "Kea configuration", std::move(text)}});
    }
};

struct KeaBackend::Isolation {
    std::size_t budget = 0;
    std::map<std::size_t, std::string> refused;  ///< write index -> Kea's config-test text
    bool gave_up = false;
};

namespace {

bool cancelled(const asio::cancellation_state& state) { return state.cancelled() != asio::cancellation_type::none; }

/// Terminal cancellation stops the transaction at the next step; partial cancellation lets it finish.
bool stop_now(const asio::cancellation_state& state) {
    return (state.cancelled() & asio::cancellation_type::terminal) != asio::cancellation_type::none;
}

constexpr const char* kCancelledMidway = "the run was cancelled in the middle of the configuration transaction";

bool is_abort(const boost::system::system_error& e) { return e.code() == asio::error::operation_aborted; }

}  // namespace

awaitable<void> KeaBackend::hook(TransactionStep step) {
    if (options_.transaction_hook) co_await options_.transaction_hook(step);
}

awaitable<Expected<Done>> KeaBackend::config_command(const std::string& command, const json::object& dhcp4) {
    json::object arguments;
    arguments["Dhcp4"] = dhcp4;
    auto answer = co_await call(command, &arguments, false);
    if (!answer) co_return answer.error();
    co_return Done{};
}

// ---- apply ----------------------------------------------------------------------------------------------

awaitable<backend::ApplyResult> KeaBackend::apply(std::vector<engine::DhcpWrite> writes) {
    backend::ApplyResult result;
    result.outcomes.assign(writes.size(), backend::WriteOutcome{WriteStatus::skipped, "not attempted"});
    if (applying_) {
        for (auto& o : result.outcomes) o = {WriteStatus::failed, options_.server_name + ": another apply() to this Kea server is still running"};
        co_return result;
    }
    applying_ = true;
    struct Reset {
        KeaBackend& backend;
        ~Reset() {
            backend.applying_ = false;
            backend.forget_run_state();  // Kea's configuration may have changed: the next read fetches it anew
        }
    } reset{*this};

    if (cancelled(co_await asio::this_coro::cancellation_state)) {
        for (auto& o : result.outcomes) o = {WriteStatus::skipped, "the run was stopped before anything was sent to Kea"};
        co_return result;
    }
    Transaction tx(writes, result);
    try {
        std::vector<std::string> notes;
        co_await finish_pending_restore(notes);
        for (auto& n : notes) tx.problem(engine::Severity::warning, options_.server_name, std::move(n));

        auto original = co_await fetch_config();
        if (!original) {
            std::string text = "nothing written: " + original.error().message;
            for (std::size_t i = 0; i < writes.size(); ++i) tx.set(i, WriteStatus::failed, text);
            tx.problem(engine::Severity::error, options_.server_name, text);
            co_return result;
        }
        tx.original = std::move(*original);
    } catch (const boost::system::system_error& e) {
        if (!is_abort(e)) throw;
        for (auto& o : result.outcomes) o = {WriteStatus::skipped, "the run was cancelled before anything was sent to Kea"};
        co_return result;
    }

    // Which writes go where: reservations of a host_cmds server with a hosts database go one command each,
    // unless the reservation to change is one of the configuration file's.
    const bool host_mode = host_commands_mode(tx.original.dhcp4);
    auto index = index_subnets(tx.original.dhcp4);
    for (std::size_t i = 0; i < writes.size(); ++i) {
        const auto* reservation = std::get_if<engine::ReservationChange>(&writes[i].change);
        bool by_command = false;
        if (host_mode && reservation) {
            by_command = true;
            if (writes[i].verb != engine::Verb::create) {
                if (const SubnetView* view = find_subnet(index, writes[i].scope_id)) {
                    auto id = engine::normalize_client_id(reservation->reservation.client_id);
                    for (const auto& r : reservations_of(*view, options_.server_name).items)
                        if (r.client_id == id) by_command = false;
                }
            }
        }
        (by_command ? tx.by_host_command : tx.in_config)[i] = true;
    }

    try {
        co_await run_transaction(tx);  // catches the cancellation of its own steps (and rolls back)
        co_await run_host_commands(tx);
    } catch (const boost::system::system_error& e) {
        if (!is_abort(e)) throw;
        for (std::size_t i = 0; i < writes.size(); ++i)
            if (!tx.decided[i]) tx.set(i, WriteStatus::skipped, "the run was cancelled: not sent");
    }
    co_return result;
}

/// config-set, read-back, config-write: "" when all three succeeded, else what failed (the caller restores).
awaitable<std::string> KeaBackend::set_and_confirm(Transaction& tx) {
    auto set = co_await config_command("config-set", tx.edited.dhcp4);
    if (!set) co_return "config-set failed: " + set.error().message;
    co_await hook(TransactionStep::before_read_back);
    if (stop_now(co_await asio::this_coro::cancellation_state)) co_return kCancelledMidway;
    auto back = co_await fetch_config();
    if (!back) co_return "reading the configuration back after config-set failed: " + back.error().message;
    if (auto diff = compare_views(tx.edited.dhcp4, back->dhcp4, touched_networks(tx.writes)); !diff.empty())
        co_return "Kea's configuration after config-set is not what was sent: " + diff;
    co_await hook(TransactionStep::before_config_write);
    if (stop_now(co_await asio::this_coro::cancellation_state)) co_return kCancelledMidway;
    tx.write_started = true;
    auto written = co_await call("config-write", nullptr, false);
    if (!written) co_return "config-write (saving to Kea's config file) failed: " + written.error().message;
    co_return std::string();
}

awaitable<void> KeaBackend::run_transaction(Transaction& tx) {
    const std::string& server = options_.server_name;
    if (tx.open_config_writes().empty()) co_return;

    tx.edited = apply_writes(tx.original.dhcp4, tx.writes, tx.in_config);
    for (auto i : tx.open_config_writes()) {
        const auto& o = tx.edited.outcomes[i];
        if (!o.ok) tx.set(i, WriteStatus::failed, server + ": " + o.message);
    }
    if (!tx.edited.changed) {
        // Every write is already in effect (or failed above): nothing is sent, Kea is not reconfigured.
        tx.settle_config_writes(WriteStatus::applied, "");
        co_return;
    }

    std::string failure;
    bool aborted = false;
    try {
        co_await hook(TransactionStep::before_config_test);
        auto test = co_await config_command("config-test", tx.edited.dhcp4);
        if (!test) {
            if (!test.error().is(errc::refused)) {
                std::string text = "nothing written: " + test.error().message;
                tx.settle_config_writes(WriteStatus::failed, text);
                tx.problem(engine::Severity::error, server, text);
                co_return;
            }
            if (!co_await isolate_refused(tx, test.error())) co_return;
            if (!tx.edited.changed) {
                tx.settle_config_writes(WriteStatus::applied, "");
                co_return;
            }
        }

        co_await hook(TransactionStep::before_conflict_check);
        auto fresh = co_await fetch_config();
        if (!fresh) {
            std::string text = "nothing written: the config-get before config-set failed: " + fresh.error().message;
            tx.settle_config_writes(WriteStatus::failed, text);
            tx.problem(engine::Severity::error, server, text);
            co_return;
        }
        if (fresh->fingerprint != tx.original.fingerprint) {
            std::string text = server + ": conflict: Kea's configuration changed between this run's config-get and "
                               "its config-set (another writer); nothing written, the next run starts from the new "
                               "configuration";
            tx.settle_config_writes(WriteStatus::failed, text);
            tx.problem(engine::Severity::error, server, text);
            co_return;
        }

        co_await hook(TransactionStep::before_config_set);
        if (stop_now(co_await asio::this_coro::cancellation_state)) {
            tx.settle_config_writes(WriteStatus::skipped, "the run was cancelled before Kea's configuration was changed");
            co_return;
        }
        tx.config_sent = true;
        failure = co_await set_and_confirm(tx);
    } catch (const boost::system::system_error& e) {
        if (!is_abort(e)) throw;
        aborted = true;
    }
    if (aborted && !tx.config_sent) {
        tx.settle_config_writes(WriteStatus::skipped, "the run was cancelled before Kea's configuration was changed");
        co_return;
    }
    if (aborted) failure = kCancelledMidway;
    if (failure.empty()) {
        tx.committed = true;
        tx.settle_config_writes(WriteStatus::applied, "");
        co_return;
    }
    co_await restore(tx, failure);
}

awaitable<void> KeaBackend::restore(Transaction& tx, const std::string& why) {
    const std::string& server = options_.server_name;
    // The rollback must run even when the run is being cancelled (it is bounded by the HTTP timeout).
    if (cancelled(co_await asio::this_coro::cancellation_state))
        co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
    std::string outcome;
    auto set = co_await config_command("config-set", tx.original.dhcp4);
    if (set) {
        outcome = "the configuration from before this run was restored";
        if (tx.write_started) {
            // config-write was the failing step: the file may hold the new configuration; save the original.
            auto written = co_await call("config-write", nullptr, false);
            if (!written) outcome += "; saving it to Kea's config file failed too: " + written.error().message;
        }
        auto check = co_await fetch_config();
        if (check && check->fingerprint == tx.original.fingerprint) outcome += " (verified)";
        else outcome += " but could not be verified" + (check ? std::string(" (it differs)") : ": " + check.error().message);
    } else {
        pending_restore_ = PendingRestore{tx.original, tx.edited.dhcp4, tx.write_started};
        outcome = "restoring the configuration from before this run FAILED (" + set.error().message +
                  "); Kea may run the changed configuration until the next run restores it";
    }
    std::string text = server + ": " + why + "; " + outcome;
    tx.settle_config_writes(WriteStatus::failed, text);
    tx.problem(engine::Severity::error, server, text);
}

// ---- a refused config-test --------------------------------------------------------------------------------

awaitable<Expected<Done>> KeaBackend::test_subset(Transaction& tx, const std::vector<std::size_t>& subset) {
    std::vector<bool> include(tx.writes.size(), false);
    for (auto i : subset) include[i] = true;
    auto edited = apply_writes(tx.original.dhcp4, tx.writes, include);
    if (!edited.changed) co_return Done{};
    co_return co_await config_command("config-test", edited.dhcp4);
}

awaitable<void> KeaBackend::find_refused(Transaction& tx, Isolation& isolation, std::vector<std::size_t> subset,
                                         std::string refusal) {
    if (subset.size() == 1) {
        isolation.refused[subset.front()] = refusal;
        co_return;
    }
    std::vector<std::size_t> halves[2] = {
        std::vector<std::size_t>(subset.begin(), subset.begin() + static_cast<std::ptrdiff_t>(subset.size() / 2)),
        std::vector<std::size_t>(subset.begin() + static_cast<std::ptrdiff_t>(subset.size() / 2), subset.end())};
    bool any_refused = false;
    for (auto& half : halves) {
        if (isolation.budget == 0) {
            isolation.gave_up = true;
            co_return;
        }
        --isolation.budget;
        auto test = co_await test_subset(tx, half);
        if (test) continue;
        if (!test.error().is(errc::refused)) {
            isolation.gave_up = true;
            co_return;
        }
        any_refused = true;
        co_await find_refused(tx, isolation, half, test.error().message);
        if (isolation.gave_up) co_return;
    }
    if (!any_refused)  // each half passes, together they do not: these writes are refused as a group
        for (auto i : subset) isolation.refused[i] = refusal + " (refused together with other writes of this run)";
}

awaitable<bool> KeaBackend::isolate_refused(Transaction& tx, const Error& refusal) {
    const std::string& server = options_.server_name;
    std::vector<std::size_t> candidates;
    for (auto i : tx.open_config_writes())
        if (tx.edited.outcomes[i].changed) candidates.push_back(i);
    Isolation isolation;
    isolation.budget = options_.max_isolation_tests;
    co_await find_refused(tx, isolation, candidates, refusal.message);
    if (isolation.gave_up || isolation.refused.empty()) {
        std::string text = "nothing written: " + refusal.message +
                           (isolation.gave_up ? " (the refused writes could not be singled out)" : "");
        tx.settle_config_writes(WriteStatus::failed, text);
        tx.problem(engine::Severity::error, server, text);
        co_return false;
    }
    for (const auto& [i, text] : isolation.refused) tx.set(i, WriteStatus::failed, text);

    // The rest, without the refused writes; a write that needed one of them (an exclusion of a scope Kea
    // refused to create) now fails on its own.
    std::vector<bool> include(tx.writes.size(), false);
    for (auto i : tx.open_config_writes()) include[i] = true;
    tx.edited = apply_writes(tx.original.dhcp4, tx.writes, include);
    for (auto i : tx.open_config_writes())
        if (!tx.edited.outcomes[i].ok) tx.set(i, WriteStatus::failed, server + ": " + tx.edited.outcomes[i].message);
    tx.problem(engine::Severity::error, server,
               "config-test refused " + std::to_string(isolation.refused.size()) +
                   " write(s) of this run, which were left out (each write reports Kea's message); first: " +
                   isolation.refused.begin()->second);
    if (!tx.edited.changed) co_return true;
    auto again = co_await config_command("config-test", tx.edited.dhcp4);
    if (!again) {
        std::string text = "nothing written: the remaining writes were refused too: " + again.error().message;
        tx.settle_config_writes(WriteStatus::failed, text);
        tx.problem(engine::Severity::error, server, text);
        co_return false;
    }
    co_return true;
}

// ---- host_cmds --------------------------------------------------------------------------------------------

awaitable<void> KeaBackend::run_host_commands(Transaction& tx) {
    const std::string& server = options_.server_name;
    const json::object& dhcp4 = tx.committed ? tx.edited.dhcp4 : tx.original.dhcp4;
    auto index = index_subnets(dhcp4);
    for (std::size_t i = 0; i < tx.writes.size(); ++i) {
        if (!tx.by_host_command[i]) continue;
        if (cancelled(co_await asio::this_coro::cancellation_state)) {
            tx.set(i, WriteStatus::skipped, "the run was stopped: not sent");
            continue;
        }
        const auto& write = tx.writes[i];
        const auto& r = std::get<engine::ReservationChange>(write.change).reservation;
        const SubnetView* view = find_subnet(index, write.scope_id);
        if (!view) {
            tx.set(i, WriteStatus::failed, server + ": no subnet " + write.scope_id.to_string() + " in Kea's configuration");
            continue;
        }
        auto id = host_identifier(engine::normalize_client_id(r.client_id));
        if (!id) {
            tx.set(i, WriteStatus::failed, server + ": " + id.error().message);
            continue;
        }
        auto add_args = reservation_add_arguments(view->id, reservation_record(*id, r));
        auto del_args = reservation_del_arguments(view->id, id->type, id->value);
        Expected<json::value> sent = json::value();
        if (write.verb == engine::Verb::create) {
            sent = co_await call("reservation-add", &add_args, false);
        } else if (write.verb == engine::Verb::remove) {
            sent = co_await call("reservation-del", &del_args, false);
        } else if (commands_ && commands_->count("reservation-update")) {
            sent = co_await call("reservation-update", &add_args, false);
        } else {
            sent = co_await call("reservation-del", &del_args, false);
            if (sent) sent = co_await call("reservation-add", &add_args, false);
        }
        if (sent) tx.set(i, WriteStatus::applied, "");
        else tx.set(i, WriteStatus::failed, sent.error().message);
    }
    co_return;
}

}  // namespace nds::kea
