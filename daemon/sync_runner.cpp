#include "daemon/sync_runner.hpp"

#include "daemon/client_options.hpp"
#include "daemon/log_messages.hpp"
#include "daemon/plan_executor.hpp"
#include "daemon/server_reader.hpp"
#include "sync_engine/sync_planner.hpp"
#include "util/async.hpp"
#include "util/bounded_parallel.hpp"
#include "util/cancellation.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace nds::daemon {

namespace asio = boost::asio;
using engine::ObjectId;

// ---- NetBox reads shared with the service (webhook mapping) -------------------------------------------

asio::awaitable<Expected<engine::NetBoxSnapshot>> read_netbox_objects(netbox::NetBoxClient& netbox) {
    auto [servers, failovers, scopes] =
        co_await when_all(netbox.list_servers(), netbox.list_failovers(), netbox.list_scopes());
    if (!servers) co_return servers.error();
    if (!failovers) co_return failovers.error();
    if (!scopes) co_return scopes.error();

    engine::NetBoxSnapshot snapshot;
    snapshot.servers = std::move(*servers);
    snapshot.failovers = std::move(*failovers);
    snapshot.scopes = std::move(*scopes);
    co_return snapshot;
}

asio::awaitable<std::optional<Error>> read_netbox_prefixes(netbox::NetBoxClient& netbox,
                                                           const engine::SyncSettings& settings,
                                                           engine::NetBoxSnapshot& snapshot) {
    std::set<ObjectId> prefix_ids;
    for (const auto& scope : snapshot.scopes) prefix_ids.insert(scope.prefix_id);
    auto tagged = [&]() -> asio::awaitable<Expected<std::vector<engine::NetBoxPrefix>>> {
        if (settings.protect_tag.empty()) co_return std::vector<engine::NetBoxPrefix>{};
        co_return co_await netbox.list_prefixes_by_tag(settings.protect_tag);
    };
    auto [prefixes, protected_prefixes] =
        co_await when_all(netbox.list_prefixes_by_id({prefix_ids.begin(), prefix_ids.end()}), tagged());
    if (!prefixes) co_return prefixes.error();
    for (auto& prefix : *prefixes) snapshot.prefixes[prefix.id] = std::move(prefix);
    // NetBox answers 400 to a tag filter naming a tag that does not exist: then nothing carries the protect
    // tag, and no prefix is protected by it.
    if (protected_prefixes) snapshot.protected_prefixes = std::move(*protected_prefixes);
    else if (protected_prefixes.error().http_status != 400) co_return protected_prefixes.error();
    co_return std::nullopt;
}

asio::awaitable<Expected<engine::NetBoxSnapshot>> read_netbox_structure(netbox::NetBoxClient& netbox,
                                                                        const engine::SyncSettings& settings) {
    auto snapshot = co_await read_netbox_objects(netbox);
    if (!snapshot) co_return snapshot.error();
    if (auto error = co_await read_netbox_prefixes(netbox, settings, *snapshot)) co_return *error;
    co_return std::move(*snapshot);
}

namespace {

/// The option values of every NetBox scope of the server, by scope network, in the backend's form.
std::map<std::uint32_t, std::vector<engine::DhcpOptionValue>> scope_options(const engine::NetBoxSnapshot& snapshot,
                                                                            const engine::NetBoxServer& server,
                                                                            const OptionLibrary& library) {
    std::map<ObjectId, const engine::NetBoxOptionCode*> codes;
    for (const auto& code : library.codes) codes[code.id] = &code;
    std::map<ObjectId, const engine::NetBoxOptionValue*> values;
    for (const auto& value : library.values) values[value.id] = &value;
    std::map<std::uint32_t, std::vector<engine::DhcpOptionValue>> out;
    for (const auto& scope : snapshot.scopes) {
        bool owned = scope.server_id == server.id;
        if (!owned && scope.failover_id)
            if (const auto* failover = engine::find_failover(snapshot, *scope.failover_id))
                owned = failover->primary_server_id == server.id || failover->secondary_server_id == server.id;
        const auto* prefix = engine::find_prefix(snapshot, scope.prefix_id);
        if (!owned || !prefix) continue;
        auto& list = out[prefix->prefix.network.value];
        for (auto id : scope.option_value_ids) {
            auto value = values.find(id);
            if (value == values.end()) continue;
            auto code = codes.find(value->second->definition_id);
            if (code == codes.end()) continue;
            list.push_back(engine::DhcpOptionValue{code->second->code, code->second->name, {value->second->value},
                                                   code->second->data_type, code->second->vendor_class});
        }
    }
    return out;
}

}  // namespace

