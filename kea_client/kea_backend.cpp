// The Kea backend's I/O half for everything but apply(): the transport (one POST per command, at most
// max_concurrent at once), health, and the reads. Wire formats are in kea_commands / kea_config.
#include "kea_client/kea_backend_impl.hpp"

#include "http/url.hpp"
#include "kea_client/kea_config_edit.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace nds::kea {
namespace asio = boost::asio;
using asio::awaitable;

const char* to_string(TransactionStep step) {
    switch (step) {
    case TransactionStep::before_config_test: return "before config-test";
    case TransactionStep::before_conflict_check: return "before the conflict check";
    case TransactionStep::before_config_set: return "before config-set";
    case TransactionStep::before_read_back: return "before the read-back";
    case TransactionStep::before_config_write: return "before config-write";
    }
    return "?";
}

// ---- CommandSlots -------------------------------------------------------------------------------------

awaitable<bool> CommandSlots::acquire() {
    if (free_ > 0) {
        --free_;
        co_return true;
    }
    auto waiter = std::make_shared<Waiter>(executor_);
    waiter->timer.expires_at(asio::steady_timer::time_point::max());
    waiting_.push_back(waiter);
    auto [ec] = co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;  // cancelled by release(), or by the caller's cancellation
    if (waiter->granted) co_return true;
    waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), waiter), waiting_.end());
    co_return false;
}

void CommandSlots::release() {
    if (waiting_.empty()) {
        ++free_;
        return;
    }
    auto next = waiting_.front();  // the slot passes straight to the longest waiter
    waiting_.pop_front();
    next->granted = true;
    next->timer.cancel();
}

namespace {

struct SlotGuard {
    CommandSlots& slots;
    ~SlotGuard() { slots.release(); }
};

/// Resets a flag and wakes the waiters when the loading coroutine leaves, however it leaves.
struct LoadingGuard {
    bool& loading;
    std::shared_ptr<asio::steady_timer> done;
    ~LoadingGuard() {
        loading = false;
        done->cancel();
    }
};

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

}  // namespace

// ---- construction and transport -----------------------------------------------------------------------

KeaBackend::KeaBackend(asio::any_io_executor executor, KeaOptions options)
    : options_(std::move(options)), executor_(executor), slots_(executor, std::max<std::size_t>(options_.max_concurrent, 1)) {
    auto url = http::Url::parse(options_.url);
    if (!url) {
        setup_error_ = options_.server_name + ": Kea url '" + options_.url + "' is not an http(s) URL";
        return;
    }
    target_ = url->target.empty() ? "/" : url->target;
    endpoint_ = url->origin() + target_;
    options_.http.cert_file = options_.cert_file;  // the Control Agent's cert-required (docs/kea.md)
    options_.http.key_file = options_.key_file;
    if (!options_.username.empty()) authorization_ = basic_authorization(options_.username, options_.password);
    if (options_.lease_page_size == 0) options_.lease_page_size = 1000;
    if (options_.host_page_size == 0) options_.host_page_size = 1000;
    try {
        http_ = std::make_unique<http::Client>(executor, options_.url, options_.http);
    } catch (const std::exception& e) {
        setup_error_ = options_.server_name + ": Kea client for " + endpoint_ + " cannot be set up: " + e.what();
    }
}

KeaBackend::~KeaBackend() = default;

CommandContext KeaBackend::context(const std::string& command) const {
    return CommandContext{options_.server_name, command, endpoint_};
}

awaitable<Expected<KeaAnswer>> KeaBackend::send(const std::string& command, const json::object* arguments) {
    if (!setup_error_.empty()) co_return Error{make_error_code(errc::config), setup_error_};
    if (!co_await slots_.acquire())
        co_return Error{make_error_code(errc::cancelled), context(command).what() + ": cancelled while waiting to send"};
    SlotGuard guard{slots_};
    http::Request request;
    request.method = "POST";
    request.target = target_;
    // Exactly "application/json": Kea 2.2's Control Agent answers 400 to any parameter after it.
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("Accept", "application/json");
    if (!authorization_.empty()) request.headers.emplace_back("Authorization", authorization_);
    request.body = command_body(command, options_.kea_service, arguments);
    auto response = co_await http_->send(std::move(request));
    if (!response)
        co_return Error{response.error().code,
                        options_.server_name + ": Kea " + command + ": " + response.error().message,
                        response.error().http_status};
    co_return parse_answer(context(command), response->status, response->body);
}

