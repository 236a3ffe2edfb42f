#include "daemon/import_command.hpp"

#include "daemon/client_options.hpp"
#include "daemon/log_messages.hpp"
#include "daemon/plan_executor.hpp"
#include "daemon/server_reader.hpp"
#include "daemon/sync_runner.hpp"
#include "netbox_client/netbox_client.hpp"
#include "sync_engine/import_planner.hpp"
#include "util/async.hpp"

#include <chrono>
#include <memory>
#include <set>

namespace nds::daemon {

namespace asio = boost::asio;
using engine::ObjectId;

namespace {

/// NetBox's side: plugin objects, the prefixes of existing scopes, and the option library.
asio::awaitable<Expected<engine::ImportNetBox>> read_netbox(netbox::NetBoxClient& netbox) {
    auto objects = co_await read_netbox_objects(netbox);
    if (!objects) co_return objects.error();
    auto [codes, values] = co_await when_all(netbox.list_option_codes(), netbox.list_option_values());
    if (!codes) co_return codes.error();
    if (!values) co_return values.error();

    engine::ImportNetBox out;
    out.snapshot = std::move(*objects);
    out.option_codes = std::move(*codes);
    out.option_values = std::move(*values);
    std::set<ObjectId> prefix_ids;
    for (const auto& scope : out.snapshot.scopes) prefix_ids.insert(scope.prefix_id);
    auto prefixes = co_await netbox.list_prefixes_by_id({prefix_ids.begin(), prefix_ids.end()});
    if (!prefixes) co_return prefixes.error();
    for (auto& prefix : *prefixes) out.snapshot.prefixes[prefix.id] = prefix;
    co_return out;
}

/// Whether a scope's prefix exists is looked up in every VRF, for the networks NetBox's scopes did not bring.
asio::awaitable<std::optional<Error>> look_up_prefixes(netbox::NetBoxClient& netbox, const engine::ImportServerData& data,
                                                       engine::NetBoxSnapshot& snapshot) {
    if (!data.scopes) co_return std::nullopt;
    std::set<engine::Ipv4Network> known;
    for (const auto& [id, prefix] : snapshot.prefixes) known.insert(prefix.prefix);
    std::set<engine::Ipv4Network> unknown;
    for (const auto& scope : *data.scopes)
        if (auto network = engine::Ipv4Network::from_mask(scope.scope_id, scope.subnet_mask); network && !known.count(*network))
            unknown.insert(*network);
    if (unknown.empty()) co_return std::nullopt;
    auto found = co_await netbox.find_prefixes({unknown.begin(), unknown.end()});
    if (!found) co_return found.error();
    for (auto& prefix : *found) snapshot.prefixes[prefix.id] = std::move(prefix);
    co_return std::nullopt;
}

}  // namespace

ImportCommand::ImportCommand(asio::any_io_executor executor, const Config& config, Logger& log, BackendFactory backends)
    : executor_(std::move(executor)), config_(config), log_(log),
      backends_(backends ? std::move(backends) : make_backend_factory(executor_, config_)) {}

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
        report.run.add_skipped_record("", "", "NetBox record skipped: " + message);
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
        return std::move(report);
    };

    auto read = co_await read_netbox(netbox);
    if (!read) co_return fatal("NetBox: " + read.error().message);
    engine::ImportNetBox nb = std::move(*read);

    // The server, when NetBox knows it (plan_import reports an unknown name).
    engine::ImportServerData data;
    for (const auto& server : nb.snapshot.servers) {
        if (server.name != request.server) continue;
        for (const auto& warning : backend_config_warnings(server, config_))
            log_.warning(msg::TLS_VERIFY_OFF, warning, {{"server", server.name}});
        auto backend = backends_(server_context(nb.snapshot, server));
        ServerReader reader(log_, static_cast<std::size_t>(config_.server(server.name).max_concurrent));
        data = co_await reader.read_for_import(*backend);
        if (auto error = co_await look_up_prefixes(netbox, data, nb.snapshot))
            co_return fatal("NetBox: cannot look up prefixes: " + error->message);
    }

    auto planned = engine::plan_import(nb, request.server, data, settings);
    report.errors = std::move(planned.errors);
    if (request.dry_run) {
        report.run.add_plan(planned.plan, ActionStatus::planned);
    } else {
        // An import writes to NetBox only: the plan has no DHCP writes, so no backend is looked up.
        ExecutorLimits limits;
        limits.max_concurrent_servers = static_cast<std::size_t>(config_.sync.max_concurrent_servers);
        PlanExecutor executor(netbox, [](const std::string&) -> backend::DhcpBackend* { return nullptr; }, log_, limits);
        co_await executor.apply(planned.plan, report.run);
    }
    finish();
    co_return report;
}

}  // namespace nds::daemon
