// Stable log message ids (Kea's .mes catalogue, kept as a C++ table). Each id means one thing; operators
// grep and alert on ids, so an id is never reused for another meaning.
#pragma once

namespace nds::daemon::msg {

/// A server's lock is held by another process (a replica, a CronJob): the server is left out of this run.
inline constexpr const char* LOCK_BUSY = "LOCK_BUSY";
/// A server's lock could not be taken or given back (Redis unreachable, refused): fail closed.
inline constexpr const char* LOCK_FAILED = "LOCK_FAILED";
/// A held lock was lost mid-run: the run stops before its next write batch.
inline constexpr const char* LOCK_LOST = "LOCK_LOST";
/// A scheduled run leaves out a server another process synced within the interval.
inline constexpr const char* LOCK_RECENTLY_SYNCED = "LOCK_RECENTLY_SYNCED";
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
/// An import starts: server, dry-run flag.
inline constexpr const char* IMPORT_START = "IMPORT_START";
/// An import ended: exit code, created / skipped / errors, duration.
inline constexpr const char* IMPORT_DONE = "IMPORT_DONE";
/// An object could not be imported (missing failover partner, failed read, ...).
inline constexpr const char* IMPORT_ERROR = "IMPORT_ERROR";
/// The plugin's own sync job (NetBox job "Windows DHCP Sync") is scheduled or ran recently and writes for
/// servers this daemon syncs (they are not in the plugin's maintenance mode).
inline constexpr const char* PLUGIN_JOB_WRITES = "PLUGIN_JOB_WRITES";
/// The plugin's lease_status (which its IP validation uses) differs from sync.lease_status.
inline constexpr const char* PLUGIN_LEASE_STATUS_DIFFERS = "PLUGIN_LEASE_STATUS_DIFFERS";
/// The plugin's sync job could not be read (e.g. the token lacks core.view_job): whether it writes is unknown.
inline constexpr const char* PLUGIN_JOB_UNKNOWN = "PLUGIN_JOB_UNKNOWN";
/// check command: one line per checked peer.
inline constexpr const char* CHECK_RESULT = "CHECK_RESULT";

// ---- the service (`run`) ----

/// The service listens: address and port (the bound one when service.listen asks for port 0).
inline constexpr const char* SERVICE_LISTENING = "SERVICE_LISTENING";
inline constexpr const char* SERVICE_TEST_INTERVAL = "SERVICE_TEST_INTERVAL";  // $NETBOX_DHCP_SYNC_TEST_INTERVAL_MS in use
/// The service could not start (listen address in use, bad address).
inline constexpr const char* SERVICE_START_FAILED = "SERVICE_START_FAILED";
/// SIGTERM/SIGINT: no new requests or jobs; the write batch in flight finishes.
inline constexpr const char* SERVICE_STOPPING = "SERVICE_STOPPING";
/// The service has stopped; the exit code follows.
inline constexpr const char* SERVICE_STOPPED = "SERVICE_STOPPED";
/// SIGHUP: the new configuration is in use (a rejected one is CONFIG_ERROR and the old one stays).
inline constexpr const char* CONFIG_RELOADED = "CONFIG_RELOADED";
/// The NetBox user behind the service token (its changes are the sync's own; their webhooks are ignored).
inline constexpr const char* SERVICE_USER = "SERVICE_USER";
/// /readyz found NetBox unreachable or without the plugin.
inline constexpr const char* NOT_READY = "NOT_READY";
/// A job was queued (or joined a queued job): origin, servers, user.
inline constexpr const char* JOB_QUEUED = "JOB_QUEUED";
/// POST /v1/jobs refused: no token, token refused by NetBox, server not visible, bad body, queue full.
inline constexpr const char* JOB_REFUSED = "JOB_REFUSED";
/// A job starts running.
inline constexpr const char* JOB_START = "JOB_START";
/// A job finished: state, exit code, duration.
inline constexpr const char* JOB_DONE = "JOB_DONE";
/// A queued job was dropped because the service is stopping.
inline constexpr const char* JOB_CANCELLED = "JOB_CANCELLED";
/// A journal entry was written on a DHCP server object (netbox.journal).
inline constexpr const char* JOURNAL_WRITTEN = "JOURNAL_WRITTEN";
/// A journal entry could not be written; the job's outcome is unchanged.
inline constexpr const char* JOURNAL_FAILED = "JOURNAL_FAILED";
/// A webhook was verified and queued for the debounced sync.
inline constexpr const char* WEBHOOK_ACCEPTED = "WEBHOOK_ACCEPTED";
/// A verified webhook the sync has no use for (other object type, job event, the sync's own change).
inline constexpr const char* WEBHOOK_IGNORED = "WEBHOOK_IGNORED";
/// A webhook was refused: bad or missing signature (403), no secret configured, body not a NetBox event.
inline constexpr const char* WEBHOOK_REFUSED = "WEBHOOK_REFUSED";
/// Debounced webhooks mapped to servers: which servers will be synced (or none).
inline constexpr const char* WEBHOOK_SYNC = "WEBHOOK_SYNC";
/// One HTTP request to the service's API (debug level): method, path, status. Never headers or bodies.
inline constexpr const char* API_REQUEST = "API_REQUEST";

}  // namespace nds::daemon::msg
