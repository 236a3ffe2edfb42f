#include "daemon/sync_runner.hpp"

#include "util/bounded_parallel.hpp"
#include "daemon/log_messages.hpp"
#include "daemon/plan_executor.hpp"
#include "netbox_client/netbox_client.hpp"
#include "psu_client/psu_client.hpp"
#include "sync_engine/sync_planner.hpp"

#include "util/async.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>
#include <ctime>
#include <map>
#include <memory>
#include <set>

namespace nds::daemon {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using engine::ObjectId;

namespace {

bool has_netbox_writes(const engine::Plan& plan) {
    return !plan.prefix_creates.empty() || !plan.scope_creates.empty() || !plan.scope_updates.empty() ||
           !plan.scope_deletes.empty() || !plan.exclusion_creates.empty() || !plan.exclusion_deletes.empty();
}

}  // namespace

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

SyncRunner::SyncRunner(asio::any_io_executor executor, const Config& config, Logger& log, HttpObserver observer)
    : executor_(std::move(executor)), config_(config), log_(log), observer_(std::move(observer)) {}

asio::awaitable<RunReport> SyncRunner::run(RunRequest request) {
    auto started = std::chrono::steady_clock::now();
    RunReport report;
    report.dry_run = request.dry_run;
    auto settings = config_.sync.settings;
    settings.allow_mass_delete = request.allow_mass_delete;

    std::string servers_text;
    for (const auto& name : request.servers) servers_text += (servers_text.empty() ? "" : ",") + name;
    log_.info(msg::SYNC_START, "sync starting", {{"servers", servers_text.empty() ? "all" : servers_text},
                                                  {"dry_run", request.dry_run ? "true" : "false"}});

    auto netbox_options = netbox_client_options(config_, request.token);
    netbox_options.changelog_message = "netbox-dhcp-sync " + request.job_name + " " + utc_timestamp();
    if (observer_)
        netbox_options.http.on_attempt = [observer = observer_](const http::Request&, unsigned status,
                                                                std::chrono::steady_clock::duration elapsed) {
            observer("netbox", status, elapsed);
        };
    netbox_options.on_problem = [&](const std::string& message) {
        log_.warning(msg::NETBOX_RECORD_SKIPPED, message);
        report.add_problem(engine::Severity::warning, "", "", "NetBox record skipped: " + message);
    };
    if (!config_.netbox.verify_tls)
        log_.warning(msg::TLS_VERIFY_OFF, "TLS verification of NetBox is off (netbox.verify_tls: false)");
    netbox::NetBoxClient netbox(executor_, netbox_options);

    auto finish = [&]() {
        report.duration_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        log_.info(msg::SYNC_DONE, "sync finished", {{"exit_code", std::to_string(report.exit_code())},
                                                     {"actions", std::to_string(report.actions.size())},
                                                     {"seconds", std::to_string(report.duration_seconds)}});
    };

    // ---- NetBox, then the DHCP servers' health while NetBox's prefixes and the managed tag are read ----
    auto structure = co_await read_netbox_objects(netbox);
    if (!structure) {
        report.fatal_error = "NetBox: " + structure.error().message;
        log_.error(msg::NETBOX_UNAVAILABLE, report.fatal_error);
        finish();
        co_return report;
    }
    auto snapshot = std::move(*structure);

    std::map<std::string, std::unique_ptr<psu::PsuClient>> clients;
    for (const auto& server : snapshot.servers) {
        auto options = psu_client_options(server, config_);
        if (!options.http.verify_tls && server.use_https &&
            (request.servers.empty() ||
             std::find(request.servers.begin(), request.servers.end(), server.name) != request.servers.end()))
            log_.warning(msg::TLS_VERIFY_OFF, "TLS verification of DHCP server is off", {{"server", server.name}});
        if (observer_)
            options.http.on_attempt = [observer = observer_, name = server.name](
                                          const http::Request&, unsigned status, std::chrono::steady_clock::duration elapsed) {
                observer(name, status, elapsed);
            };
        clients[server.name] = std::make_unique<psu::PsuClient>(executor_, std::move(options));
    }
    std::vector<const engine::NetBoxServer*> to_check;
    for (const auto& server : snapshot.servers)
        if (!engine::has_tag(server.tags, settings.maintenance_tag)) to_check.push_back(&server);
    std::map<ObjectId, engine::ServerHealth> health;
    std::map<std::string, std::string> health_errors;
    auto check_health = [&]() -> asio::awaitable<void> {
        co_await bounded_parallel(to_check.size(), static_cast<std::size_t>(config_.sync.max_concurrent_servers),
                                  [&](std::size_t index) -> asio::awaitable<void> {
            const auto& server = *to_check[index];
            auto result = co_await clients[server.name]->health();
            health[server.id] = result ? engine::ServerHealth::healthy : engine::ServerHealth::unreachable;
            if (result) {
                log_.debug(msg::DHCP_HEALTHY, "DHCP server healthy", {{"server", server.name}, {"version", result->version}});
            } else {
                health_errors[server.name] = result.error().message;
                log_.warning(msg::DHCP_UNREACHABLE, "DHCP server unreachable: " + result.error().message,
                             {{"server", server.name}});
            }
        });
    };
    // The managed tag is created only once NetBox could be read: a run that stops on a read writes nothing.
    std::optional<Error> prefixes_error;
    Expected<bool> tag_created = false;
    auto read_prefixes_then_tag = [&]() -> asio::awaitable<void> {
        prefixes_error = co_await read_netbox_prefixes(netbox, settings, snapshot);
        if (prefixes_error || request.dry_run) co_return;
        tag_created = co_await netbox.ensure_tag(settings.managed_tag, settings.managed_tag,
                                                 "Managed by netbox-dhcp-sync: created or taken over from DHCP");
    };
    co_await (read_prefixes_then_tag() && check_health());
    if (prefixes_error) {
        report.fatal_error = "NetBox: " + prefixes_error->message;
        log_.error(msg::NETBOX_UNAVAILABLE, report.fatal_error);
        finish();
        co_return report;
    }
    if (!tag_created) {
        report.fatal_error =
            "NetBox: cannot create the managed tag '" + settings.managed_tag + "': " + tag_created.error().message;
        log_.error(msg::NETBOX_UNAVAILABLE, report.fatal_error);
        finish();
        co_return report;
    }
    if (*tag_created) log_.info(msg::MANAGED_TAG_CREATED, "created tag '" + settings.managed_tag + "'");

    // The engine decides which unreachable servers matter for this run; the cause comes from the check.
    auto decision = engine::decide_servers(snapshot, health, request.servers, settings);
    for (const auto& skip : decision.skips) {
        report.note_server(skip.note.server);
        report.actions.push_back(ReportedAction{skip.kind, engine::Verb::update, ActionStatus::skipped, skip.note, {}});
    }
    for (auto problem : decision.problems) {
        if (auto cause = health_errors.find(problem.note.server); cause != health_errors.end())
            problem.note.reason += ": " + cause->second;
        report.note_server(problem.note.server);
        report.problems.push_back(std::move(problem));
    }
    const auto& runs = decision.runs;
    for (const auto& run : runs) report.note_server(run.name);

    // ---- DHCP servers: reads, while NetBox's IP addresses are read ----
    // NetBox's IPs of the scopes these runs may sync are read at the same time as the DHCP servers (issue #5:
    // the two reads are independent, and each is about half of a no-op run). Phase 2 reads what is missing.
    auto prefetch = engine::prefixes_to_prefetch(snapshot, runs, settings);
    std::optional<Expected<std::vector<engine::NetBoxIpAddress>>> prefetched;
    auto read_ips = [&]() -> asio::awaitable<void> {
        if (prefetch.empty()) co_return;
        prefetched = co_await netbox.list_ip_addresses(prefetch);
        if (*prefetched)
            log_.info(msg::SYNC_PROGRESS, "read NetBox IP addresses",
                      {{"prefixes", std::to_string(prefetch.size())}, {"addresses", std::to_string((*prefetched)->size())}});
    };
    engine::DhcpSnapshots dhcp;
    std::size_t servers_done = 0;
    auto read_dhcp = [&]() -> asio::awaitable<void> {
    co_await bounded_parallel(runs.size(), static_cast<std::size_t>(config_.sync.max_concurrent_servers),
                              [&](std::size_t index) -> asio::awaitable<void> {
        const auto& run = runs[index];
        auto& client = *clients[run.name];
        engine::DhcpServerSnapshot server_snapshot;
        server_snapshot.server_name = run.name;
        server_snapshot.reachable = true;
        auto scopes = co_await client.list_scopes(settings.active_scopes_only);
        if (!scopes) {
            server_snapshot.error = scopes.error().message;
            log_.error(msg::DHCP_SCOPES_FAILED, "cannot read scopes: " + scopes.error().message, {{"server", run.name}});
            dhcp[run.name] = std::move(server_snapshot);
            ++servers_done;
            co_return;
        }
        server_snapshot.problems = std::move(scopes->problems);
        server_snapshot.scope_list_complete = scopes->skipped == 0;
        server_snapshot.scopes = std::move(scopes->items);
        auto requests = engine::scopes_to_read(snapshot, run, *server_snapshot.scopes, settings);
        auto per_server = static_cast<std::size_t>(config_.server(run.name).max_concurrent);
        co_await bounded_parallel(requests.size(), per_server, [&](std::size_t i) -> asio::awaitable<void> {
            const auto& read = requests[i];
            engine::DhcpScopeData data;
            auto scope_label = read.scope_id.to_string();
            auto failed = [&](const char* what, const Error& error) {
                data.error += std::string(data.error.empty() ? "" : "; ") + what + ": " + error.message;
                log_.error(msg::DHCP_SCOPE_READ_FAILED, std::string("cannot read ") + what + ": " + error.message,
                           {{"server", run.name}, {"scope", scope_label}});
            };
            if (read.leases) {
                auto leases = co_await client.list_leases(read.scope_id);
                if (leases) {
                    data.complete = data.complete && leases->skipped == 0;
                    data.leases = std::move(leases->items);
                    for (auto& p : leases->problems) server_snapshot.problems.push_back(std::move(p));
                } else {
                    failed("leases", leases.error());
                }
            }
            if (read.reservations) {
                auto reservations = co_await client.list_reservations(read.scope_id);
                if (reservations) {
                    data.complete = data.complete && reservations->skipped == 0;
                    data.reservations = std::move(reservations->items);
                    for (auto& p : reservations->problems) server_snapshot.problems.push_back(std::move(p));
                } else {
                    failed("reservations", reservations.error());
                }
            }
            if (read.exclusions) {
                auto exclusions = co_await client.list_exclusions(read.scope_id);
                if (exclusions) {
                    data.exclusions = std::move(exclusions->items);
                    for (auto& p : exclusions->problems) server_snapshot.problems.push_back(std::move(p));
                } else {
                    failed("exclusions", exclusions.error());
                }
            }
            server_snapshot.scope_data[read.scope_id.value] = std::move(data);
        });
        for (const auto& problem : server_snapshot.problems) {
            log_.warning(msg::DHCP_RECORD_SKIPPED, problem.what, {{"server", problem.server}, {"scope", problem.scope}});
            report.add_problem(engine::Severity::warning, run.name, problem.scope, "skipped record: " + problem.what);
        }
        ++servers_done;
        log_.info(msg::SYNC_PROGRESS, "read DHCP server " + std::to_string(servers_done) + "/" + std::to_string(runs.size()),
                  {{"server", run.name}, {"scopes", std::to_string(server_snapshot.scopes->size())},
                   {"scopes_read", std::to_string(requests.size())}});
        dhcp[run.name] = std::move(server_snapshot);
    });
    };
    co_await (read_dhcp() && read_ips());

    // Auto-import needs to know whether a server scope's prefix already exists in NetBox (in any VRF), so
    // the prefixes of scopes NetBox does not have yet are looked up before planning.
    std::set<engine::Ipv4Network> known_networks;
    for (const auto& [id, prefix] : snapshot.prefixes) known_networks.insert(prefix.prefix);
    std::set<engine::Ipv4Network> unknown_networks;
    for (const auto& [name, server_snapshot] : dhcp) {
        if (!server_snapshot.scopes) continue;
        for (const auto& scope : *server_snapshot.scopes)
            if (auto network = engine::Ipv4Network::from_mask(scope.scope_id, scope.subnet_mask);
                network && !known_networks.count(*network))
                unknown_networks.insert(*network);
    }
    if (!unknown_networks.empty()) {
        auto found = co_await netbox.find_prefixes({unknown_networks.begin(), unknown_networks.end()});
        if (!found) {
            report.fatal_error = "NetBox: cannot look up prefixes: " + found.error().message;
            log_.error(msg::NETBOX_UNAVAILABLE, report.fatal_error);
            finish();
            co_return report;
        }
        for (auto& prefix : *found) snapshot.prefixes[prefix.id] = std::move(prefix);
    }

    PlanExecutor executor(
        netbox,
        [&](const std::string& name) -> psu::PsuClient* {
            auto found = clients.find(name);
            return found == clients.end() ? nullptr : found->second.get();
        },
        log_, config_.sync.max_concurrent_servers, request.stop,
        static_cast<std::size_t>(config_.netbox.page_size) * static_cast<std::size_t>(config_.netbox.max_concurrent_writes));
    auto stopped = [&] { return request.stop && request.stop->load(); };

    auto log_plan = [&](const engine::Plan& plan) {
        if (!log_.enabled(LogLevel::debug)) return;
        for_each_action(plan, [&](engine::ObjectKind kind, engine::Verb verb, const engine::ActionNote& note) {
            log_.debug(msg::ACTION, std::string(engine::to_string(verb)) + " " + engine::to_string(kind) + " " + note.object,
                       {{"server", note.server}, {"scope", note.scope}, {"reason", note.reason}});
        });
    };

    // ---- Phase 1: scopes ----
    auto scope_plan = engine::plan_scopes(snapshot, runs, dhcp, settings);
    log_plan(scope_plan);
    if (request.dry_run) {
        report.add_plan(scope_plan, ActionStatus::planned);
        snapshot = engine::apply_to_snapshot(std::move(snapshot), scope_plan);
    } else {
        co_await executor.apply(scope_plan, report);
        if (has_netbox_writes(scope_plan)) {
            auto reread = co_await read_netbox_structure(netbox, settings);
            if (!reread) {
                report.fatal_error = "NetBox: " + reread.error().message;
                log_.error(msg::NETBOX_UNAVAILABLE, report.fatal_error);
                finish();
                co_return report;
            }
            snapshot = std::move(*reread);
        }
    }

    // ---- Phase 2: addresses ----
    if (stopped()) {
        auto text = "stopped before all changes were applied: " + std::to_string(executor.not_applied()) +
                    " actions not applied, IP addresses not synced";
        log_.warning(msg::SYNC_PROBLEM, text);
        report.add_problem(engine::Severity::warning, "", "", text);
        finish();
        co_return report;
    }
    auto prefixes = engine::prefixes_to_read(snapshot, runs, dhcp, settings);
    if (!prefixes.empty()) {
        // What the prefetch did not cover (auto-imported scopes; everything when the prefetch failed).
        std::vector<engine::PrefixToRead> missing;
        if (prefetched && *prefetched) {
            snapshot.ip_addresses = std::move(**prefetched);
            std::set_difference(prefixes.begin(), prefixes.end(), prefetch.begin(), prefetch.end(),
                                std::back_inserter(missing));
        } else {
            missing = prefixes;
        }
        prefetched.reset();
        if (!missing.empty()) {
            auto addresses = co_await netbox.list_ip_addresses(missing);
            if (!addresses) {
                report.fatal_error = "NetBox: cannot read IP addresses: " + addresses.error().message;
                log_.error(msg::NETBOX_UNAVAILABLE, report.fatal_error);
                finish();
                co_return report;
            }
            std::set<ObjectId> known;
            for (const auto& ip : snapshot.ip_addresses) known.insert(ip.id);
            for (auto& ip : *addresses)
                if (!known.count(ip.id)) snapshot.ip_addresses.push_back(std::move(ip));
        }
    }
    auto address_plan = engine::plan_addresses(snapshot, runs, dhcp, settings);
    // The plan holds what the writes need: free both snapshots' bulk (leases, reservations, NetBox IPs) before
    // the write phase, the run's memory peak on a first sync (issue #5: 100,000 IPs).
    for (auto& [name, server_snapshot] : dhcp) server_snapshot.scope_data.clear();
    std::vector<engine::NetBoxIpAddress>().swap(snapshot.ip_addresses);
    log_plan(address_plan);
    if (request.dry_run) report.add_plan(address_plan, ActionStatus::planned);
    else co_await executor.apply(address_plan, report);
    if (executor.not_applied() > 0)
        report.add_problem(engine::Severity::warning, "", "",
                           "stopped before all changes were applied: " + std::to_string(executor.not_applied()) +
                               " actions not applied");  // logged with the other problems below

    for (const auto& problem : report.problems)
        if (problem.note.reason.rfind("skipped record", 0) != 0)
            log_.log(problem.severity == engine::Severity::error ? LogLevel::error : LogLevel::warning, msg::SYNC_PROBLEM,
                     problem.note.reason, {{"server", problem.note.server}, {"scope", problem.note.scope}, {"object", problem.note.object}});
    finish();
    co_return report;
}

}  // namespace nds::daemon
