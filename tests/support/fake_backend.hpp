// An in-memory DHCP server behind the backend seam, for fast tests of the runner, the executor and import:
// no process, no socket. Reads come from the scripted state (or fail as scripted); apply() records each
// call's writes, changes the state the way a real server would, and refuses what the test says to refuse.
#pragma once

#include "dhcp_backend/dhcp_backend.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nds::testing {

struct FakeServer {
    std::string name;
    std::optional<Error> health_error;         ///< health() fails with it (the server is "unreachable")
    std::string version = "fake-1";
    engine::BackendCapabilities capabilities;  ///< default: everything supported, no quirks
    std::vector<engine::DhcpScope> scopes;
    std::optional<Error> scopes_error;         ///< list_scopes() fails with it
    std::map<std::uint32_t, std::vector<engine::DhcpLease>> leases;            ///< by scope_id.value
    std::map<std::uint32_t, std::vector<engine::DhcpReservation>> reservations;
    std::map<std::uint32_t, std::vector<engine::DhcpExclusion>> exclusions;
    std::map<std::uint32_t, std::vector<engine::DhcpOptionValue>> options;
    std::set<std::uint32_t> failing_reads;     ///< read_scope() of these scopes fails (every list)
    std::vector<engine::DhcpFailover> failovers;
    /// Called as each write starts: return an error text to refuse it, or nullopt to apply it.
    std::function<std::optional<std::string>(const engine::DhcpWrite&)> refuse;
    /// How long each write takes, after `refuse` was asked (tests of stopping between writes).
    std::chrono::milliseconds write_delay{0};

    // What happened:
    std::vector<std::vector<engine::DhcpWrite>> apply_calls;  ///< the writes of each apply() call
    std::vector<engine::ScopeReadRequest> reads;              ///< every read_scope() request
    int health_calls = 0;

    engine::DhcpScope& add_scope(const char* scope_id, const char* mask, const char* start, const char* end,
                                 const std::string& name);
};

/// The fake servers of a test, by name; factory() makes backends over them for SyncRunner/ImportCommand.
class FakeBackends {
public:
    explicit FakeBackends(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

    FakeServer& server(const std::string& name);
    std::function<std::unique_ptr<backend::DhcpBackend>(const backend::ServerContext&)> factory();
    /// Contexts the factory was called with, by server name (the last one).
    const std::map<std::string, backend::ServerContext>& contexts() const { return contexts_; }

private:
    boost::asio::any_io_executor executor_;
    std::map<std::string, std::shared_ptr<FakeServer>> servers_;
    std::map<std::string, backend::ServerContext> contexts_;
};

}  // namespace nds::testing
