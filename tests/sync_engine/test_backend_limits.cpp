// What a backend cannot do shapes the plan: unsupported operations are skipped and said once per server;
// reservations that cannot be changed in place are re-created.
#include "sync_engine/backend_limits.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

DhcpReservation reservation(const char* address, const char* client_id, const char* name) {
    DhcpReservation r;
    r.ip = ip(address);
    r.client_id = client_id;
    r.name = name;
    return r;
}

Plan plan_with(std::initializer_list<DhcpWrite> writes) {
    Plan plan;
    plan.dhcp_writes = writes;
    return plan;
}

ActionNote note(const char* server, const char* reason) { return ActionNote{server, "Building A", "10.0.1.50", reason}; }

int count_problems(const Plan& plan, const std::string& text) {
    int n = 0;
    for (const auto& p : plan.problems) n += p.note.reason.find(text) != std::string::npos;
    return n;
}

}  // namespace

TEST_CASE("backend limits: everything supported leaves the plan as it is") {
    DhcpSnapshots dhcp;
    dhcp["dhcp01"].capabilities = BackendCapabilities{};
    auto plan = plan_with({DhcpWrite::reservation(note("dhcp01", "new"), Verb::create, ip("10.0.1.0"),
                                                  reservation("10.0.1.50", "aa-bb-cc-dd-ee-01", "cam")),
                           DhcpWrite::scope(note("dhcp01", "new scope"), Verb::create, DhcpScope{})});
    fit_to_backends(dhcp, plan);
    CHECK(plan.dhcp_writes.size() == 2);
    CHECK(plan.skips.empty());
    CHECK(plan.problems.empty());
}

TEST_CASE("backend limits: an unsupported operation is a skip, and the server gets one warning naming all of them") {
    DhcpSnapshots dhcp;
    auto& caps = dhcp["dhcp01"].capabilities;
    caps.unsupported = {DhcpOperation::scope_create, DhcpOperation::reservation_delete};
    caps.unsupported_why = "PSU endpoint script 1.0.2";
    auto plan = plan_with({
        DhcpWrite::scope(note("dhcp01", "scope in NetBox"), Verb::create, DhcpScope{}),
        DhcpWrite::reservation(note("dhcp01", "prune"), Verb::remove, ip("10.0.1.0"), reservation("10.0.1.60", "aa-bb-cc-dd-ee-02", "")),
        DhcpWrite::reservation(note("dhcp01", "prune"), Verb::remove, ip("10.0.1.0"), reservation("10.0.1.61", "aa-bb-cc-dd-ee-03", "")),
        DhcpWrite::reservation(note("dhcp01", "new"), Verb::create, ip("10.0.1.0"), reservation("10.0.1.50", "aa-bb-cc-dd-ee-01", "cam")),
        DhcpWrite::scope(note("dhcp02", "other server"), Verb::create, DhcpScope{}),  // dhcp02 supports it
    });
    fit_to_backends(dhcp, plan);
    REQUIRE(plan.dhcp_writes.size() == 2);
    CHECK(plan.dhcp_writes[0].operation() == DhcpOperation::reservation_create);
    CHECK(plan.dhcp_writes[1].note.server == "dhcp02");
    CHECK(plan.skips.size() == 3);
    for (const auto& skip : plan.skips) CHECK(skip.note.reason.find("not supported by this server") != std::string::npos);
    REQUIRE(plan.problems.size() == 1);
    CHECK(plan.problems[0].severity == Severity::warning);
    CHECK(plan.problems[0].note.server == "dhcp01");
    CHECK(count_problems(plan, "scope create, reservation delete") == 1);
    CHECK(count_problems(plan, "PSU endpoint script 1.0.2") == 1);
}

TEST_CASE("backend limits: a reservation update becomes delete + create where the server cannot change it in place") {
    DhcpSnapshots dhcp;
    dhcp["kea01"].capabilities.reservation_update_in_place = false;
    auto plan = plan_with({DhcpWrite::reservation(note("kea01", "NetBox differs: name"), Verb::update, ip("10.0.1.0"),
                                                  reservation("10.0.1.50", "aa-bb-cc-dd-ee-01", "cam-new"))});
    fit_to_backends(dhcp, plan);
    REQUIRE(plan.dhcp_writes.size() == 2);
    CHECK(plan.dhcp_writes[0].verb == Verb::remove);
    CHECK(plan.dhcp_writes[1].verb == Verb::create);
    CHECK(std::get<ReservationChange>(plan.dhcp_writes[1].change).reservation.name == "cam-new");
    CHECK(plan.dhcp_writes[1].note.reason.find("re-created") != std::string::npos);
}

TEST_CASE("backend limits: no half replacement when the server can create but not delete reservations") {
    DhcpSnapshots dhcp;
    dhcp["dhcp01"].capabilities.reservation_update_in_place = false;
    dhcp["dhcp01"].capabilities.unsupported = {DhcpOperation::reservation_delete};
    auto plan = plan_with({DhcpWrite::reservation(note("dhcp01", "NetBox differs"), Verb::update, ip("10.0.1.0"),
                                                  reservation("10.0.1.50", "aa-bb-cc-dd-ee-01", "cam-new"))});
    fit_to_backends(dhcp, plan);
    CHECK(plan.dhcp_writes.empty());
    CHECK(plan.skips.size() == 1);
    CHECK(count_problems(plan, "reservation delete") == 1);
}

