// The sync's writes as edits of Kea's configuration (kea_client/kea_config_edit.hpp), without sockets.
#include "kea_client/kea_config_edit.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace kea = nds::kea;
namespace json = boost::json;
namespace engine = nds::engine;
using engine::Ipv4Address;

namespace {

Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }

json::object base() {
    return json::parse(R"({
      "valid-lifetime": 4000,
      "subnet4": [
        { "id": 1, "subnet": "192.0.2.0/24", "valid-lifetime": 4000, "min-valid-lifetime": 4000, "max-valid-lifetime": 4000,
          "pools": [ {"pool": "192.0.2.10-192.0.2.50", "client-class": "HA_kea-a"}, {"pool": "192.0.2.64/26"} ],
          "user-context": { "other": {"keep": true} },
          "option-data": [ {"code": 3, "name": "routers", "space": "dhcp4", "csv-format": true, "data": "192.0.2.1"} ],
          "reservations": [ {"hw-address": "02:00:00:00:00:42", "ip-address": "192.0.2.5", "hostname": "r42"} ] },
        { "id": 9, "subnet": "198.51.100.0/24", "pools": [ {"pool": "198.51.100.10-198.51.100.20"} ] }
      ],
      "shared-networks": [ { "name": "net1", "option-data": [ {"code": 3, "name": "routers", "data": "10.5.0.1"} ],
          "subnet4": [ { "id": 12, "subnet": "10.5.0.0/24", "pools": [ {"pool": "10.5.0.100-10.5.0.200"} ] } ] } ]
    })").as_object();
}

engine::DhcpScope read_scope(const json::object& dhcp4, const char* network) {
    auto index = kea::index_subnets(dhcp4);
    const auto* view = kea::find_subnet(index, ip(network));
    REQUIRE(view);
    auto scope = kea::scope_of(*view, dhcp4, "", nullptr);
    REQUIRE(scope);
    return *scope;
}

std::vector<engine::DhcpExclusion> read_exclusions(const json::object& dhcp4, const char* network) {
    auto index = kea::index_subnets(dhcp4);
    auto shape = kea::subnet_shape(*kea::find_subnet(index, ip(network)), nullptr);
    REQUIRE(shape);
    return kea::exclusions_of(*shape);
}

std::vector<engine::DhcpReservation> read_reservations(const json::object& dhcp4, const char* network) {
    auto index = kea::index_subnets(dhcp4);
    return kea::reservations_of(*kea::find_subnet(index, ip(network)), "kea01").items;
}

const json::object& subnet(const json::object& dhcp4, const char* network) {
    auto index = kea::index_subnets(dhcp4);
    return *kea::find_subnet(index, ip(network))->subnet;
}

engine::DhcpWrite scope_write(engine::Verb verb, engine::DhcpScope scope) {
    engine::DhcpWrite w;
    w.verb = verb;
    w.scope_id = scope.scope_id;
    w.change = engine::ScopeChange{std::move(scope), {}};
    return w;
}

engine::DhcpWrite exclusion_write(engine::Verb verb, const char* scope, const char* first, const char* last) {
    engine::DhcpWrite w;
    w.verb = verb;
    w.scope_id = ip(scope);
    w.change = engine::ExclusionChange{engine::DhcpExclusion{ip(first), ip(last)}};
    return w;
}

engine::DhcpWrite reservation_write(engine::Verb verb, const char* scope, const char* address, const char* mac,
                                    std::string name = "", std::string description = "") {
    engine::DhcpWrite w;
    w.verb = verb;
    w.scope_id = ip(scope);
    engine::DhcpReservation r;
    r.ip = ip(address);
    r.client_id = mac;
    r.name = std::move(name);
    r.description = std::move(description);
    w.change = engine::ReservationChange{r};
    return w;
}

kea::EditOutcome apply(json::object& dhcp4, const engine::DhcpWrite& write) { return kea::apply_write(dhcp4, write); }

}  // namespace

