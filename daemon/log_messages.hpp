// Stable log message ids (Kea's .mes catalogue, kept as a C++ table). Each id means one thing; operators
// grep and alert on ids, so an id is never reused for another meaning.
#pragma once

namespace nds::daemon::msg {

/// A sync run starts: servers requested, dry-run flag.
inline constexpr const char* SYNC_START = "SYNC_START";
/// A sync run ended: exit code, counts, duration.
inline constexpr const char* SYNC_DONE = "SYNC_DONE";
/// Progress of a long run: servers done / total, scopes read.
inline constexpr const char* SYNC_PROGRESS = "SYNC_PROGRESS";
/// NetBox could not be read or rejected the token; the run stops before changing anything.
inline constexpr const char* NETBOX_UNAVAILABLE = "NETBOX_UNAVAILABLE";
/// The managed tag did not exist and was created.
inline constexpr const char* MANAGED_TAG_CREATED = "MANAGED_TAG_CREATED";
/// A DHCP server did not answer its health check; it is not synced this run.
inline constexpr const char* DHCP_UNREACHABLE = "DHCP_UNREACHABLE";
/// A DHCP server answered its health check.
inline constexpr const char* DHCP_HEALTHY = "DHCP_HEALTHY";
/// A DHCP server's scope list could not be read: nothing is changed for that server.
inline constexpr const char* DHCP_SCOPES_FAILED = "DHCP_SCOPES_FAILED";
/// A per-scope read (leases, reservations, exclusions) failed: no cleanup for that scope.
inline constexpr const char* DHCP_SCOPE_READ_FAILED = "DHCP_SCOPE_READ_FAILED";
/// A record from a DHCP server could not be used and was skipped.
inline constexpr const char* DHCP_RECORD_SKIPPED = "DHCP_RECORD_SKIPPED";
/// A record read from NetBox could not be used (malformed or not IPv4) and was skipped.
inline constexpr const char* NETBOX_RECORD_SKIPPED = "NETBOX_RECORD_SKIPPED";
/// NetBox rejected one object of a bulk write; the others were applied.
inline constexpr const char* WRITE_REJECTED = "WRITE_REJECTED";
/// A write to a DHCP server failed.
inline constexpr const char* DHCP_WRITE_FAILED = "DHCP_WRITE_FAILED";
/// One planned action (debug level).
inline constexpr const char* ACTION = "ACTION";
/// The engine reported a problem (guard tripped, invalid dns name, ambiguous prefix, ...).
inline constexpr const char* SYNC_PROBLEM = "SYNC_PROBLEM";
/// TLS verification is off for a peer.
inline constexpr const char* TLS_VERIFY_OFF = "TLS_VERIFY_OFF";
/// Configuration problem.
inline constexpr const char* CONFIG_ERROR = "CONFIG_ERROR";
/// check command: one line per checked peer.
inline constexpr const char* CHECK_RESULT = "CHECK_RESULT";

}  // namespace nds::daemon::msg
