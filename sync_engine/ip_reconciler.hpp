// The reservation and lease passes (the plugin's behaviour): what the server reports becomes NetBox IP
// addresses, following the plugin's precedence matrix, with this project's differences (README, "How it differs from the plugin"):
//  - IPs are looked up by (VRF of the scope's prefix, address), never across VRFs;
//  - "managed" is the managed tag: creates carry it, a normal update adds it ("took over"), but the reservation
//    precedence branch (existing R + lease) never does, so pre-staged reservations stay unmanaged;
//  - with push_reservations, NetBox is authoritative for reserved IPs that have a client id: the pull leaves
//    their dns_name and client id alone (differences are pushed instead);
//  - client ids are compared normalised; dns names NetBox would reject are not written (a warning instead).
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/ip_change_set.hpp"
#include "sync_engine/plan.hpp"
#include "sync_engine/protection.hpp"
#include "sync_engine/scope_ip_context.hpp"
#include "sync_engine/sync_settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nds::engine {

class IpReconciler {
public:
    IpReconciler(const ScopeIpContext& scope, const SyncSettings& settings, const Protection& protection,
                 IpChangeSet& changes, Plan& plan);

    /// Run first, as the plugin does: a reserved address that is also leased ends R with the reservation's name.
    void reservation_pass(const std::vector<DhcpReservation>& reservations);
    void lease_pass(const std::vector<DhcpLease>& leases);

private:
    enum class Pass { reservation, lease };
    struct Offer {
        Ipv4Address ip;
        Pass pass;
        std::string name;
        std::string client_id;  ///< normalised
    };

    /// The IP an offer lands on: read through ip(), changed through edit(), which makes its IpChangeSet entry
    /// only then (an unchanged IP costs no copy).
    class Target {
    public:
        Target(IpReconciler& owner, IpChangeSet::Slot slot, Ipv4Address address)
            : owner_(owner), slot_(slot), address_(address) {}
        const NetBoxIpAddress& ip() const { return slot_.ip(); }
        bool is_create() const { return slot_.is_create(); }
        IpWork& edit();

    private:
        IpReconciler& owner_;
        IpChangeSet::Slot slot_;
        Ipv4Address address_;
    };

    void upsert(const Offer& offer);
    void create(const Offer& offer);
    void protected_ip(Target& target, const Offer& offer, bool tag_protected);
    void reservation_precedence(Target& target, const Offer& offer);
    void normal_update(Target& target, const Offer& offer);

    /// The name to write: lowercase and valid for NetBox. nullopt when the server gave none, or gave one NetBox
    /// would reject (reported).
    std::optional<std::string> dns_name_to_write(const Offer& offer);
    const std::string& target_status(Pass pass) const;
    const char* source(Pass pass) const;
    ActionNote where(Ipv4Address ip) const;

    const ScopeIpContext& scope_;
    const SyncSettings& settings_;
    const Protection& protection_;
    IpChangeSet& changes_;
    Plan& plan_;
};

}  // namespace nds::engine
