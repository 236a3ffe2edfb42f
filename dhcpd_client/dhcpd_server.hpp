// One dhcpd server seen through SSH, blocking: every read and the push of DhcpBackend, without Asio. The
// backend (dhcpd_backend.cpp) runs these calls on its own SSH thread and hands the results to the event
// loop; tests call them directly. The current file is read once per run (start_run() forgets it), the lease
// file once per run when a scope asks for leases. apply() holds a process-wide lock per server file, so two
// pushes to one server never overlap.
#pragma once

#include "dhcp_backend/dhcp_backend.hpp"
#include "dhcpd_client/dhcpd_options.hpp"
#include "dhcpd_client/push_transaction.hpp"

#include <memory>

namespace nds::dhcpd {

class DhcpdServer {
public:
    DhcpdServer(DhcpdOptions options, backend::ServerContext context);
    ~DhcpdServer();

    const std::string& name() const;
    static engine::BackendCapabilities capabilities();

    /// Forgets what the previous run read and the SSH connection (the next call connects and checks the
    /// host key again).
    void start_run();

    /// Connects (host key, authentication), asks the version, reads and parses dhcpd.conf (warnings: edited
    /// by hand, includes, a file that does not parse).
    Expected<backend::BackendHealth> health();
    Expected<engine::ParsedList<engine::DhcpScope>> list_scopes(bool active_only);
    backend::ScopeRead read_scope(const engine::ScopeReadRequest& request);
    Expected<engine::ParsedList<engine::DhcpReservation>> list_all_reservations();
    Expected<engine::ParsedList<engine::DhcpFailover>> list_failovers();
    Expected<engine::ParsedList<engine::DhcpOptionValue>> list_scope_options(engine::Ipv4Address scope_id);

    /// (current file) + (writes) rendered and pushed as one transaction; an unchanged file is not touched.
    /// An empty list re-renders too: a change of globals, free_lines, option values or failovers reaches the
    /// server this way.
    backend::ApplyResult apply(const std::vector<engine::DhcpWrite>& writes, const CancelState& cancel);
    /// The unified diff apply() would push ("" when the file would not change), after lines naming what the
    /// file cannot hold.
    Expected<std::string> preview(const std::vector<engine::DhcpWrite>& writes);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nds::dhcpd
