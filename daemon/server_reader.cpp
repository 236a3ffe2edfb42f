#include "daemon/server_reader.hpp"

#include "daemon/log_messages.hpp"
#include "util/bounded_parallel.hpp"

namespace nds::daemon {

namespace asio = boost::asio;

namespace {

template <class T>
void move_into(std::vector<T>& from, std::vector<T>& to) {
    for (auto& item : from) to.push_back(std::move(item));
}

}  // namespace

asio::awaitable<void> ServerReader::for_each_scope(std::size_t count, std::function<asio::awaitable<void>(std::size_t)> fn) {
    co_await bounded_parallel(count, max_concurrent_, std::move(fn));
}

asio::awaitable<engine::DhcpServerSnapshot> ServerReader::read_for_sync(backend::DhcpBackend& server, bool active_only,
                                                                        const ReadsFor& reads_for, bool reservation_writes) {
    engine::DhcpServerSnapshot snapshot;
    snapshot.server_name = server.server_name();
    snapshot.reachable = true;
    snapshot.capabilities = server.capabilities();
    auto scopes = co_await server.list_scopes(active_only);
    if (!scopes) {
        snapshot.error = scopes.error().message;
        log_.error(msg::DHCP_SCOPES_FAILED, "cannot read scopes: " + snapshot.error, {{"server", snapshot.server_name}});
        co_return snapshot;
    }
    snapshot.problems = std::move(scopes->problems);
    snapshot.scope_list_complete = scopes->skipped == 0;
    snapshot.scopes = std::move(scopes->items);

    auto requests = reads_for(*snapshot.scopes);
    co_await for_each_scope(requests.size(), [&](std::size_t i) -> asio::awaitable<void> {
        auto read = co_await server.read_scope(requests[i]);
        if (!read.data.error.empty())
            log_.error(msg::DHCP_SCOPE_READ_FAILED, "cannot read " + read.data.error,
                       {{"server", snapshot.server_name}, {"scope", requests[i].scope_id.to_string()}});
        move_into(read.problems, snapshot.problems);
        snapshot.scope_data[requests[i].scope_id.value] = std::move(read.data);
    });
    if (reservation_writes && snapshot.capabilities.reservation_writes_by_client_id) {
        auto all = co_await server.list_all_reservations();
        if (all) snapshot.all_reservations = std::move(all->items);
        else
            log_.warning(msg::DHCP_SCOPE_READ_FAILED,
                         "cannot read the server's whole reservation list: " + all.error().message +
                             " (reservation updates and removals of this run are not sent)",
                         {{"server", snapshot.server_name}});
    }
    for (const auto& problem : snapshot.problems)
        log_.warning(msg::DHCP_RECORD_SKIPPED, problem.what, {{"server", problem.server}, {"scope", problem.scope}});
    log_.debug(msg::SYNC_PROGRESS, "read DHCP server",
               {{"server", snapshot.server_name}, {"scopes", std::to_string(snapshot.scopes->size())},
                {"scopes_read", std::to_string(requests.size())}});
    co_return snapshot;
}

asio::awaitable<engine::ImportServerData> ServerReader::read_for_import(backend::DhcpBackend& server) {
    engine::ImportServerData data;
    auto failovers = co_await server.list_failovers();
    if (failovers) {
        move_into(failovers->problems, data.failover_problems);
        data.failovers = std::move(failovers->items);
    } else {
        data.failovers_error = failovers.error().message;
    }
    // Every scope, active or not: an import takes the whole server.
    auto scopes = co_await server.list_scopes(false);
    if (!scopes) {
        data.scopes_error = scopes.error().message;
        co_return data;
    }
    move_into(scopes->problems, data.scope_problems);
    data.scopes = std::move(scopes->items);
    const auto& scope_list = *data.scopes;
    co_await for_each_scope(scope_list.size(), [&](std::size_t i) -> asio::awaitable<void> {
        auto scope_id = scope_list[i].scope_id;
        engine::ImportScopeData scope_data;
        auto options = co_await server.list_scope_options(scope_id);
        if (options) {
            move_into(options->problems, data.option_problems);
            scope_data.options = std::move(options->items);
        } else {
            scope_data.options_error = options.error().message;
        }
        engine::ScopeReadRequest request;
        request.scope_id = scope_id;
        request.exclusions = true;
        auto read = co_await server.read_scope(request);
        move_into(read.problems, data.exclusion_problems);
        if (read.data.exclusions) scope_data.exclusions = std::move(read.data.exclusions);
        else scope_data.exclusions_error = read.data.error;
        data.scope_data[scope_id.value] = std::move(scope_data);
    });
    co_return data;
}

}  // namespace nds::daemon
