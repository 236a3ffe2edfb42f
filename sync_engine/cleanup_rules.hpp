// The stale-IP cleanup table (the plugin's behaviour), one named rule per row, evaluated in the plugin's order.
// Row 5's "no LeaseInfo" is "no managed tag" here: the tag is this project's managed marker (README, "How it differs from the plugin").
#pragma once

namespace nds::engine {

enum class CleanupRule {
    protect_tag = 1,              ///< 1  carries the protect tag                         keep
    protected_prefix,             ///< 2  inside a protected prefix                       keep
    reserved_push_mode,           ///< 3  R and push_reservations                         keep (NetBox is the source)
    reserved_without_client_id,   ///< 4  R, no client id                                 keep (pre-staged / manual)
    reserved_not_managed,         ///< 5  R, client id, not managed                       keep (manual)
    reserved_still_reserved,      ///< 6  R, client id, managed, still reserved           keep
    reserved_lease_only,          ///< 7  R, client id, managed, only leased              downgrade R -> L
    reserved_gone,                ///< 8  R, client id, managed, neither                  delete
    leased_still_leased,          ///< 9  L, still leased                                 keep
    leased_gone,                  ///< 10 L, not leased                                   delete (managed or not)
};

enum class CleanupAction { keep, downgrade, remove };

/// Everything the table looks at for one candidate IP (status L or R, in the scope).
struct CleanupFacts {
    bool protect_tagged = false;
    bool in_protected_prefix = false;
    bool reserved = false;  ///< status R (checked before L, as the plugin does, in case L == R)
    bool has_client_id = false;
    bool managed = false;
    bool on_server_reserved = false;
    bool on_server_leased = false;
    bool push_reservations = false;
};

struct CleanupVerdict {
    CleanupRule rule;
    CleanupAction action;
    const char* reason;
};

CleanupVerdict evaluate_cleanup(const CleanupFacts& facts);

/// True when some server state could make cleanup delete this IP (what the mass-delete guard measures against).
bool cleanup_may_delete(CleanupFacts facts);

}  // namespace nds::engine
