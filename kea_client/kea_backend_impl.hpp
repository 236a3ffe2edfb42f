// Inside the Kea backend: the class behind make_kea_backend(), shared by kea_backend.cpp (transport, health,
// reads) and kea_apply.cpp (the configuration transaction). Not included outside kea_client/.
#pragma once

#include "kea_client/kea_backend.hpp"
#include "kea_client/kea_commands.hpp"
#include "kea_client/kea_config.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nds::kea {

using backend::Awaitable;

/// At most N holders at once; the others wait in arrival order (coroutines on one executor, no threads).
class CommandSlots {
public:
    CommandSlots(boost::asio::any_io_executor executor, std::size_t count) : executor_(std::move(executor)), free_(count) {}
    /// Waits for a slot; false when the wait was cancelled (no slot is held then).
    boost::asio::awaitable<bool> acquire();
    void release();

private:
    struct Waiter {
        boost::asio::steady_timer timer;
        bool granted = false;
        explicit Waiter(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
    };
    boost::asio::any_io_executor executor_;
    std::size_t free_;
    std::deque<std::shared_ptr<Waiter>> waiting_;
};

/// Every lease of the server, read once per run (lease4-get-page) and handed to each scope by subnet id.
struct LeaseTable {
    std::map<std::int64_t, std::vector<KeaLease>> by_subnet;
    std::map<std::int64_t, std::vector<std::string>> problems_by_subnet;
    std::vector<std::string> problems_without_subnet;  ///< make every scope's lease list incomplete
};

/// A rollback a transaction could not finish (Kea unreachable after config-set): made at the start of the
/// next health() or apply(), if Kea still holds what that transaction sent (as far as the sync reads it:
/// compare_views over every subnet). Kept in memory only: after a restart of this daemon, Kea's config
/// file (never written by the failed transaction) is what a Kea restart goes back to.
struct PendingRestore {
    KeaConfig original;
    json::object sent;
    bool write_started = false;  ///< config-write was sent: the file may hold `sent`
};

class KeaBackend final : public backend::DhcpBackend {
public:
    KeaBackend(boost::asio::any_io_executor executor, KeaOptions options);
    ~KeaBackend() override;

    const std::string& server_name() const override { return options_.server_name; }
    std::string endpoint() const override { return options_.url; }
    Awaitable<Expected<backend::BackendHealth>> health() override;
    engine::BackendCapabilities capabilities() const override;
    Awaitable<Expected<engine::ParsedList<engine::DhcpScope>>> list_scopes(bool active_only) override;
    Awaitable<backend::ScopeRead> read_scope(engine::ScopeReadRequest request) override;
    Awaitable<Expected<engine::ParsedList<engine::DhcpReservation>>> list_all_reservations() override;
    Awaitable<Expected<engine::ParsedList<engine::DhcpFailover>>> list_failovers() override;
    Awaitable<Expected<engine::ParsedList<engine::DhcpOptionValue>>> list_scope_options(
        engine::Ipv4Address scope_id) override;
    Awaitable<backend::ApplyResult> apply(std::vector<engine::DhcpWrite> writes) override;
    Awaitable<Expected<std::string>> preview(std::vector<engine::DhcpWrite> writes) override;

    // ---- transport (kea_backend.cpp) ----
    /// Sends one command and parses the answer (no result check).
    Awaitable<Expected<KeaAnswer>> send(const std::string& command, const json::object* arguments);
    /// Sends one command and returns the arguments of a successful answer (expect_result()).
    Awaitable<Expected<json::value>> call(const std::string& command, const json::object* arguments, bool empty_ok);
    CommandContext context(const std::string& command) const;

    /// config-get, parsed (never cached).
    Awaitable<Expected<KeaConfig>> fetch_config();
    /// The configuration of this run: fetched once after health(), kept until apply() changes it.
    Awaitable<Expected<std::shared_ptr<const KeaConfig>>> run_config();
    /// Reservations go through host_cmds (reservation-get-page/-add/-del) rather than the configuration:
    /// the hook is loaded and the configuration has a hosts database for it to write to.
    bool host_commands_mode(const json::object& dhcp4) const;

private:
    // ---- reads (kea_backend.cpp) ----
    Awaitable<Expected<std::shared_ptr<const LeaseTable>>> lease_table();
    Awaitable<Expected<LeaseTable>> read_all_lease_pages();
    Awaitable<Expected<LeaseTable>> read_subnet_leases_get_all(std::int64_t subnet_id);
    void fill_leases(backend::ScopeRead& out, const LeaseTable& table, std::int64_t subnet_id, const std::string& scope);
    Awaitable<Expected<engine::ParsedList<engine::DhcpReservation>>> host_reservations(std::int64_t subnet_id,
                                                                                      const std::string& scope);
    Awaitable<void> finish_pending_restore(std::vector<std::string>& notes);
    void forget_run_state();

    // ---- the configuration transaction (kea_apply.cpp) ----
    struct Transaction;
    struct Isolation;
    Awaitable<void> run_transaction(Transaction& tx);
    Awaitable<std::string> set_and_confirm(Transaction& tx);
    Awaitable<void> run_host_commands(Transaction& tx);
    Awaitable<Expected<Done>> config_command(const std::string& command, const json::object& dhcp4);
    Awaitable<bool> isolate_refused(Transaction& tx, const Error& refusal);
    Awaitable<void> find_refused(Transaction& tx, Isolation& isolation, std::vector<std::size_t> writes,
                                 std::string refusal);
    Awaitable<Expected<Done>> test_subset(Transaction& tx, const std::vector<std::size_t>& writes);
    Awaitable<void> restore(Transaction& tx, const std::string& why);
    Awaitable<void> hook(TransactionStep step);

    KeaOptions options_;
    boost::asio::any_io_executor executor_;
    std::unique_ptr<http::Client> http_;
    std::string setup_error_;  ///< why no command can be sent (bad URL, unreadable CA file, client certs)
    std::string endpoint_;     ///< origin + target, for messages
    std::string target_;
    std::string authorization_;
    CommandSlots slots_;

    std::optional<std::set<std::string>> commands_;  ///< list-commands, from health()
    std::string version_;
    std::shared_ptr<const KeaConfig> config_;        ///< this run's configuration
    std::shared_ptr<const LeaseTable> leases_;       ///< this run's leases (paged mode)
    bool lease_get_page_unsupported_ = false;
    bool leases_loading_ = false;
    std::shared_ptr<boost::asio::steady_timer> leases_loaded_;  ///< waiters wake when it is cancelled
    std::optional<PendingRestore> pending_restore_;
    bool applying_ = false;
};

}  // namespace nds::kea