TEST_CASE("scope create: a new subnet with the next id, one pool, its lifetime, router and names") {
    auto dhcp4 = base();
    engine::DhcpScope scope;
    scope.scope_id = ip("10.20.0.0");
    scope.subnet_mask = ip("255.255.254.0");
    scope.start_ip = ip("10.20.0.10");
    scope.end_ip = ip("10.20.1.200");
    scope.name = "Building A";
    scope.description = "floor 1";
    scope.lease_duration_seconds = 86400;
    scope.router = ip("10.20.0.1");
    auto out = apply(dhcp4, scope_write(engine::Verb::create, scope));
    CHECK(out.ok);
    CHECK(out.changed);
    const auto& created = subnet(dhcp4, "10.20.0.0");
    CHECK(created.at("id") == 13);  // after 1, 9, 12
    CHECK(created.at("subnet") == "10.20.0.0/23");
    CHECK(created.at("pools") == json::parse(R"([{"pool": "10.20.0.10-10.20.1.200"}])"));
    CHECK(created.at("valid-lifetime") == 86400);
    auto back = read_scope(dhcp4, "10.20.0.0");
    CHECK(back.name == "Building A");
    CHECK(back.description == "floor 1");
    CHECK(back.start_ip == scope.start_ip);
    CHECK(back.end_ip == scope.end_ip);
    CHECK(back.router == scope.router);
    CHECK(back.lease_duration_seconds == 86400);

    SUBCASE("the same create again is a conflict, the subnet is not doubled") {
        auto again = apply(dhcp4, scope_write(engine::Verb::create, scope));
        CHECK_FALSE(again.ok);
        CHECK(again.code == nds::make_error_code(nds::errc::conflict));
        CHECK(kea::index_subnets(dhcp4).subnets.size() == 4);
    }
    SUBCASE("a lease time equal to the global one is inherited, not written") {
        auto d = base();
        scope.scope_id = ip("10.30.0.0");
        scope.lease_duration_seconds = 4000;
        scope.router.reset();
        REQUIRE(apply(d, scope_write(engine::Verb::create, scope)).ok);
        CHECK_FALSE(subnet(d, "10.30.0.0").contains("valid-lifetime"));
        CHECK_FALSE(subnet(d, "10.30.0.0").contains("option-data"));
    }
    SUBCASE("bad masks and ids are refused before anything changes") {
        auto d = base();
        auto bad = scope;
        bad.subnet_mask = ip("255.0.255.0");
        CHECK(apply(d, scope_write(engine::Verb::create, bad)).code == nds::make_error_code(nds::errc::refused));
        bad = scope;
        bad.scope_id = ip("10.20.0.5");
        CHECK_FALSE(apply(d, scope_write(engine::Verb::create, bad)).ok);
        CHECK(d == base());
    }
}

