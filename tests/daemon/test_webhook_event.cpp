#include "daemon/webhook_event.hpp"

#include <doctest/doctest.h>

using namespace nds::daemon;
using nds::engine::ChangedType;

namespace {

// Bodies as NetBox renders them (default body, no template): NetBox's REST API.
const char* ip_45 = R"({"event": "updated", "timestamp": "2026-03-01T10:00:00.000000+00:00", "object_type": "ipam.ipaddress",
 "username": "carol", "request_id": "5b0f7c1e-1111-2222-3333-444455556666",
 "data": {"id": 42, "url": "/api/ipam/ip-addresses/42/", "address": "10.10.1.77/24", "vrf": null, "status": {"value": "dhcp", "label": "DHCP"}},
 "snapshots": {"prechange": {"address": "10.10.1.76/24", "vrf": null, "status": "dhcp"},
               "postchange": {"address": "10.10.1.77/24", "vrf": null, "status": "dhcp"}}})";

const char* scope_46 = R"({"event": "created", "timestamp": "2026-03-01T10:00:00+00:00", "object_type": "netbox_windows_dhcp.dhcpscope",
 "username": "carol", "request_id": "abc",
 "request": {"id": "abc", "method": "POST", "path": "/api/plugins/windows-dhcp/scopes/", "user": "carol"},
 "data": {"id": 7, "name": "Lab", "server": {"id": 3, "name": "dhcp03"}, "failover": null, "prefix": {"id": 11, "prefix": "10.30.0.0/24"}},
 "snapshots": {"prechange": null, "postchange": {"name": "Lab", "server": 3, "failover": null, "prefix": 11}}})";

const char* exclusion_47 = R"({"event": "deleted", "timestamp": "2026-03-01T10:00:00+00:00", "object_type": "netbox_windows_dhcp.dhcpexclusionrange",
 "request": {"id": "r47", "path": "/api/plugins/windows-dhcp/exclusion-ranges/9/", "path_info": "/api/plugins/windows-dhcp/exclusion-ranges/9/",
             "method": "DELETE", "GET": {}, "user": "dave"},
 "data": {"id": 9, "scope": {"id": 7, "name": "Lab"}, "start_ip": "10.30.0.1", "end_ip": "10.30.0.9"},
 "snapshots": {"prechange": {"scope": 7, "start_ip": "10.30.0.1", "end_ip": "10.30.0.9"}, "postchange": null}})";

}  // namespace

TEST_CASE("webhook event: NetBox 4.5 body (top-level username and request_id)") {
    auto event = parse_webhook_event(ip_45);
    REQUIRE(event);
    CHECK(event->event == "updated");
    CHECK(event->object_type == "ipam.ipaddress");
    CHECK(event->username == "carol");
    CHECK(event->request_id == "5b0f7c1e-1111-2222-3333-444455556666");
    CHECK(event->relevant());
    REQUIRE(event->objects.size() == 2);
    CHECK(event->objects[0].type == ChangedType::ip_address);
    CHECK(event->objects[0].id == 42);
    CHECK(event->objects[0].address->to_string() == "10.10.1.77");
    CHECK(event->objects[0].vrf_known);
    CHECK_FALSE(event->objects[0].vrf_id);
    // The pre-change snapshot: the address it moved away from also concerns its scope.
    CHECK(event->objects[1].address->to_string() == "10.10.1.76");
    CHECK(event->objects[1].id == 42);
}

TEST_CASE("webhook event: NetBox 4.6 body (both user forms) with nested references") {
    auto event = parse_webhook_event(scope_46);
    REQUIRE(event);
    CHECK(event->username == "carol");
    CHECK(event->request_id == "abc");
    REQUIRE(event->objects.size() == 1);  // prechange null on create
    const auto& scope = event->objects[0];
    CHECK(scope.type == ChangedType::scope);
    CHECK(scope.id == 7);
    CHECK(scope.server_id == 3);
    CHECK_FALSE(scope.failover_id);
    CHECK(scope.prefix_id == 11);
}

TEST_CASE("webhook event: NetBox 4.7 body (request only) for a deleted object") {
    auto event = parse_webhook_event(exclusion_47);
    REQUIRE(event);
    CHECK(event->event == "deleted");
    CHECK(event->username == "dave");
    CHECK(event->request_id == "r47");
    REQUIRE(event->objects.size() == 2);
    CHECK(event->objects[0].type == ChangedType::exclusion_range);
    CHECK(event->objects[0].id == 9);
    CHECK(event->objects[0].scope_id == 7);
    CHECK(event->objects[1].scope_id == 7);
}

