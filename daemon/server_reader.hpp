// Reading one DHCP server through its backend, the one path `sync` and `import` share: the scope list, then
// per-scope reads, at most `max_concurrent` requests in flight. A read that fails is recorded (nullopt plus
// its error), never turned into an empty list; records the backend could not use come back as problems.
#pragma once

#include "daemon/logger.hpp"
#include "dhcp_backend/dhcp_backend.hpp"
#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/import_inputs.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <vector>

namespace nds::daemon {

class ServerReader {
public:
    ServerReader(Logger& log, std::size_t max_concurrent) : log_(log), max_concurrent_(max_concurrent) {}

    /// Which per-scope reads a sync needs, once the scope list is known (engine::scopes_to_read).
    using ReadsFor = std::function<std::vector<engine::ScopeReadRequest>(const std::vector<engine::DhcpScope>&)>;

    /// A sync's view of a reachable server: its scopes (active only when asked) and the lists `reads_for`
    /// asks for. The snapshot carries the backend's capabilities. With `reservation_writes` (the run may
    /// change or remove reservations) a server whose reservation writes address a client id in any scope
    /// also gets its whole reservation list read, once, for the engine's ambiguity check.
    boost::asio::awaitable<engine::DhcpServerSnapshot> read_for_sync(backend::DhcpBackend& server, bool active_only,
                                                                     const ReadsFor& reads_for, bool reservation_writes = false);

    /// An import's view: failovers, every scope (active or not), each scope's options and exclusions.
    boost::asio::awaitable<engine::ImportServerData> read_for_import(backend::DhcpBackend& server);

private:
    /// fn(i) for each of `count` scopes, at most max_concurrent_ at a time.
    boost::asio::awaitable<void> for_each_scope(std::size_t count,
                                                std::function<boost::asio::awaitable<void>(std::size_t)> fn);

    Logger& log_;
    std::size_t max_concurrent_;
};

}  // namespace nds::daemon