TEST_CASE("scope update: only what differs changes, other user-context keys stay") {
    auto dhcp4 = base();
    auto scope = read_scope(dhcp4, "192.0.2.0");
    SUBCASE("the scope as read changes nothing") {
        auto out = apply(dhcp4, scope_write(engine::Verb::update, scope));
        CHECK(out.ok);
        CHECK_FALSE(out.changed);
        CHECK(dhcp4 == base());
    }
    SUBCASE("name and description into our user-context") {
        scope.name = "Lab";
        scope.description = "the lab";
        REQUIRE(apply(dhcp4, scope_write(engine::Verb::update, scope)).changed);
        CHECK(subnet(dhcp4, "192.0.2.0").at("user-context") ==
              json::parse(R"({"other": {"keep": true}, "netbox-dhcp-sync": {"name": "Lab", "description": "the lab"}})"));
        scope.name = "";
        scope.description = "";
        REQUIRE(apply(dhcp4, scope_write(engine::Verb::update, scope)).changed);
        CHECK(subnet(dhcp4, "192.0.2.0").at("user-context") == json::parse(R"({"other": {"keep": true}})"));
    }
    SUBCASE("lease time: min and max follow when they would refuse it") {
        scope.lease_duration_seconds = 3000;
        REQUIRE(apply(dhcp4, scope_write(engine::Verb::update, scope)).changed);
        const auto& s = subnet(dhcp4, "192.0.2.0");
        CHECK(s.at("valid-lifetime") == 3000);
        CHECK(s.at("min-valid-lifetime") == 3000);
        CHECK(s.at("max-valid-lifetime") == 4000);
    }
    SUBCASE("router replaced, then removed") {
        scope.router = ip("192.0.2.254");
        REQUIRE(apply(dhcp4, scope_write(engine::Verb::update, scope)).changed);
        CHECK(read_scope(dhcp4, "192.0.2.0").router == ip("192.0.2.254"));
        scope.router.reset();
        REQUIRE(apply(dhcp4, scope_write(engine::Verb::update, scope)).changed);
        CHECK_FALSE(read_scope(dhcp4, "192.0.2.0").router);
    }
    SUBCASE("a router inherited from the shared network cannot be cleared for one subnet") {
        auto shared = read_scope(dhcp4, "10.5.0.0");
        CHECK(shared.router == ip("10.5.0.1"));
        shared.router.reset();
        shared.name = "also changed";
        auto out = apply(dhcp4, scope_write(engine::Verb::update, shared));
        CHECK_FALSE(out.ok);
        CHECK(out.message.find("10.5.0.1") != std::string::npos);
        CHECK(dhcp4 == base());  // refused before the name was touched
        shared.router = ip("10.5.0.2");  // but it can be overridden
        REQUIRE(apply(dhcp4, scope_write(engine::Verb::update, shared)).ok);
        CHECK(read_scope(dhcp4, "10.5.0.0").router == ip("10.5.0.2"));
    }
    SUBCASE("a new range keeps the exclusions inside it and each pool's members") {
        REQUIRE(apply(dhcp4, exclusion_write(engine::Verb::create, "192.0.2.0", "192.0.2.20", "192.0.2.29")).changed);
        scope.start_ip = ip("192.0.2.15");
        scope.end_ip = ip("192.0.2.110");
        REQUIRE(apply(dhcp4, scope_write(engine::Verb::update, scope)).changed);
        auto back = read_scope(dhcp4, "192.0.2.0");
        CHECK(back.start_ip == ip("192.0.2.15"));
        CHECK(back.end_ip == ip("192.0.2.110"));
        auto exclusions = read_exclusions(dhcp4, "192.0.2.0");
        REQUIRE(exclusions.size() == 2);
        CHECK(exclusions[0].start_ip == ip("192.0.2.20"));
        CHECK(exclusions[0].end_ip == ip("192.0.2.29"));
        CHECK(exclusions[1].start_ip == ip("192.0.2.51"));  // the gap between the two pools stays
        CHECK(exclusions[1].end_ip == ip("192.0.2.63"));
        const auto& pools = subnet(dhcp4, "192.0.2.0").at("pools").as_array();
        REQUIRE(pools.size() == 3);
        CHECK(pools[0].at("client-class") == "HA_kea-a");
        CHECK(pools[1].at("client-class") == "HA_kea-a");
        CHECK(pools[2].at("pool") == "192.0.2.64-192.0.2.110");
    }
    SUBCASE("the mask cannot change, an unknown subnet is not found") {
        auto wider = scope;
        wider.subnet_mask = ip("255.255.254.0");
        CHECK_FALSE(apply(dhcp4, scope_write(engine::Verb::update, wider)).ok);
        auto missing = scope;
        missing.scope_id = ip("10.99.0.0");
        CHECK(apply(dhcp4, scope_write(engine::Verb::update, missing)).code == nds::make_error_code(nds::errc::not_found));
    }
}

TEST_CASE("scope delete removes the subnet wherever it is") {
    auto dhcp4 = base();
    engine::DhcpScope gone;
    gone.scope_id = ip("10.5.0.0");
    CHECK(apply(dhcp4, scope_write(engine::Verb::remove, gone)).changed);
    CHECK(kea::index_subnets(dhcp4).subnets.size() == 2);
    CHECK_FALSE(apply(dhcp4, scope_write(engine::Verb::remove, gone)).changed);
}

