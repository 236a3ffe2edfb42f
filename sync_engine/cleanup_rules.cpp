#include "sync_engine/cleanup_rules.hpp"

namespace nds::engine {

CleanupVerdict evaluate_cleanup(const CleanupFacts& f) {
    using R = CleanupRule;
    using A = CleanupAction;
    if (f.protect_tagged) return {R::protect_tag, A::keep, "protected by tag"};
    if (f.in_protected_prefix) return {R::protected_prefix, A::keep, "inside a protected prefix"};
    if (f.reserved) {
        if (f.push_reservations) return {R::reserved_push_mode, A::keep, "reserved; NetBox is the source (push_reservations)"};
        if (!f.has_client_id) return {R::reserved_without_client_id, A::keep, "reserved without client id (pre-staged)"};
        if (!f.managed) return {R::reserved_not_managed, A::keep, "reserved, not managed by the sync"};
        if (f.on_server_reserved) return {R::reserved_still_reserved, A::keep, "reservation still on server"};
        if (f.on_server_leased)
            return {R::reserved_lease_only, A::downgrade, "reservation removed on server, lease still active (R\u2192L)"};
        return {R::reserved_gone, A::remove, "reservation and lease no longer exist on server"};
    }
    if (f.on_server_leased) return {R::leased_still_leased, A::keep, "lease still on server"};
    return {R::leased_gone, A::remove, "lease expired or no longer exists on server"};
}

bool cleanup_may_delete(CleanupFacts facts) {
    facts.on_server_reserved = false;
    facts.on_server_leased = false;
    return evaluate_cleanup(facts).action == CleanupAction::remove;
}

}  // namespace nds::engine