awaitable<Expected<json::value>> KeaBackend::call(const std::string& command, const json::object* arguments,
                                                  bool empty_ok) {
    auto answer = co_await send(command, arguments);
    if (!answer) co_return answer.error();
    co_return expect_result(context(command), *answer, empty_ok);
}

awaitable<Expected<KeaConfig>> KeaBackend::fetch_config() {
    auto arguments = co_await call("config-get", nullptr, false);
    if (!arguments) co_return arguments.error();
    co_return parse_config(*arguments, context("config-get").what());
}

awaitable<Expected<std::shared_ptr<const KeaConfig>>> KeaBackend::run_config() {
    if (config_) co_return config_;
    auto fetched = co_await fetch_config();
    if (!fetched) co_return fetched.error();
    config_ = std::make_shared<const KeaConfig>(std::move(*fetched));
    co_return config_;
}

bool KeaBackend::host_commands_mode(const json::object& dhcp4) const {
    return commands_ && commands_->count("reservation-add") && commands_->count("reservation-del") &&
           commands_->count("reservation-get-page") && has_hosts_database(dhcp4);
}

void KeaBackend::forget_run_state() {
    config_.reset();
    leases_.reset();
}

// ---- health and capabilities --------------------------------------------------------------------------

awaitable<void> KeaBackend::finish_pending_restore(std::vector<std::string>& notes) {
    if (!pending_restore_) co_return;
    auto current = co_await fetch_config();
    if (!current) {
        notes.push_back(options_.server_name + ": a rollback of an earlier failed change is still owed and Kea "
                        "cannot be read yet: " + current.error().message);
        co_return;
    }
    if (current->fingerprint == pending_restore_->original.fingerprint) {
        pending_restore_.reset();  // the failed config-set never took effect: nothing to undo
        co_return;
    }
    auto index = index_subnets(current->dhcp4);
    auto sent_index = index_subnets(pending_restore_->sent);
    std::vector<engine::Ipv4Address> networks;
    for (const auto& v : index.subnets) networks.push_back(v.network.network);
    for (const auto& v : sent_index.subnets) networks.push_back(v.network.network);
    bool still_ours = compare_views(pending_restore_->sent, current->dhcp4, networks).empty() &&
                      index.subnets.size() == sent_index.subnets.size();
    if (!still_ours) {
        notes.push_back(options_.server_name + ": an earlier failed change was not rolled back then; Kea's "
                        "configuration has changed since (restart or another writer), so nothing was restored");
        pending_restore_.reset();
        co_return;
    }
    auto restored = co_await config_command("config-set", pending_restore_->original.dhcp4);
    if (!restored) {
        notes.push_back(options_.server_name + ": restoring the configuration from before an earlier failed change "
                        "failed again: " + restored.error().message);
        co_return;
    }
    std::string text = options_.server_name + ": restored the configuration from before an earlier failed change "
                       "(Kea still ran the change, which was never confirmed)";
    if (pending_restore_->write_started) {
        auto written = co_await call("config-write", nullptr, false);
        text += written ? std::string("; saved to Kea's config file") : "; config-write failed: " + written.error().message;
    }
    notes.push_back(std::move(text));
    pending_restore_.reset();
}