TEST_CASE("webhook event: snapshots alone are enough (changelog form: ids, not nested objects)") {
    auto event = parse_webhook_event(R"({"event":"updated","object_type":"netbox_windows_dhcp.dhcpfailover",
        "snapshots":{"prechange":{"primary_server":1,"secondary_server":2},"postchange":{"primary_server":1,"secondary_server":4}}})");
    REQUIRE(event);
    REQUIRE(event->objects.size() == 2);
    CHECK(event->objects[0].primary_server_id == 1);
    CHECK(event->objects[0].secondary_server_id == 4);
    CHECK(event->objects[1].secondary_server_id == 2);
}

TEST_CASE("webhook event: prefixes, servers and VRFs") {
    auto prefix = parse_webhook_event(R"({"event":"updated","object_type":"ipam.prefix",
        "data":{"id":5,"prefix":"10.0.0.0/16","vrf":{"id":3,"name":"blue"}}})");
    REQUIRE(prefix);
    CHECK(prefix->objects[0].type == ChangedType::prefix);
    CHECK(prefix->objects[0].network->to_string() == "10.0.0.0/16");
    CHECK(prefix->objects[0].vrf_id == 3);
    auto server = parse_webhook_event(R"({"event":"updated","object_type":"netbox_windows_dhcp.dhcpserver",
        "data":{"id":2,"name":"dhcp02","tags":[{"slug":"dhcp-maintenance"}]}})");
    REQUIRE(server);
    CHECK(server->objects[0].type == ChangedType::server);
    CHECK(server->objects[0].name == "dhcp02");
    CHECK(server->objects[0].id == 2);
}

TEST_CASE("webhook event: other objects and job events parse but are not relevant") {
    auto device = parse_webhook_event(R"({"event":"updated","object_type":"dcim.device","data":{"id":1}})");
    REQUIRE(device);
    CHECK_FALSE(device->relevant());
    CHECK(device->objects.empty());
    auto job = parse_webhook_event(R"({"event":"job_ended","object_type":"ipam.ipaddress","data":{"id":1,"address":"10.0.0.1/24"}})");
    REQUIRE(job);
    CHECK_FALSE(job->relevant());
}

TEST_CASE("webhook event: malformed bodies are errors") {
    CHECK_FALSE(parse_webhook_event("not json"));
    CHECK_FALSE(parse_webhook_event("[]"));
    CHECK_FALSE(parse_webhook_event(R"({"object_type":"ipam.ipaddress","data":{}})"));  // no event
    CHECK_FALSE(parse_webhook_event(R"({"event":"updated","data":{}})"));               // no object_type
    auto old = parse_webhook_event(R"({"event":"updated","model":"ipaddress","data":{}})");
    REQUIRE_FALSE(old);
    CHECK(old.error().message.find("before 4.5") != std::string::npos);
    CHECK_FALSE(parse_webhook_event(R"({"event":"updated","object_type":"ipam.ipaddress"})"));  // no data
}

TEST_CASE("webhook event: a bad address is tolerated (the object concerns no server)") {
    auto event = parse_webhook_event(R"({"event":"created","object_type":"ipam.ipaddress","data":{"id":1,"address":"2001:db8::1/64","vrf":null}})");
    REQUIRE(event);
    CHECK_FALSE(event->objects[0].address);
}

TEST_CASE("webhook event: ids that are not whole numbers in range are ignored, not cast (fuzz regression)") {
    // 1e300 as an id made static_cast<int64_t>(double) undefined behaviour (UBSan: float-cast-overflow).
    auto event = parse_webhook_event(
        R"({"event":"updated","object_type":"netbox_windows_dhcp.dhcpscope","data":{"id":1e300,"server":-1.5e19,"failover":2.5,"prefix":7.0}})");
    REQUIRE(event);
    REQUIRE(event->objects.size() == 1);
    CHECK_FALSE(event->objects[0].id);
    CHECK_FALSE(event->objects[0].server_id);
    CHECK_FALSE(event->objects[0].failover_id);
    CHECK(event->objects[0].prefix_id == 7);
}