backend::ServerContext server_context(const engine::NetBoxSnapshot& snapshot, const engine::NetBoxServer& server,
                                      const std::string& netbox_url, const OptionLibrary* options) {
    backend::ServerContext context;
    context.server = server;
    context.netbox_url = netbox_url;
    for (const auto& failover : snapshot.failovers) {
        if (failover.primary_server_id != server.id && failover.secondary_server_id != server.id) continue;
        context.failovers.push_back(failover);
        engine::DhcpFailover timing;
        timing.name = failover.name;
        timing.mode = failover.mode;
        timing.max_client_lead_time = static_cast<int>(failover.max_client_lead_time);
        timing.max_response_delay = static_cast<int>(failover.max_response_delay);
        if (failover.state_switchover_interval) timing.state_switchover_interval = static_cast<int>(*failover.state_switchover_interval);
        timing.enable_auth = failover.enable_auth;
        context.failover_settings.push_back(std::move(timing));
        auto partner_id = failover.primary_server_id == server.id ? failover.secondary_server_id : failover.primary_server_id;
        if (const auto* partner = engine::find_server(snapshot, partner_id)) context.partners.push_back(*partner);
    }
    if (options) context.scope_options = scope_options(snapshot, server, *options);
    return context;
}

// ---- one run ----------------------------------------------------------------------------------------

class SyncRunner::Run {
public:
    Run(SyncRunner& runner, RunRequest request);
    asio::awaitable<RunReport> execute();

private:
    // The phases in order; each returns false when the run ends with a fatal error (recorded by fail()).
    asio::awaitable<bool> read_netbox();
    asio::awaitable<bool> check_servers();
    void decide_servers();
    asio::awaitable<bool> read_servers();
    asio::awaitable<bool> look_up_new_prefixes();
    asio::awaitable<bool> apply_scope_phase();
    asio::awaitable<bool> apply_address_phase();
    /// Every DHCP write of the run, one apply() per server (a dhcpd server renders and restarts once).
    asio::awaitable<void> apply_dhcp_writes();
    asio::awaitable<void> preview_dhcp_writes(const std::set<std::string>& servers);
    /// Servers whose backend gets an apply() even without writes: their configuration comes from NetBox.
    std::set<std::string> rendered_servers() const;
    /// Keeps a phase's DHCP writes for apply_dhcp_writes().
    void keep_dhcp_writes(engine::Plan& plan);

    /// The one failure path: NetBox could not be read or written to the point that nothing more is safe.
    bool fail(std::string message);
    asio::awaitable<void> check_health();
    asio::awaitable<void> read_prefixes_then_tag();
    asio::awaitable<void> read_dhcp_servers();
    asio::awaitable<void> prefetch_ip_addresses();
    asio::awaitable<bool> read_missing_ip_addresses(const std::vector<engine::PrefixToRead>& needed);
    asio::awaitable<bool> read_populated_ranges(const std::vector<engine::PrefixToRead>& prefixes);
    void log_plan(const engine::Plan& plan);
    void report_stop(const std::string& what_was_left);
    void finish();

    backend::DhcpBackend* backend_of(const std::string& server) {
        auto found = backends_.find(server);
        return found == backends_.end() ? nullptr : found->second.get();
    }