TEST_CASE("exclusions: pools recomputed, unchanged pools keep their text") {
    auto dhcp4 = base();
    SUBCASE("inside a pool") {
        REQUIRE(apply(dhcp4, exclusion_write(engine::Verb::create, "192.0.2.0", "192.0.2.20", "192.0.2.29")).changed);
        const auto& pools = subnet(dhcp4, "192.0.2.0").at("pools");
        CHECK(pools == json::parse(R"([{"pool": "192.0.2.10-192.0.2.19", "client-class": "HA_kea-a"},
                                       {"pool": "192.0.2.30-192.0.2.50", "client-class": "HA_kea-a"},
                                       {"pool": "192.0.2.64/26"}])"));
        CHECK(read_scope(dhcp4, "192.0.2.0").start_ip == ip("192.0.2.10"));
        SUBCASE("deleted again: the pools are as before") {
            REQUIRE(apply(dhcp4, exclusion_write(engine::Verb::remove, "192.0.2.0", "192.0.2.20", "192.0.2.29")).changed);
            CHECK(dhcp4 == base());
        }
    }
    SUBCASE("an existing gap, or part of it, is already excluded") {
        auto out = apply(dhcp4, exclusion_write(engine::Verb::create, "192.0.2.0", "192.0.2.51", "192.0.2.63"));
        CHECK(out.ok);
        CHECK_FALSE(out.changed);
        CHECK_FALSE(apply(dhcp4, exclusion_write(engine::Verb::create, "192.0.2.0", "192.0.2.55", "192.0.2.60")).changed);
        CHECK(dhcp4 == base());
    }
    SUBCASE("at the start of the range: the range is kept in the user-context") {
        REQUIRE(apply(dhcp4, exclusion_write(engine::Verb::create, "192.0.2.0", "192.0.2.10", "192.0.2.14")).changed);
        auto scope = read_scope(dhcp4, "192.0.2.0");
        CHECK(scope.start_ip == ip("192.0.2.10"));
        auto exclusions = read_exclusions(dhcp4, "192.0.2.0");
        REQUIRE(exclusions.size() == 2);
        CHECK(exclusions[0].start_ip == ip("192.0.2.10"));
        CHECK(exclusions[0].end_ip == ip("192.0.2.14"));
        CHECK(subnet(dhcp4, "192.0.2.0").at("user-context").at("netbox-dhcp-sync").at("range") == "192.0.2.10-192.0.2.127");
        REQUIRE(apply(dhcp4, exclusion_write(engine::Verb::remove, "192.0.2.0", "192.0.2.10", "192.0.2.14")).changed);
        CHECK(dhcp4 == base());  // and gone again with the exclusion
    }
    SUBCASE("deleting part of a gap shrinks it (adjacent exclusions read back as one)") {
        REQUIRE(apply(dhcp4, exclusion_write(engine::Verb::remove, "192.0.2.0", "192.0.2.51", "192.0.2.55")).changed);
        auto exclusions = read_exclusions(dhcp4, "192.0.2.0");
        REQUIRE(exclusions.size() == 1);
        CHECK(exclusions[0].start_ip == ip("192.0.2.56"));
        CHECK(read_scope(dhcp4, "192.0.2.0").end_ip == ip("192.0.2.127"));
    }
    SUBCASE("an exclusion outside the range is refused, a delete of nothing changes nothing") {
        CHECK_FALSE(apply(dhcp4, exclusion_write(engine::Verb::create, "192.0.2.0", "192.0.2.120", "192.0.2.140")).ok);
        CHECK_FALSE(apply(dhcp4, exclusion_write(engine::Verb::remove, "192.0.2.0", "192.0.2.200", "192.0.2.210")).changed);
        CHECK(dhcp4 == base());
    }
}

TEST_CASE("reservations: create, update, delete, idempotent") {
    auto dhcp4 = base();
    SUBCASE("create with name and description, in Kea's form") {
        REQUIRE(apply(dhcp4, reservation_write(engine::Verb::create, "192.0.2.0", "192.0.2.6", "AA-BB-CC-00-00-06", "pc6", "desk")).changed);
        auto list = read_reservations(dhcp4, "192.0.2.0");
        REQUIRE(list.size() == 2);
        CHECK(list[1].client_id == "aa-bb-cc-00-00-06");
        CHECK(list[1].name == "pc6");
        CHECK(list[1].description == "desk");
        CHECK(subnet(dhcp4, "192.0.2.0").at("reservations").as_array()[1].at("hw-address") == "aa:bb:cc:00:00:06");
        auto again = apply(dhcp4, reservation_write(engine::Verb::create, "192.0.2.0", "192.0.2.6", "aa:bb:cc:00:00:06", "pc6", "desk"));
        CHECK(again.ok);
        CHECK_FALSE(again.changed);
    }
    SUBCASE("an address outside the subnet is written as asked: config-test refuses it") {
        CHECK(apply(dhcp4, reservation_write(engine::Verb::create, "192.0.2.0", "10.9.9.9", "aa-bb-cc-00-00-09")).changed);
    }
    SUBCASE("update in place, keyed by client id") {
        REQUIRE(apply(dhcp4, reservation_write(engine::Verb::update, "192.0.2.0", "192.0.2.5", "02-00-00-00-00-42", "printer", "2nd floor")).changed);
        auto list = read_reservations(dhcp4, "192.0.2.0");
        REQUIRE(list.size() == 1);
        CHECK(list[0].name == "printer");
        CHECK(list[0].description == "2nd floor");
        CHECK_FALSE(apply(dhcp4, reservation_write(engine::Verb::update, "192.0.2.0", "192.0.2.5", "02-00-00-00-00-42", "printer", "2nd floor")).changed);
        auto missing = apply(dhcp4, reservation_write(engine::Verb::update, "192.0.2.0", "192.0.2.7", "02-00-00-00-00-99"));
        CHECK(missing.code == nds::make_error_code(nds::errc::not_found));
    }
    SUBCASE("delete, and delete again") {
        REQUIRE(apply(dhcp4, reservation_write(engine::Verb::remove, "192.0.2.0", "192.0.2.5", "02-00-00-00-00-42")).changed);
        CHECK(read_reservations(dhcp4, "192.0.2.0").empty());
        CHECK_FALSE(subnet(dhcp4, "192.0.2.0").contains("reservations"));
        CHECK_FALSE(apply(dhcp4, reservation_write(engine::Verb::remove, "192.0.2.0", "192.0.2.5", "02-00-00-00-00-42")).changed);
    }
    SUBCASE("MAC changed in NetBox: delete the old one, create the new one") {
        std::vector<engine::DhcpWrite> writes{
            reservation_write(engine::Verb::remove, "192.0.2.0", "192.0.2.5", "02-00-00-00-00-42"),
            reservation_write(engine::Verb::create, "192.0.2.0", "192.0.2.5", "02-00-00-00-00-43", "r42")};
        auto edited = kea::apply_writes(dhcp4, writes);
        CHECK(edited.changed);
        auto list = read_reservations(edited.dhcp4, "192.0.2.0");
        REQUIRE(list.size() == 1);
        CHECK(list[0].client_id == "02-00-00-00-00-43");
    }
    SUBCASE("client ids Kea cannot reserve by") {
        auto out = apply(dhcp4, reservation_write(engine::Verb::create, "192.0.2.0", "192.0.2.8", "bob's laptop"));
        CHECK(out.code == nds::make_error_code(nds::errc::refused));
    }
}