awaitable<Expected<backend::BackendHealth>> KeaBackend::health() {
    forget_run_state();
    backend::BackendHealth health;
    health.software = "ISC Kea dhcp4";
    if (!setup_error_.empty()) co_return Error{make_error_code(errc::config), setup_error_};

    auto version = co_await send("version-get", nullptr);
    if (!version) co_return version.error();
    if (auto ok = expect_result(context("version-get"), *version, false); !ok) co_return ok.error();
    version_ = version->text;
    health.version = version_;

    auto listed = co_await call("list-commands", nullptr, false);
    if (!listed) co_return listed.error();
    auto commands = parse_command_list(context("list-commands"), *listed);
    if (!commands) co_return commands.error();
    commands_ = std::move(*commands);

    co_await finish_pending_restore(health.warnings);

    auto status = co_await call("status-get", nullptr, false);
    if (status) {
        auto ha = parse_ha_status(context("status-get"), *status);
        if (ha) {
            auto warnings = ha_warnings(options_.server_name, *ha);
            health.warnings.insert(health.warnings.end(), warnings.begin(), warnings.end());
        } else {
            health.warnings.push_back(ha.error().message);
        }
    } else {
        health.warnings.push_back(status.error().message);
    }
    if (!commands_->count("lease4-get-page") && !commands_->count("lease4-get-all"))
        health.warnings.push_back(options_.server_name + ": Kea at " + endpoint_ +
                                  " has no lease commands (hook library libdhcp_lease_cmds.so not loaded): leases "
                                  "cannot be read, scopes get no lease sync");
    co_return health;
}

engine::BackendCapabilities KeaBackend::capabilities() const {
    engine::BackendCapabilities caps;
    caps.exclusions = engine::ExclusionModel::derived_from_pools;
    caps.push_to_failover_partner = true;  // HA peers do not share configuration
    caps.reservation_update_in_place = true;
    caps.empty_list_may_be_error = false;  // a failed read is a result 1, never an empty list
    if (commands_) {
        std::vector<std::string> missing;
        for (const char* c : {"config-get", "config-test", "config-set", "config-write"})
            if (!commands_->count(c)) missing.push_back(c);
        if (!missing.empty()) {
            caps.unsupported = {engine::DhcpOperation::scope_create,       engine::DhcpOperation::scope_update,
                                engine::DhcpOperation::exclusion_create,   engine::DhcpOperation::exclusion_delete,
                                engine::DhcpOperation::reservation_create, engine::DhcpOperation::reservation_update,
                                engine::DhcpOperation::reservation_delete};
            caps.unsupported_why = "Kea at " + endpoint_ + " does not offer " + join(missing) +
                                   ": its configuration cannot be changed through the control channel";
        }
    }
    return caps;
}

// ---- reads --------------------------------------------------------------------------------------------

awaitable<Expected<engine::ParsedList<engine::DhcpScope>>> KeaBackend::list_scopes(bool /*active_only: Kea's
                                                                                     subnets are all active*/) {
    auto config = co_await run_config();
    if (!config) co_return config.error();
    const auto& dhcp4 = (*config)->dhcp4;
    co_return scopes_of(dhcp4, options_.server_name, scopes_failover_name(ha_relationships(dhcp4, nullptr)));
}

awaitable<Expected<LeaseTable>> KeaBackend::read_all_lease_pages() {
    LeaseTable table;
    std::optional<engine::Ipv4Address> from;
    const std::size_t limit = options_.lease_page_size;
    // A page holds at least one address more than the last: 2^32 / limit + 1 pages at most.
    const std::size_t max_pages = (std::size_t{1} << 32) / limit + 2;
    for (std::size_t page = 0; page < max_pages; ++page) {
        auto args = lease_page_arguments(from, limit);
        auto answer = co_await call("lease4-get-page", &args, true);
        if (!answer) co_return answer.error();
        auto batch = parse_leases(context("lease4-get-page"), *answer);
        if (!batch) co_return batch.error();
        for (auto& lease : batch->leases)
            if (lease.state == 0) table.by_subnet[lease.subnet_id].push_back(std::move(lease));
        for (auto& p : batch->problems) {
            if (p.subnet_id) table.problems_by_subnet[*p.subnet_id].push_back(std::move(p.what));
            else table.problems_without_subnet.push_back(std::move(p.what));
        }
        if (batch->records < limit) co_return table;
        if (!batch->last_address || (from && *batch->last_address <= *from))
            co_return Error{make_error_code(errc::malformed),
                            context("lease4-get-page").what() + ": a full page did not advance past " +
                                (from ? from->to_string() : std::string("the start")) + "; paging stopped"};
        from = batch->last_address;
    }
    co_return Error{make_error_code(errc::malformed), context("lease4-get-page").what() + ": paging did not end"};
}