    SyncRunner& runner_;
    const Config& config_;
    Logger& log_;
    RunRequest request_;
    engine::SyncSettings settings_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    RunReport report_;
    netbox::NetBoxClient netbox_;
    PlanExecutor executor_;

    engine::NetBoxSnapshot snapshot_;
    std::map<std::string, std::unique_ptr<backend::DhcpBackend>> backends_;
    std::map<ObjectId, engine::ServerHealth> health_;
    std::map<std::string, std::string> health_errors_;
    std::optional<Error> prefixes_error_;
    std::optional<Error> tag_error_;
    bool tag_created_ = false;
    engine::ServerDecision decision_;
    engine::DhcpSnapshots dhcp_;
    std::vector<engine::DhcpWrite> dhcp_writes_;
    bool stopped_before_addresses_ = false;
    std::optional<OptionLibrary> option_library_;
    std::vector<engine::PrefixToRead> prefetch_;
    std::optional<Expected<std::vector<engine::NetBoxIpAddress>>> prefetched_;
};

namespace {

netbox::NetBoxOptions run_netbox_options(const Config& config, const RunRequest& request, Logger& log,
                                         RunReport& report, const HttpObserver& observer) {
    auto options = netbox_client_options(config, request.token);
    options.changelog_message = "netbox-dhcp-sync " + request.job_name + " " + utc_timestamp();
    if (observer)
        options.http.on_attempt = [observer](const http::Request&, unsigned status, std::chrono::steady_clock::duration elapsed) {
            observer("netbox", status, elapsed);
        };
    options.on_problem = [&log, &report](const std::string& message) {
        log.warning(msg::NETBOX_RECORD_SKIPPED, message);
        report.add_skipped_record("", "", "NetBox record skipped: " + message);
    };
    return options;
}

ExecutorLimits run_limits(const Config& config, const RunRequest& request) {
    ExecutorLimits limits;
    limits.max_concurrent_servers = static_cast<std::size_t>(config.sync.max_concurrent_servers);
    limits.netbox_batch_size = static_cast<std::size_t>(config.netbox.page_size) *
                               static_cast<std::size_t>(config.netbox.max_concurrent_writes) * request.waves_per_batch;
    return limits;
}

}  // namespace

SyncRunner::Run::Run(SyncRunner& runner, RunRequest request)
    : runner_(runner),
      config_(runner.config_),
      log_(runner.log_),
      request_(std::move(request)),
      settings_(config_.sync.settings),
      netbox_(runner.executor_, run_netbox_options(config_, request_, log_, report_, runner.observer_)),
      executor_(netbox_, [this](const std::string& server) { return backend_of(server); }, log_,
                run_limits(config_, request_)) {
    settings_.allow_mass_delete = request_.allow_mass_delete;
    report_.dry_run = request_.dry_run;
}

bool SyncRunner::Run::fail(std::string message) {
    report_.fatal_error = std::move(message);
    log_.error(msg::NETBOX_UNAVAILABLE, report_.fatal_error);
    return false;
}

asio::awaitable<RunReport> SyncRunner::Run::execute() {
    co_await accept_partial_cancellation();
    std::string servers_text;
    for (const auto& name : request_.servers) servers_text += (servers_text.empty() ? "" : ",") + name;
    log_.info(msg::SYNC_START, "sync starting", {{"servers", servers_text.empty() ? "all" : servers_text},
                                                  {"dry_run", request_.dry_run ? "true" : "false"}});
    if (!config_.netbox.verify_tls)
        log_.warning(msg::TLS_VERIFY_OFF, "TLS verification of NetBox is off (netbox.verify_tls: false)");

    if (co_await read_netbox() && co_await check_servers()) {
        decide_servers();
        if (co_await read_servers() && co_await look_up_new_prefixes() && co_await apply_scope_phase())
            co_await apply_address_phase();
        if (report_.fatal_error.empty()) co_await apply_dhcp_writes();
        if (stopped_before_addresses_) report_stop("IP addresses not synced");
        else if (executor_.not_applied() > 0) report_stop("");
    }
    finish();
    co_return std::move(report_);
}

