#include "psu_client/psu_backend.hpp"

#include "util/cancellation.hpp"

#include <set>
#include <utility>
#include <variant>

namespace nds::psu {
namespace asio = boost::asio;
using asio::awaitable;
using engine::Verb;

namespace {

class PsuBackend final : public backend::DhcpBackend {
public:
    PsuBackend(asio::any_io_executor executor, PsuOptions options)
        : base_url_(options.base_url), script_fixed_(options.script_fixed), client_(std::move(executor), std::move(options)) {}

    const std::string& server_name() const override { return client_.server_name(); }
    std::string endpoint() const override { return base_url_; }

    awaitable<Expected<backend::BackendHealth>> health() override {
        auto health = co_await client_.health();
        if (!health) co_return health.error();
        version_ = health->version;
        backend::BackendHealth out{"PSU endpoint script", health->version, {}};
        if (health->version != kShippedScriptVersion)
            out.warnings.push_back("PSU endpoint script version '" + health->version + "' is not " +
                                   std::string(kShippedScriptVersion) +
                                   ", the version plugin v1.3.5 ships; update the scripts from the plugin (docs/backends.md)");
        co_return out;
    }

    awaitable<Expected<std::string>> check_write_access() override {
        auto done = co_await client_.check_write_access();
        if (!done) co_return done.error();
        co_return std::string("the App Token may write (POST /health)");
    }

    engine::BackendCapabilities capabilities() const override {
        engine::BackendCapabilities capabilities;
        // The script runs the per-scope cmdlets with "silently continue": a failing read answers [] (B4).
        capabilities.empty_list_may_be_error = true;
        capabilities.exclusions = engine::ExclusionModel::native;
        capabilities.reservation_update_in_place = true;
        // PUT/DELETE /reservations/<client_id> act on the first reservation with that client id in any scope.
        capabilities.reservation_writes_by_client_id = true;
        if (!script_fixed_) {
            // Script 1.0.2 (and any script not declared fixed) calls these cmdlets with parameters they do not
            // have: the script answers 500 every time (docs/backends.md has the corrected lines).
            capabilities.unsupported = {engine::DhcpOperation::scope_create, engine::DhcpOperation::exclusion_delete,
                                        engine::DhcpOperation::reservation_delete};
            capabilities.unsupported_why =
                "PSU endpoint script " + (version_.empty() ? std::string("(version unknown)") : version_) +
                " answers 500 to these (its cmdlets are called with parameters they do not have); deploy the "
                "corrected script (docs/backends.md) and set dhcp_servers." + client_.server_name() +
                ".psu_script_fixed: true";
        }
        return capabilities;
    }

    awaitable<Expected<ParsedList<engine::DhcpScope>>> list_scopes(bool active_only) override {
        co_return co_await client_.list_scopes(active_only);
    }

    awaitable<backend::ScopeRead> read_scope(engine::ScopeReadRequest request) override {
        backend::ScopeRead read;
        auto failed = [&](const char* what, const Error& error) {
            read.data.error += std::string(read.data.error.empty() ? "" : "; ") + what + ": " + error.message;
        };
        if (request.leases) {
            auto leases = co_await client_.list_leases(request.scope_id);
            if (leases) {
                read.data.complete = read.data.complete && leases->skipped == 0;
                read.data.leases = std::move(leases->items);
                move_problems(leases->problems, read.problems);
            } else {
                failed("leases", leases.error());
            }
        }
        if (request.reservations) {
            auto reservations = co_await client_.list_reservations(request.scope_id);
            if (reservations) {
                read.data.complete = read.data.complete && reservations->skipped == 0;
                read.data.reservations = std::move(reservations->items);
                move_problems(reservations->problems, read.problems);
            } else {
                failed("reservations", reservations.error());
            }
        }
        if (request.exclusions) {
            auto exclusions = co_await client_.list_exclusions(request.scope_id);
            if (exclusions) {
                read.data.exclusions = std::move(exclusions->items);
                move_problems(exclusions->problems, read.problems);
            } else {
                failed("exclusions", exclusions.error());
            }
        }
        co_return read;
    }