TEST_CASE("apply_writes: a subset, failures kept per write, nothing changed means no change") {
    auto dhcp4 = base();
    std::vector<engine::DhcpWrite> writes{
        reservation_write(engine::Verb::create, "192.0.2.0", "192.0.2.6", "aa-bb-cc-00-00-06"),
        reservation_write(engine::Verb::create, "10.99.0.0", "10.99.0.6", "aa-bb-cc-00-00-07"),
        exclusion_write(engine::Verb::create, "198.51.100.0", "198.51.100.15", "198.51.100.16")};
    auto all = kea::apply_writes(dhcp4, writes);
    CHECK(all.changed);
    CHECK(all.outcomes[0].changed);
    CHECK_FALSE(all.outcomes[1].ok);
    CHECK(all.outcomes[1].message.find("10.99.0.0") != std::string::npos);
    CHECK(all.outcomes[2].changed);
    auto subset = kea::apply_writes(dhcp4, writes, {false, false, true});
    CHECK_FALSE(subset.outcomes[0].included);
    CHECK(read_reservations(subset.dhcp4, "192.0.2.0").size() == 1);
    auto none = kea::apply_writes(dhcp4, {reservation_write(engine::Verb::remove, "192.0.2.0", "192.0.2.99", "aa-aa-aa-aa-aa-aa")});
    CHECK_FALSE(none.changed);
    CHECK(none.dhcp4 == dhcp4);
    CHECK(kea::touched_networks(writes).size() == 3);
}

TEST_CASE("comparing what was sent with what Kea holds, and the preview") {
    auto sent = base();
    REQUIRE(apply(sent, reservation_write(engine::Verb::create, "192.0.2.0", "192.0.2.6", "aa-bb-cc-00-00-06", "pc6")).changed);
    // Kea's read-back adds defaults to the new reservation: not a difference for the sync.
    auto held = sent;
    auto& record = held["subnet4"].as_array()[0].as_object()["reservations"].as_array()[1].as_object();
    record["boot-file-name"] = "";
    record["client-classes"] = json::array();
    record["option-data"] = json::array();
    CHECK(kea::compare_views(sent, held, {ip("192.0.2.0")}).empty());
    // A reservation missing from what Kea holds is.
    auto missing = base();
    auto diff = kea::compare_views(sent, missing, {ip("192.0.2.0")});
    CHECK(diff.find("aa-bb-cc-00-00-06") != std::string::npos);

    auto preview = json::parse(kea::describe_changes(base(), sent));
    REQUIRE(preview.as_array().size() == 1);
    CHECK(preview.as_array()[0].at("subnet") == "192.0.2.0/24");
    CHECK(preview.as_array()[0].at("change") == "update");
    CHECK(preview.as_array()[0].at("after").as_object().contains("reservations"));
    CHECK(kea::describe_changes(base(), base()) == "[]");
}