asio::awaitable<bool> SyncRunner::Run::read_netbox() {
    auto structure = co_await read_netbox_objects(netbox_);
    if (!structure) co_return fail("NetBox: " + structure.error().message);
    snapshot_ = std::move(*structure);
    co_return true;
}

/// The DHCP servers' health, while NetBox's prefixes and then the managed tag are read.
asio::awaitable<bool> SyncRunner::Run::check_servers() {
    bool options_needed = std::any_of(snapshot_.servers.begin(), snapshot_.servers.end(),
                                      [&](const auto& server) { return backend_renders_options(server, config_); });
    if (options_needed) {
        auto [codes, values] = co_await when_all(netbox_.list_option_codes(), netbox_.list_option_values());
        if (!codes) co_return fail("NetBox: cannot read the option library: " + codes.error().message);
        if (!values) co_return fail("NetBox: cannot read the option library: " + values.error().message);
        option_library_.emplace(OptionLibrary{std::move(*codes), std::move(*values)});
    }
    for (const auto& server : snapshot_.servers) {
        const OptionLibrary* options =
            option_library_ && backend_renders_options(server, config_) ? &*option_library_ : nullptr;
        backends_[server.name] = runner_.backends_(server_context(snapshot_, server, config_.netbox.url, options));
    }
    co_await when_all(read_prefixes_then_tag(), check_health());
    if (prefixes_error_) co_return fail("NetBox: " + prefixes_error_->message);
    if (tag_error_)
        co_return fail("NetBox: cannot create the managed tag '" + settings_.managed_tag + "': " + tag_error_->message);
    if (tag_created_) log_.info(msg::MANAGED_TAG_CREATED, "created tag '" + settings_.managed_tag + "'");
    co_return true;
}

asio::awaitable<void> SyncRunner::Run::read_prefixes_then_tag() {
    prefixes_error_ = co_await read_netbox_prefixes(netbox_, settings_, snapshot_);
    // The managed tag is created only once NetBox could be read: a run that stops on a read writes nothing.
    if (prefixes_error_ || request_.dry_run) co_return;
    auto created = co_await netbox_.ensure_tag(settings_.managed_tag, settings_.managed_tag,
                                               "Managed by netbox-dhcp-sync: created or taken over from DHCP");
    if (!created) tag_error_ = created.error();
    else tag_created_ = *created;
}

asio::awaitable<void> SyncRunner::Run::check_health() {
    auto requested = [&](const std::string& name) {
        return request_.servers.empty() ||
               std::find(request_.servers.begin(), request_.servers.end(), name) != request_.servers.end();
    };
    std::vector<const engine::NetBoxServer*> to_check;
    for (const auto& server : snapshot_.servers) {
        if (engine::has_tag(server.tags, settings_.maintenance_tag)) continue;
        to_check.push_back(&server);
        if (requested(server.name))
            for (const auto& warning : backend_config_warnings(server, config_))
                log_.warning(msg::TLS_VERIFY_OFF, warning, {{"server", server.name}});
    }
    co_await bounded_parallel(to_check.size(), static_cast<std::size_t>(config_.sync.max_concurrent_servers),
                              [&](std::size_t index) -> asio::awaitable<void> {
        const auto& server = *to_check[index];
        auto result = co_await backend_of(server.name)->health();
        health_[server.id] = result ? engine::ServerHealth::healthy : engine::ServerHealth::unreachable;
        if (result) {
            log_.debug(msg::DHCP_HEALTHY, "DHCP server healthy", {{"server", server.name}, {"version", result->version}});
            for (const auto& warning : result->warnings) log_.warning(msg::DHCP_HEALTHY, warning, {{"server", server.name}});
        } else {
            health_errors_[server.name] = result.error().message;
            log_.warning(msg::DHCP_UNREACHABLE, "DHCP server unreachable: " + result.error().message, {{"server", server.name}});
        }
    });
}