TEST_CASE("backend limits: the exclusions and reservations of a scope that cannot be created are skipped with it") {
    DhcpSnapshots dhcp;
    dhcp["dhcp01"].capabilities.unsupported = {DhcpOperation::scope_create};
    DhcpScope created;
    created.scope_id = ip("10.0.9.0");
    auto plan = plan_with({DhcpWrite::scope(note("dhcp01", "scope in NetBox"), Verb::create, created),
                           DhcpWrite::exclusion(note("dhcp01", "exclusion"), Verb::create, ip("10.0.9.0"),
                                                DhcpExclusion{ip("10.0.9.10"), ip("10.0.9.19")}),
                           DhcpWrite::exclusion(note("dhcp01", "other scope"), Verb::create, ip("10.0.1.0"),
                                                DhcpExclusion{ip("10.0.1.10"), ip("10.0.1.19")})});
    fit_to_backends(dhcp, plan);
    REQUIRE(plan.dhcp_writes.size() == 1);
    CHECK(plan.dhcp_writes[0].scope_id == ip("10.0.1.0"));
    REQUIRE(plan.skips.size() == 2);
    CHECK(plan.skips[1].note.reason.find("its scope could not be created") != std::string::npos);
    CHECK(count_problems(plan, "not performed on this server: scope create") == 1);
}

TEST_CASE("backend limits: a replacement reservation is not created when the old one cannot be removed") {
    DhcpSnapshots dhcp;
    dhcp["dhcp01"].capabilities.unsupported = {DhcpOperation::reservation_delete};
    auto plan = plan_with({DhcpWrite::reservation(note("dhcp01", "MAC changed; old removed"), Verb::remove, ip("10.0.1.0"),
                                                  reservation("10.0.1.50", "aa-bb-cc-dd-ee-01", "cam")),
                           DhcpWrite::reservation(note("dhcp01", "MAC changed; re-created"), Verb::create, ip("10.0.1.0"),
                                                  reservation("10.0.1.50", "aa-bb-cc-dd-ee-02", "cam")),
                           DhcpWrite::reservation(note("dhcp01", "new"), Verb::create, ip("10.0.1.0"),
                                                  reservation("10.0.1.51", "aa-bb-cc-dd-ee-03", "cam2"))});
    fit_to_backends(dhcp, plan);
    REQUIRE(plan.dhcp_writes.size() == 1);
    CHECK(std::get<ReservationChange>(plan.dhcp_writes[0].change).reservation.ip == ip("10.0.1.51"));
    REQUIRE(plan.skips.size() == 2);
    CHECK(plan.skips[1].note.reason.find("the reservation it replaces could not be removed") != std::string::npos);
}

TEST_CASE("backend limits: where writes address a client id, an update or removal is sent only for an id reserved once") {
    auto snapshots_with = [](std::optional<std::vector<DhcpReservation>> all) {
        DhcpSnapshots dhcp;
        dhcp["dhcp01"].capabilities.reservation_writes_by_client_id = true;
        dhcp["dhcp01"].all_reservations = std::move(all);
        return dhcp;
    };
    auto update = [] {
        return plan_with({DhcpWrite::reservation(note("dhcp01", "NetBox differs: name"), Verb::update, ip("10.0.1.0"),
                                                 reservation("10.0.1.50", "AA:BB:CC:DD:EE:01", "cam-new")),
                          DhcpWrite::reservation(note("dhcp01", "new"), Verb::create, ip("10.0.1.0"),
                                                 reservation("10.0.1.51", "aa-bb-cc-dd-ee-02", "door"))});
    };

    SUBCASE("reserved once on the whole server: sent") {
        auto dhcp = snapshots_with(std::vector{reservation("10.0.1.50", "aa-bb-cc-dd-ee-01", "cam"),
                                               reservation("10.0.2.50", "aa-bb-cc-dd-ee-09", "other")});
        auto plan = update();
        fit_to_backends(dhcp, plan);
        CHECK(plan.dhcp_writes.size() == 2);
        CHECK(plan.skips.empty());
    }
    SUBCASE("reserved in two scopes: the update is skipped naming both addresses; the create is still sent") {
        auto dhcp = snapshots_with(std::vector{reservation("10.0.1.50", "aa-bb-cc-dd-ee-01", "cam"),
                                               reservation("10.0.2.50", "AABBCCDDEE01", "cam-lab")});
        auto plan = update();
        fit_to_backends(dhcp, plan);
        REQUIRE(plan.dhcp_writes.size() == 1);
        CHECK(plan.dhcp_writes[0].verb == Verb::create);
        REQUIRE(plan.skips.size() == 1);
        CHECK(plan.skips[0].note.reason.find("reserved 2 times") != std::string::npos);
        CHECK(plan.skips[0].note.reason.find("10.0.1.50, 10.0.2.50") != std::string::npos);
    }
    SUBCASE("the whole list could not be read: the update is skipped, the create is still sent") {
        auto dhcp = snapshots_with(std::nullopt);
        auto plan = update();
        fit_to_backends(dhcp, plan);
        REQUIRE(plan.dhcp_writes.size() == 1);
        CHECK(plan.dhcp_writes[0].verb == Verb::create);
        REQUIRE(plan.skips.size() == 1);
        CHECK(plan.skips[0].note.reason.find("could not be read") != std::string::npos);
    }
    SUBCASE("a server that writes by address needs no whole list") {
        auto dhcp = snapshots_with(std::nullopt);
        dhcp["dhcp01"].capabilities.reservation_writes_by_client_id = false;
        auto plan = update();
        fit_to_backends(dhcp, plan);
        CHECK(plan.dhcp_writes.size() == 2);
        CHECK(plan.skips.empty());
    }
}
