// What a DHCP server's backend can and cannot do, as the engine's rules need to know it. The rules read these
// flags; they never ask which backend (PSU, Kea, dhcpd) a server has. A backend reports its capabilities after
// its health check (a PSU script version decides some of them). docs/backends.md explains each flag with the
// backends that set it.
#pragma once

#include <string>
#include <vector>

namespace nds::engine {

/// How a server holds exclusion ranges.
enum class ExclusionModel {
    native,             ///< exclusion ranges are objects of their own (Windows)
    derived_from_pools  ///< the scope's pools are its range minus the exclusions (Kea, dhcpd): the gaps are the exclusions
};

/// A write the backend cannot perform. The engine turns every action that needs it into a skip, and says
/// so once per server and run with `why` (naming the version and the fix).
enum class DhcpOperation {
    scope_create, scope_update, scope_delete, exclusion_create, exclusion_delete,
    reservation_create, reservation_update, reservation_delete
};
const char* to_string(DhcpOperation operation);  ///< "scope create", ...

struct BackendCapabilities {
    /// The server may answer a read that failed with an empty list (PSU swallows cmdlet errors, B4): an empty
    /// scope list then deletes nothing, and an empty lease list of a scope that had leases is suspect.
    bool empty_list_may_be_error = false;
    ExclusionModel exclusions = ExclusionModel::native;
    /// A reservation's name and description can be changed without deleting and re-creating it.
    bool reservation_update_in_place = true;
    /// Reservation updates and deletes address the FIRST reservation with the client id in ANY scope of the
    /// server (PSU's Find-ReservationByClientId): before such a write the engine checks the server's whole
    /// reservation list and refuses when another scope holds the same client id.
    bool reservation_writes_by_client_id = false;
    /// NetBox is the whole source of the server's configuration (dhcpd renders its file from NetBox): scopes,
    /// exclusions and reservations are always pushed and never pulled, and server-only reservations are
    /// removed, whatever the push settings say.
    bool config_from_netbox = false;
    /// Failover partners do not share configuration (Kea HA): a pushed change goes to both partners.
    bool push_to_failover_partner = false;
    /// Operations this server cannot perform, and why (one line, e.g. "PSU endpoint script 1.0.2 answers 500
    /// to these (see docs/backends.md); deploy the corrected script and set psu_script_fixed: true").
    std::vector<DhcpOperation> unsupported;
    std::string unsupported_why;

    bool supports(DhcpOperation operation) const;
};

}  // namespace nds::engine