/// The engine decides which servers run and which unreachable ones matter; the cause comes from the check.
void SyncRunner::Run::decide_servers() {
    decision_ = engine::decide_servers(snapshot_, health_, request_.servers, settings_);
    for (const auto& skip : decision_.skips) {
        report_.note_server(skip.note.server);
        report_.actions.push_back(ReportedAction{skip.kind, engine::Verb::update, ActionStatus::skipped, skip.note, {}});
    }
    for (auto problem : decision_.problems) {
        if (auto cause = health_errors_.find(problem.note.server); cause != health_errors_.end())
            problem.note.reason += ": " + cause->second;
        report_.note_server(problem.note.server);
        report_.problems.push_back(std::move(problem));
    }
    for (const auto& run : decision_.runs) report_.note_server(run.name);
}

/// The DHCP servers, while NetBox's IP addresses of the scopes these runs may sync are read: the two reads
/// are independent, and each is about half of a run that changes nothing. Phase 2 reads what is missing.
asio::awaitable<bool> SyncRunner::Run::read_servers() {
    prefetch_ = engine::prefixes_to_prefetch(snapshot_, decision_.runs, settings_);
    co_await when_all(read_dhcp_servers(), prefetch_ip_addresses());
    co_return true;
}

asio::awaitable<void> SyncRunner::Run::read_dhcp_servers() {
    const auto& runs = decision_.runs;
    std::size_t done = 0;
    co_await bounded_parallel(runs.size(), static_cast<std::size_t>(config_.sync.max_concurrent_servers),
                              [&](std::size_t index) -> asio::awaitable<void> {
        const auto& run = runs[index];
        ServerReader reader(log_, static_cast<std::size_t>(config_.server(run.name).max_concurrent));
        auto server = co_await reader.read_for_sync(
            *backend_of(run.name), settings_.active_scopes_only,
            [&](const std::vector<engine::DhcpScope>& scopes) { return engine::scopes_to_read(snapshot_, run, scopes, settings_); },
            settings_.push_reservations);
        for (const auto& problem : server.problems)
            report_.add_skipped_record(run.name, problem.scope, "skipped record: " + problem.what);
        ++done;
        if (server.scopes)
            log_.info(msg::SYNC_PROGRESS, "read DHCP server " + std::to_string(done) + "/" + std::to_string(runs.size()),
                      {{"server", run.name}, {"scopes", std::to_string(server.scopes->size())},
                       {"scopes_read", std::to_string(server.scope_data.size())}});
        dhcp_[run.name] = std::move(server);
    });
}

asio::awaitable<void> SyncRunner::Run::prefetch_ip_addresses() {
    if (prefetch_.empty()) co_return;
    prefetched_.emplace(co_await netbox_.list_ip_addresses(prefetch_));
    if (*prefetched_)
        log_.info(msg::SYNC_PROGRESS, "read NetBox IP addresses",
                  {{"prefixes", std::to_string(prefetch_.size())}, {"addresses", std::to_string((*prefetched_)->size())}});
}

/// Auto-import needs to know whether a server scope's prefix already exists in NetBox (in any VRF): the
/// prefixes of scopes NetBox does not have yet are looked up before planning.
asio::awaitable<bool> SyncRunner::Run::look_up_new_prefixes() {
    std::set<engine::Ipv4Network> known;
    for (const auto& [id, prefix] : snapshot_.prefixes) known.insert(prefix.prefix);
    std::set<engine::Ipv4Network> unknown;
    for (const auto& [name, server] : dhcp_) {
        if (!server.scopes) continue;
        for (const auto& scope : *server.scopes)
            if (auto network = engine::Ipv4Network::from_mask(scope.scope_id, scope.subnet_mask); network && !known.count(*network))
                unknown.insert(*network);
    }
    if (unknown.empty()) co_return true;
    auto found = co_await netbox_.find_prefixes({unknown.begin(), unknown.end()});
    if (!found) co_return fail("NetBox: cannot look up prefixes: " + found.error().message);
    for (auto& prefix : *found) snapshot_.prefixes[prefix.id] = std::move(prefix);
    co_return true;
}