awaitable<Expected<LeaseTable>> KeaBackend::read_subnet_leases_get_all(std::int64_t subnet_id) {
    // One subnet per request: the answer is bounded by the subnet's size (and by http max_body_bytes),
    // not by the whole server's lease count.
    auto args = lease_get_all_arguments(subnet_id);
    auto answer = co_await call("lease4-get-all", &args, true);
    if (!answer) co_return answer.error();
    auto batch = parse_leases(context("lease4-get-all"), *answer);
    if (!batch) co_return batch.error();
    LeaseTable table;
    auto& mine = table.by_subnet[subnet_id];
    for (auto& lease : batch->leases)
        if (lease.state == 0 && lease.subnet_id == subnet_id) mine.push_back(std::move(lease));
    for (auto& p : batch->problems) table.problems_by_subnet[subnet_id].push_back(std::move(p.what));
    co_return table;
}

awaitable<Expected<std::shared_ptr<const LeaseTable>>> KeaBackend::lease_table() {
    while (leases_loading_) {
        auto done = leases_loaded_;
        auto [ec] = co_await done->async_wait(asio::as_tuple(asio::use_awaitable));
        (void)ec;  // the loader cancels the timer when it is done
    }
    if (leases_) co_return leases_;
    leases_loading_ = true;
    leases_loaded_ = std::make_shared<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
    LoadingGuard guard{leases_loading_, leases_loaded_};
    auto table = co_await read_all_lease_pages();
    if (!table) co_return table.error();
    leases_ = std::make_shared<const LeaseTable>(std::move(*table));
    co_return leases_;
}

void KeaBackend::fill_leases(backend::ScopeRead& out, const LeaseTable& table, std::int64_t subnet_id,
                             const std::string& scope) {
    std::vector<engine::DhcpLease> leases;
    if (auto found = table.by_subnet.find(subnet_id); found != table.by_subnet.end())
        for (const auto& l : found->second) leases.push_back({l.ip, l.client_id, l.hostname, l.expiry});
    if (auto found = table.problems_by_subnet.find(subnet_id); found != table.problems_by_subnet.end()) {
        for (const auto& p : found->second) out.problems.push_back({options_.server_name, scope, p});
        out.data.complete = false;
    }
    for (const auto& p : table.problems_without_subnet) {
        out.problems.push_back({options_.server_name, scope, p + " (may belong to this scope)"});
        out.data.complete = false;
    }
    out.data.leases = std::move(leases);
}

awaitable<Expected<engine::ParsedList<engine::DhcpReservation>>> KeaBackend::host_reservations(
    std::int64_t subnet_id, const std::string& scope) {
    engine::ParsedList<engine::DhcpReservation> out;
    std::optional<HostPageCursor> next;
    for (std::size_t page = 0; page < 1000000; ++page) {
        auto args = reservation_get_page_arguments(subnet_id, options_.host_page_size, next);
        auto answer = co_await call("reservation-get-page", &args, true);
        if (!answer) co_return answer.error();
        auto parsed = parse_host_page(context("reservation-get-page"), *answer);
        if (!parsed) co_return parsed.error();
        json::array records;
        for (auto& h : parsed->hosts) records.push_back(std::move(h));
        auto list = parse_reservations(records, options_.server_name, scope);
        out.items.insert(out.items.end(), list.items.begin(), list.items.end());
        out.problems.insert(out.problems.end(), list.problems.begin(), list.problems.end());
        out.skipped += list.skipped;
        if (!parsed->next || parsed->next == next) co_return out;
        next = parsed->next;
    }
    co_return Error{make_error_code(errc::malformed), context("reservation-get-page").what() + ": paging did not end"};
}