    awaitable<Expected<ParsedList<engine::DhcpReservation>>> list_all_reservations() override {
        co_return co_await client_.list_all_reservations();
    }

    awaitable<Expected<ParsedList<engine::DhcpFailover>>> list_failovers() override {
        co_return co_await client_.list_failovers();
    }

    awaitable<Expected<ParsedList<engine::DhcpOptionValue>>> list_scope_options(engine::Ipv4Address scope_id) override {
        co_return co_await client_.list_scope_options(scope_id);
    }

    /// One request per write, in order: Windows DHCP serialises writes anyway, and the order (a scope before
    /// its exclusions, a delete before its re-create) matters. A stop between writes skips the rest.
    awaitable<backend::ApplyResult> apply(std::vector<engine::DhcpWrite> writes) override {
        backend::ApplyResult result;
        result.outcomes.reserve(writes.size());
        // A reservation whose removal failed is still there: its re-create (a MAC change is a remove, then a
        // create of the same address) would clash with it, so it is not sent.
        std::set<std::pair<std::uint32_t, std::uint32_t>> still_reserved;  // scope, ip
        for (const auto& write : writes) {
            if (co_await stop_requested()) {
                result.outcomes.push_back({backend::WriteStatus::skipped, kStoppedReason});
                continue;
            }
            const auto* reservation = std::get_if<engine::ReservationChange>(&write.change);
            std::pair<std::uint32_t, std::uint32_t> key{write.scope_id.value, reservation ? reservation->reservation.ip.value : 0};
            if (reservation && write.verb == Verb::create && still_reserved.count(key)) {
                result.outcomes.push_back({backend::WriteStatus::skipped,
                                           "not sent: the reservation it replaces could not be removed"});
                continue;
            }
            auto done = co_await send(write);
            if (done) {
                result.outcomes.push_back({backend::WriteStatus::applied, {}});
            } else {
                if (reservation && write.verb == Verb::remove) still_reserved.insert(key);
                result.outcomes.push_back({backend::WriteStatus::failed, done.error().message});
            }
        }
        co_return result;
    }

    awaitable<Expected<std::string>> preview(std::vector<engine::DhcpWrite>) override {
        co_return std::string();  // one request per action: the plan's action list says it all
    }

private:
    static void move_problems(std::vector<engine::ReadProblem>& from, std::vector<engine::ReadProblem>& to) {
        for (auto& problem : from) to.push_back(std::move(problem));
    }

    awaitable<Expected<Done>> send(const engine::DhcpWrite& write) {
        if (const auto* scope = std::get_if<engine::ScopeChange>(&write.change)) {
            if (write.verb == Verb::create) co_return co_await client_.create_scope(scope->scope);
            co_return co_await client_.update_scope(scope->scope);
        }
        if (const auto* exclusion = std::get_if<engine::ExclusionChange>(&write.change)) {
            if (write.verb == Verb::remove) co_return co_await client_.delete_exclusion(write.scope_id, exclusion->range);
            co_return co_await client_.create_exclusion(write.scope_id, exclusion->range);
        }
        const auto& reservation = std::get<engine::ReservationChange>(write.change).reservation;
        if (write.verb == Verb::remove) co_return co_await client_.delete_reservation(reservation.client_id);
        if (write.verb == Verb::update) co_return co_await client_.update_reservation(reservation);
        co_return co_await client_.create_reservation(write.scope_id, reservation);
    }

    /// The script version plugin v1.3.5 deploys; the plugin warns about any other.
    static constexpr const char* kShippedScriptVersion = "1.0.2";

    std::string base_url_;
    bool script_fixed_ = false;
    std::string version_;
    PsuClient client_;
};

}  // namespace

std::unique_ptr<backend::DhcpBackend> make_psu_backend(asio::any_io_executor executor, PsuOptions options) {
    return std::make_unique<PsuBackend>(std::move(executor), std::move(options));
}

}  // namespace nds::psu