/// Phase 1, the scope structure. NetBox is read again after it changed (or, for a dry run, the plan is
/// applied to the snapshot) so that the address phase sees the scopes as they now are.
asio::awaitable<bool> SyncRunner::Run::apply_scope_phase() {
    auto plan = engine::plan_scopes(snapshot_, decision_.runs, dhcp_, settings_);
    log_plan(plan);
    engine::apply_to_dhcp_snapshots(dhcp_, plan);
    if (request_.dry_run) {
        report_.add_plan(plan, ActionStatus::planned);
        snapshot_ = engine::apply_to_snapshot(std::move(snapshot_), plan);
        keep_dhcp_writes(plan);
    } else {
        co_await executor_.apply_netbox(plan, report_);
        keep_dhcp_writes(plan);
        if (plan.has_netbox_writes()) {
            auto reread = co_await read_netbox_structure(netbox_, settings_);
            if (!reread) co_return fail("NetBox: " + reread.error().message);
            snapshot_ = std::move(*reread);
        }
    }
    if (co_await stop_requested()) {
        stopped_before_addresses_ = true;
        co_return false;
    }
    co_return true;
}

asio::awaitable<bool> SyncRunner::Run::apply_address_phase() {
    auto needed = engine::prefixes_to_read(snapshot_, decision_.runs, dhcp_, settings_);
    if (!needed.empty() && !co_await read_missing_ip_addresses(needed)) co_return false;
    if (!needed.empty() && !co_await read_populated_ranges(needed)) co_return false;
    auto plan = engine::plan_addresses(snapshot_, decision_.runs, dhcp_, settings_);
    // The plan holds what the writes need: the snapshots' bulk (leases, reservations, NetBox IPs) is freed
    // before the writes, the run's memory peak on a first sync of 100,000 IPs.
    for (auto& [name, server] : dhcp_) server.scope_data.clear();
    std::vector<engine::NetBoxIpAddress>().swap(snapshot_.ip_addresses);
    log_plan(plan);
    if (request_.dry_run) report_.add_plan(plan, ActionStatus::planned);
    else co_await executor_.apply_netbox(plan, report_);
    keep_dhcp_writes(plan);
    co_return true;
}

void SyncRunner::Run::keep_dhcp_writes(engine::Plan& plan) {
    for (auto& write : plan.dhcp_writes) dhcp_writes_.push_back(std::move(write));
    plan.dhcp_writes.clear();
}

std::set<std::string> SyncRunner::Run::rendered_servers() const {
    std::set<std::string> out;
    for (const auto& [name, server] : dhcp_)
        if (server.capabilities.config_from_netbox && server.scopes) out.insert(name);
    return out;
}

asio::awaitable<void> SyncRunner::Run::apply_dhcp_writes() {
    // One ordered list for the whole run: the scope phase's writes (scopes, exclusions) before the address
    // phase's (reservations), as each server needs them.
    engine::order_dhcp_writes(dhcp_writes_);
    auto rendered = rendered_servers();
    if (request_.dry_run) {
        co_await preview_dhcp_writes(rendered);
        co_return;
    }
    co_await executor_.apply_dhcp(dhcp_writes_, report_, rendered);
}

