#include "tests/support/fake_backend.hpp"

#include "util/cancellation.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace nds::testing {

namespace asio = boost::asio;
using asio::awaitable;
using engine::Verb;

namespace {

engine::Ipv4Address ip(const char* text) { return *engine::Ipv4Address::parse(text); }

class FakeBackend final : public backend::DhcpBackend {
public:
    explicit FakeBackend(std::shared_ptr<FakeServer> server) : server_(std::move(server)) {}

    const std::string& server_name() const override { return server_->name; }
    std::string endpoint() const override { return "fake://" + server_->name; }

    awaitable<Expected<backend::BackendHealth>> health() override {
        ++server_->health_calls;
        if (server_->health_error) co_return *server_->health_error;
        co_return backend::BackendHealth{"fake DHCP server", server_->version, {}};
    }

    engine::BackendCapabilities capabilities() const override { return server_->capabilities; }

    awaitable<Expected<engine::ParsedList<engine::DhcpScope>>> list_scopes(bool active_only) override {
        if (server_->scopes_error) co_return *server_->scopes_error;
        engine::ParsedList<engine::DhcpScope> list;
        for (const auto& scope : server_->scopes)
            if (!active_only || scope.active) list.items.push_back(scope);
        co_return list;
    }

    awaitable<backend::ScopeRead> read_scope(engine::ScopeReadRequest request) override {
        server_->reads.push_back(request);
        backend::ScopeRead read;
        auto id = request.scope_id.value;
        if (server_->failing_reads.count(id)) {
            read.data.error = "scope " + request.scope_id.to_string() + ": read failed (scripted)";
            co_return read;
        }
        if (request.leases) read.data.leases = server_->leases[id];
        if (request.reservations) read.data.reservations = server_->reservations[id];
        if (request.exclusions) read.data.exclusions = server_->exclusions[id];
        co_return read;
    }

    awaitable<Expected<engine::ParsedList<engine::DhcpReservation>>> list_all_reservations() override {
        engine::ParsedList<engine::DhcpReservation> list;
        for (const auto& [id, reservations] : server_->reservations)
            list.items.insert(list.items.end(), reservations.begin(), reservations.end());
        co_return list;
    }

    awaitable<Expected<engine::ParsedList<engine::DhcpFailover>>> list_failovers() override {
        co_return engine::ParsedList<engine::DhcpFailover>{server_->failovers, {}, 0};
    }

    awaitable<Expected<engine::ParsedList<engine::DhcpOptionValue>>> list_scope_options(engine::Ipv4Address scope_id) override {
        co_return engine::ParsedList<engine::DhcpOptionValue>{server_->options[scope_id.value], {}, 0};
    }

    /// Like the PSU backend: one write at a time, a stop between writes skips the rest.
    awaitable<backend::ApplyResult> apply(std::vector<engine::DhcpWrite> writes) override {
        server_->apply_calls.push_back(writes);
        backend::ApplyResult result;
        for (const auto& write : writes) {
            if (co_await stop_requested()) {
                result.outcomes.push_back({backend::WriteStatus::skipped, kStoppedReason});
                continue;
            }
            std::optional<std::string> refused;
            if (server_->refuse) refused = server_->refuse(write);
            if (server_->write_delay.count() > 0) {
                asio::steady_timer timer(co_await asio::this_coro::executor, server_->write_delay);
                co_await timer.async_wait(asio::use_awaitable);
            }
            if (refused) {
                result.outcomes.push_back({backend::WriteStatus::failed, *refused});
                continue;
            }
            change_state(write);
            result.outcomes.push_back({backend::WriteStatus::applied, {}});
        }
        co_return result;
    }

    awaitable<Expected<std::string>> preview(std::vector<engine::DhcpWrite> writes) override {
        co_return std::to_string(writes.size()) + " writes for " + server_->name;
    }

private:
    void change_state(const engine::DhcpWrite& write) {
        auto id = write.scope_id.value;
        if (const auto* scope = std::get_if<engine::ScopeChange>(&write.change)) {
            auto& scopes = server_->scopes;
            auto found = std::find_if(scopes.begin(), scopes.end(), [&](const auto& s) { return s.scope_id == scope->scope.scope_id; });
            if (write.verb == Verb::remove) {
                if (found != scopes.end()) scopes.erase(found);
            } else if (found != scopes.end()) {
                *found = scope->scope;
            } else {
                scopes.push_back(scope->scope);
            }
            return;
        }
        if (const auto* exclusion = std::get_if<engine::ExclusionChange>(&write.change)) {
            auto& list = server_->exclusions[id];
            list.erase(std::remove(list.begin(), list.end(), exclusion->range), list.end());
            if (write.verb != Verb::remove) list.push_back(exclusion->range);
            return;
        }
        const auto& reservation = std::get<engine::ReservationChange>(write.change).reservation;
        auto& list = server_->reservations[id];
        list.erase(std::remove_if(list.begin(), list.end(), [&](const auto& r) { return r.ip == reservation.ip; }), list.end());
        if (write.verb != Verb::remove) list.push_back(reservation);
    }

    std::shared_ptr<FakeServer> server_;
};

}  // namespace

engine::DhcpScope& FakeServer::add_scope(const char* scope_id, const char* mask, const char* start, const char* end,
                                         const std::string& scope_name) {
    engine::DhcpScope scope;
    scope.scope_id = ip(scope_id);
    scope.subnet_mask = ip(mask);
    scope.start_ip = ip(start);
    scope.end_ip = ip(end);
    scope.name = scope_name;
    scopes.push_back(scope);
    leases[scope.scope_id.value];
    reservations[scope.scope_id.value];
    exclusions[scope.scope_id.value];
    return scopes.back();
}

FakeServer& FakeBackends::server(const std::string& name) {
    auto& server = servers_[name];
    if (!server) {
        server = std::make_shared<FakeServer>();
        server->name = name;
    }
    return *server;
}

std::function<std::unique_ptr<backend::DhcpBackend>(const backend::ServerContext&)> FakeBackends::factory() {
    return [this](const backend::ServerContext& context) -> std::unique_ptr<backend::DhcpBackend> {
        contexts_[context.server.name] = context;
        server(context.server.name);
        return std::make_unique<FakeBackend>(servers_.at(context.server.name));
    };
}

}  // namespace nds::testing