awaitable<backend::ScopeRead> KeaBackend::read_scope(engine::ScopeReadRequest request) {
    backend::ScopeRead out;
    const std::string scope = request.scope_id.to_string();
    std::vector<std::string> errors;
    auto config = co_await run_config();
    if (!config) {
        out.data.error = config.error().message;
        co_return out;
    }
    auto index = index_subnets((*config)->dhcp4);
    const SubnetView* view = find_subnet(index, request.scope_id);
    if (!view) {
        out.data.error = options_.server_name + ": no subnet " + scope + " in Kea's configuration";
        co_return out;
    }
    const std::int64_t subnet_id = view->id;

    if (request.exclusions) {
        std::string problem;
        if (auto shape = subnet_shape(*view, &problem)) out.data.exclusions = exclusions_of(*shape);
        else errors.push_back(options_.server_name + ": subnet " + view->network.to_string() + ": " + problem);
    }
    if (request.reservations) {
        Expected<engine::ParsedList<engine::DhcpReservation>> list = reservations_of(*view, options_.server_name);
        if (host_commands_mode((*config)->dhcp4)) list = co_await host_reservations(subnet_id, scope);
        if (list) {
            if (list->skipped > 0) out.data.complete = false;
            out.problems.insert(out.problems.end(), list->problems.begin(), list->problems.end());
            out.data.reservations = std::move(list->items);
        } else {
            errors.push_back(list.error().message);
        }
    }
    if (request.leases) {
        bool paged = !lease_get_page_unsupported_ && (!commands_ || commands_->count("lease4-get-page"));
        std::optional<Error> failure;
        if (paged) {
            auto table = co_await lease_table();
            if (table) {
                fill_leases(out, **table, subnet_id, scope);
            } else if (table.error().is(errc::unsupported)) {
                lease_get_page_unsupported_ = true;  // an older lease_cmds: fall back to lease4-get-all
                paged = false;
            } else {
                failure = table.error();
            }
        }
        if (!paged) {
            auto table = co_await read_subnet_leases_get_all(subnet_id);
            if (table) fill_leases(out, *table, subnet_id, scope);
            else failure = table.error();
        }
        if (failure) errors.push_back(failure->message);
    }
    out.data.error = join(errors);
    co_return out;
}

awaitable<Expected<engine::ParsedList<engine::DhcpReservation>>> KeaBackend::list_all_reservations() {
    auto config = co_await run_config();
    if (!config) co_return config.error();
    engine::ParsedList<engine::DhcpReservation> out;
    bool host_mode = host_commands_mode((*config)->dhcp4);
    for (const auto& view : index_subnets((*config)->dhcp4).subnets) {
        Expected<engine::ParsedList<engine::DhcpReservation>> list = reservations_of(view, options_.server_name);
        if (host_mode) list = co_await host_reservations(view.id, view.network.network.to_string());
        if (!list) co_return list.error();
        out.items.insert(out.items.end(), list->items.begin(), list->items.end());
        out.problems.insert(out.problems.end(), list->problems.begin(), list->problems.end());
        out.skipped += list->skipped;
    }
    co_return out;
}

awaitable<Expected<engine::ParsedList<engine::DhcpFailover>>> KeaBackend::list_failovers() {
    auto config = co_await run_config();
    if (!config) co_return config.error();
    co_return failovers_of((*config)->dhcp4, options_.server_name);
}

awaitable<Expected<engine::ParsedList<engine::DhcpOptionValue>>> KeaBackend::list_scope_options(
    engine::Ipv4Address scope_id) {
    auto config = co_await run_config();
    if (!config) co_return config.error();
    auto index = index_subnets((*config)->dhcp4);
    const SubnetView* view = find_subnet(index, scope_id);
    if (!view)
        co_return Error{make_error_code(errc::not_found),
                        options_.server_name + ": no subnet " + scope_id.to_string() + " in Kea's configuration"};
    co_return options_of(*view, options_.server_name);
}

awaitable<Expected<std::string>> KeaBackend::preview(std::vector<engine::DhcpWrite> writes) {
    auto config = co_await run_config();
    if (!config) co_return config.error();
    auto edited = apply_writes((*config)->dhcp4, writes);
    if (!edited.changed) co_return std::string();
    co_return describe_changes((*config)->dhcp4, edited.dhcp4);
}

std::unique_ptr<backend::DhcpBackend> make_kea_backend(asio::any_io_executor executor, KeaOptions options) {
    return std::make_unique<KeaBackend>(std::move(executor), std::move(options));
}

}  // namespace nds::kea