/// --dry-run: what each server's backend would change, where the action list does not say it all (the
/// unified diff of a dhcpd server's file).
asio::awaitable<void> SyncRunner::Run::preview_dhcp_writes(const std::set<std::string>& servers) {
    std::map<std::string, std::vector<engine::DhcpWrite>> by_server;
    for (const auto& server : servers) by_server[server];
    for (const auto& write : dhcp_writes_) by_server[write.note.server].push_back(write);
    for (auto& [server, writes] : by_server) {
        auto* backend = backend_of(server);
        if (!backend) continue;
        auto text = co_await backend->preview(std::move(writes));
        if (!text) report_.add_problem(engine::Severity::error, server, "", "cannot preview the changes: " + text.error().message);
        else if (!text->empty()) report_.previews[server] = std::move(*text);
    }
}

/// NetBox refuses every IP created inside a populated IP range: the ranges are read so that none is planned.
asio::awaitable<bool> SyncRunner::Run::read_populated_ranges(const std::vector<engine::PrefixToRead>& prefixes) {
    auto ranges = co_await netbox_.list_populated_ranges(prefixes);
    if (!ranges) co_return fail("NetBox: cannot read IP ranges: " + ranges.error().message);
    snapshot_.populated_ranges = std::move(*ranges);
    co_return true;
}

/// What the prefetch did not cover (auto-imported scopes; everything when the prefetch failed).
asio::awaitable<bool> SyncRunner::Run::read_missing_ip_addresses(const std::vector<engine::PrefixToRead>& needed) {
    std::vector<engine::PrefixToRead> missing;
    if (prefetched_ && *prefetched_) {
        snapshot_.ip_addresses = std::move(**prefetched_);
        std::set_difference(needed.begin(), needed.end(), prefetch_.begin(), prefetch_.end(), std::back_inserter(missing));
    } else {
        missing = needed;
    }
    prefetched_.reset();
    if (missing.empty()) co_return true;
    auto addresses = co_await netbox_.list_ip_addresses(missing);
    if (!addresses) co_return fail("NetBox: cannot read IP addresses: " + addresses.error().message);
    std::set<ObjectId> known;
    for (const auto& ip : snapshot_.ip_addresses) known.insert(ip.id);
    for (auto& ip : *addresses)
        if (!known.count(ip.id)) snapshot_.ip_addresses.push_back(std::move(ip));
    co_return true;
}

void SyncRunner::Run::report_stop(const std::string& what_was_left) {
    report_.stopped = true;
    auto text = "stopped before all changes were applied: " + std::to_string(executor_.not_applied()) + " actions not applied" +
                (what_was_left.empty() ? "" : ", " + what_was_left);
    report_.add_problem(engine::Severity::warning, "", "", text);
}

void SyncRunner::Run::log_plan(const engine::Plan& plan) {
    if (!log_.enabled(LogLevel::debug)) return;
    engine::for_each_write(plan, [&](engine::ObjectKind kind, engine::Verb verb, const engine::ActionNote& note) {
        log_.debug(msg::ACTION, std::string(engine::to_string(verb)) + " " + engine::to_string(kind) + " " + note.object,
                   {{"server", note.server}, {"scope", note.scope}, {"reason", note.reason}});
    });
}

void SyncRunner::Run::finish() {
    // Skipped records were logged when they were read; every other problem is logged once, here.
    for (const auto& problem : report_.problems)
        if (problem.kind != engine::ProblemKind::skipped_record)
            log_.log(problem.severity == engine::Severity::error ? LogLevel::error : LogLevel::warning, msg::SYNC_PROBLEM,
                     problem.note.reason,
                     {{"server", problem.note.server}, {"scope", problem.note.scope}, {"object", problem.note.object}});
    report_.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    log_.info(msg::SYNC_DONE, "sync finished", {{"exit_code", std::to_string(report_.exit_code())},
                                                 {"actions", std::to_string(report_.actions.size())},
                                                 {"seconds", std::to_string(report_.duration_seconds)}});
}

// ---- SyncRunner ------------------------------------------------------------------------------------

SyncRunner::SyncRunner(asio::any_io_executor executor, const Config& config, Logger& log, HttpObserver observer,
                       BackendFactory backends)
    : executor_(std::move(executor)), config_(config), log_(log), observer_(std::move(observer)),
      backends_(backends ? std::move(backends) : make_backend_factory(executor_, config_, observer_)) {}

