#include "daemon/import_command.hpp"

#include "daemon/client_options.hpp"

#include "daemon/log_messages.hpp"
#include "daemon/plan_executor.hpp"
#include "daemon/sync_runner.hpp"
#include "util/bounded_parallel.hpp"
#include "netbox_client/netbox_client.hpp"
#include "psu_client/psu_client.hpp"
#include "sync_engine/import_planner.hpp"

#include "util/async.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <chrono>
#include <ctime>
#include <memory>
#include <set>

namespace nds::daemon {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using engine::ObjectId;

namespace {

/// NetBox's side: plugin objects, the prefixes of existing scopes, and the option library.
asio::awaitable<Expected<engine::ImportNetBox>> read_netbox(netbox::NetBoxClient& netbox) {
    auto [servers, failovers, scopes] =
        co_await when_all(netbox.list_servers(), netbox.list_failovers(), netbox.list_scopes());
    if (!servers) co_return servers.error();
    if (!failovers) co_return failovers.error();
    if (!scopes) co_return scopes.error();
    auto [codes, values] = co_await when_all(netbox.list_option_codes(), netbox.list_option_values());
    if (!codes) co_return codes.error();
    if (!values) co_return values.error();

    engine::ImportNetBox out;
    out.snapshot.servers = std::move(*servers);
    out.snapshot.failovers = std::move(*failovers);
    out.snapshot.scopes = std::move(*scopes);
    out.option_codes = std::move(*codes);
    out.option_values = std::move(*values);
    std::set<ObjectId> prefix_ids;
    for (const auto& scope : out.snapshot.scopes) prefix_ids.insert(scope.prefix_id);
    auto prefixes = co_await netbox.list_prefixes_by_id({prefix_ids.begin(), prefix_ids.end()});
    if (!prefixes) co_return prefixes.error();
    for (auto& prefix : *prefixes) out.snapshot.prefixes[prefix.id] = prefix;
    co_return out;
}

template <class T>
void take_problems(psu::ParsedList<T>& list, std::vector<engine::ReadProblem>& into) {
    for (auto& p : list.problems) into.push_back(std::move(p));
}

}  // namespace

ImportCommand::ImportCommand(asio::any_io_executor executor, const Config& config, Logger& log)
    : executor_(std::move(executor)), config_(config), log_(log) {}

asio::awaitable<ImportReport> ImportCommand::run(ImportRequest request) {
    auto started = std::chrono::steady_clock::now();
    ImportReport report;
    report.server = request.server;
    report.run.dry_run = request.dry_run;
    report.run.note_server(request.server);
    const auto& settings = config_.sync.settings;
    log_.info(msg::IMPORT_START, "import starting",
              {{"server", request.server}, {"dry_run", request.dry_run ? "true" : "false"}});

    auto netbox_options = netbox_client_options(config_, request.token);
    netbox_options.changelog_message = "netbox-dhcp-sync " + request.job_name + " " + request.server + " " + utc_timestamp();
    netbox_options.on_problem = [&](const std::string& message) {
        log_.warning(msg::NETBOX_RECORD_SKIPPED, message);
        report.run.add_problem(engine::Severity::warning, "", "", "NetBox record skipped: " + message);
    };
    if (!config_.netbox.verify_tls)
        log_.warning(msg::TLS_VERIFY_OFF, "TLS verification of NetBox is off (netbox.verify_tls: false)");
    netbox::NetBoxClient netbox(executor_, netbox_options);

    auto finish = [&]() {
        report.run.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        for (const auto& error : report.errors)
            log_.error(msg::IMPORT_ERROR, error.note.reason,
                       {{"server", error.note.server}, {"category", engine::to_string(error.category)}});
        log_.info(msg::IMPORT_DONE, "import finished", {{"server", request.server},
                                                        {"exit_code", std::to_string(report.exit_code())},
                                                        {"actions", std::to_string(report.run.actions.size())},
                                                        {"seconds", std::to_string(report.run.duration_seconds)}});
    };
    auto fatal = [&](const std::string& message) {
        report.run.fatal_error = message;
        log_.error(msg::NETBOX_UNAVAILABLE, message);
        finish();
    };

    // ---- NetBox ----
    auto read = co_await read_netbox(netbox);
    if (!read) {
        fatal("NetBox: " + read.error().message);
        co_return report;
    }
    engine::ImportNetBox nb = std::move(*read);

    // ---- the server ----
    engine::ImportServerData data;
    std::unique_ptr<psu::PsuClient> client;
    for (const auto& server : nb.snapshot.servers) {
        if (server.name != request.server) continue;
        auto options = psu_client_options(server, config_);
        if (!options.http.verify_tls && server.use_https)
            log_.warning(msg::TLS_VERIFY_OFF, "TLS verification of DHCP server is off", {{"server", server.name}});
        client = std::make_unique<psu::PsuClient>(executor_, std::move(options));
    }
    if (client) {
        auto failovers = co_await client->list_failovers();
        if (failovers) {
            take_problems(*failovers, data.failover_problems);
            data.failovers = std::move(failovers->items);
        } else {
            data.failovers_error = failovers.error().message;
        }
        // Every scope, active or not: an import takes the whole server (plugin §5.1).
        auto scopes = co_await client->list_scopes(false);
        if (scopes) {
            take_problems(*scopes, data.scope_problems);
            data.scopes = std::move(scopes->items);
        } else {
            data.scopes_error = scopes.error().message;
        }
        if (data.scopes) {
            const auto& scope_list = *data.scopes;
            auto per_server = static_cast<std::size_t>(config_.server(request.server).max_concurrent);
            co_await bounded_parallel(scope_list.size(), per_server, [&](std::size_t i) -> asio::awaitable<void> {
                auto scope_id = scope_list[i].scope_id;
                engine::ImportScopeData scope_data;
                auto options = co_await client->list_scope_options(scope_id);
                if (options) {
                    take_problems(*options, data.option_problems);
                    scope_data.options = std::move(options->items);
                } else {
                    scope_data.options_error = options.error().message;
                }
                auto exclusions = co_await client->list_exclusions(scope_id);
                if (exclusions) {
                    take_problems(*exclusions, data.exclusion_problems);
                    scope_data.exclusions = std::move(exclusions->items);
                } else {
                    scope_data.exclusions_error = exclusions.error().message;
                }
                data.scope_data[scope_id.value] = std::move(scope_data);
            });

            // Whether a scope's prefix exists is looked up in every VRF, for the networks NetBox's scopes
            // did not bring along.
            std::set<engine::Ipv4Network> known;
            for (const auto& [id, prefix] : nb.snapshot.prefixes) known.insert(prefix.prefix);
            std::set<engine::Ipv4Network> unknown;
            for (const auto& scope : scope_list)
                if (auto network = engine::Ipv4Network::from_mask(scope.scope_id, scope.subnet_mask);
                    network && !known.count(*network))
                    unknown.insert(*network);
            if (!unknown.empty()) {
                auto found = co_await netbox.find_prefixes({unknown.begin(), unknown.end()});
                if (!found) {
                    fatal("NetBox: cannot look up prefixes: " + found.error().message);
                    co_return report;
                }
                for (auto& prefix : *found) nb.snapshot.prefixes[prefix.id] = std::move(prefix);
            }
        }
    }

    // ---- plan and apply ----
    auto planned = engine::plan_import(nb, request.server, data, settings);
    report.errors = std::move(planned.errors);
    if (request.dry_run) {
        report.run.add_plan(planned.plan, ActionStatus::planned);
    } else {
        PlanExecutor executor(
            netbox, [](const std::string&) -> psu::PsuClient* { return nullptr; }, log_,
            config_.sync.max_concurrent_servers);
        co_await executor.apply(planned.plan, report.run);
    }
    finish();
    co_return report;
}

}  // namespace nds::daemon