asio::awaitable<RunReport> SyncRunner::run(RunRequest request) {
    if (locks_ && locks_->shared() && !request.dry_run) co_return co_await run_locked(std::move(request));
    Run run(*this, std::move(request));
    co_return co_await run.execute();
}

namespace {

/// What the locks decided (servers running elsewhere, locks not taken) goes into the run's own report.
void merge_lock_outcome(RunReport& from_locks, RunReport& report) {
    for (auto& action : from_locks.actions) {
        report.note_server(action.note.server);
        report.actions.push_back(std::move(action));
    }
    for (auto& problem : from_locks.problems) {
        report.note_server(problem.note.server);
        report.problems.push_back(std::move(problem));
    }
    from_locks.actions.clear();
    from_locks.problems.clear();
}

/// Completes when a held lock is lost (the timer is cancelled), or when the run finished first (the group
/// cancels this wait, partially: hence partial cancellation is accepted).
asio::awaitable<void> wait_for_lock_loss(asio::steady_timer& loss, const RunLocks& locks) {
    co_await accept_partial_cancellation();
    if (locks.lost()) co_return;
    auto [ec] = co_await loss.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
}

/// A lost lock stops the run like a stop request; its actions say why they were not applied.
void report_lock_loss(const std::string& why, RunReport& report) {
    for (auto& action : report.actions)
        if (action.was_stopped()) action.note.reason = "not applied: lock lost: " + why;
    report.add_problem(engine::Severity::error, "", "", "lock lost: " + why + ": the run stopped before its next write batch");
}

}  // namespace

asio::awaitable<RunReport> SyncRunner::run_locked(RunRequest request) {
    RunReport from_locks;
    netbox::NetBoxClient netbox(executor_, netbox_client_options(config_, request.token));
    auto structure = co_await read_netbox_objects(netbox);
    if (!structure) {
        from_locks.fatal_error = "NetBox: " + structure.error().message;
        log_.error(msg::NETBOX_UNAVAILABLE, from_locks.fatal_error);
        co_return from_locks;
    }
    RunLocks locks(*locks_, log_, request.locking, request.job_name);
    auto servers = co_await locks.take(*structure, request.servers, from_locks);
    if (servers.empty()) {
        log_.info(msg::SYNC_DONE, "sync finished: no server to sync here (running elsewhere, synced recently or not lockable)",
                  {{"exit_code", std::to_string(from_locks.exit_code())}});
        co_await locks.release(from_locks);
        co_return from_locks;
    }
    request.servers = std::move(servers);

    Run run(*this, std::move(request));
    asio::steady_timer loss(executor_, asio::steady_timer::time_point::max());
    // Posted: the callback runs inside the lock service's renewal, not in the run's own chain.
    locks.on_lost([&](const std::string&) { asio::post(executor_, [&loss] { loss.cancel(); }); });
    co_await accept_partial_cancellation();  // a stop of this run reaches the run proper through the group
    // Named, not temporaries inside the co_await (util/bounded_parallel.hpp: GCC 12 and temporaries).
    auto run_and_watch = asio::experimental::make_parallel_group(
        asio::co_spawn(executor_, run.execute(), asio::deferred),
        asio::co_spawn(executor_, wait_for_lock_loss(loss, locks), asio::deferred));
    auto [order, run_error, report, wait_error] = co_await run_and_watch.async_wait(
        asio::experimental::wait_for_one(asio::cancellation_type::partial), asio::use_awaitable);
    (void)order;
    (void)wait_error;
    locks.on_lost({});
    if (run_error) std::rethrow_exception(run_error);
    if (locks.lost()) report_lock_loss(*locks.lost(), report);
    merge_lock_outcome(from_locks, report);
    co_await locks.release(report);
    co_return std::move(report);
}

}  // namespace nds::daemon
