// NetBox pages -> engine types, and bulk body elements.
#include "netbox_client/netbox_json.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace codec = nds::netbox::json_codec;
namespace json = boost::json;
using nds::engine::Ipv4Address;
using nds::engine::Ipv4Network;

namespace {
Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }
}  // namespace

TEST_CASE("next URLs: only path and query are kept") {
    CHECK(codec::next_target("") == "");
    CHECK(codec::next_target("https://netbox.example.com/api/ipam/ip-addresses/?limit=2&offset=2") ==
          "/api/ipam/ip-addresses/?limit=2&offset=2");
    CHECK(codec::next_target("http://10.9.9.9:8000/netbox/api/plugins/windows-dhcp/scopes/?limit=1&offset=1&ordering=id") ==
          "/netbox/api/plugins/windows-dhcp/scopes/?limit=1&offset=1&ordering=id");
    CHECK(codec::next_target("http://other-host?limit=1") == "/?limit=1");
    CHECK(codec::next_target("/api/x/?offset=5") == "/api/x/?offset=5");
}

TEST_CASE("peek_next_target reads next off a compact NetBox page start, and only that") {
    CHECK(codec::peek_next_target(R"({"count":1200,"next":"https://nb/api/ipam/ip-addresses/?limit=1000&offset=1000","previous":null,"results":[)") ==
          std::optional<std::string>("/api/ipam/ip-addresses/?limit=1000&offset=1000"));
    CHECK(codec::peek_next_target(R"({"count":null,"next":"http://nb/api/x/?start=5","previous":null,"results":[]})") ==
          std::optional<std::string>("/api/x/?start=5"));
    CHECK(codec::peek_next_target(R"({"count":3,"next":null,"previous":null,"results":[]})") == std::optional<std::string>(""));
    // Anything else is left to the full parse.
    CHECK_FALSE(codec::peek_next_target(R"({"count": 3, "next": "http://nb/api/x/?offset=1", "results": []})"));
    CHECK_FALSE(codec::peek_next_target(R"({"count":3,"results":[],"next":"http://nb/api/x/?offset=1"})"));
    CHECK_FALSE(codec::peek_next_target(R"({"count":3,"next":"http:\/\/nb\/api\/x\/?offset=1","results":[]})"));
    CHECK_FALSE(codec::peek_next_target(R"({"count":3,"next":"http://nb/api/x/?offset=1)"));
    CHECK_FALSE(codec::peek_next_target(R"({"count":3,"next":"","results":[]})"));
    CHECK_FALSE(codec::peek_next_target(R"({"count":-1,"next":null,"results":[]})"));
    CHECK_FALSE(codec::peek_next_target(""));
}

TEST_CASE("page: count, next and null count (cursor mode)") {
    auto page = codec::parse_server_page(R"({"count": 3, "next": "https://nb/api/plugins/windows-dhcp/servers/?limit=1&offset=1",
        "previous": null, "results": [{"id": 1, "name": "dhcp01", "hostname": "dhcp01.example.com", "port": 8443,
        "use_https": false, "verify_ssl": false, "sync_standalone_scopes": false,
        "tags": [{"id": 3, "slug": "dhcp-maintenance", "name": "Maint"}]}]})");
    REQUIRE(page);
    CHECK(page->count == 3);
    CHECK(page->next == "/api/plugins/windows-dhcp/servers/?limit=1&offset=1");
    REQUIRE(page->results.size() == 1);
    const auto& s = page->results[0];
    CHECK(s.id == 1);
    CHECK(s.name == "dhcp01");
    CHECK(s.hostname == "dhcp01.example.com");
    CHECK(s.port == 8443);
    CHECK_FALSE(s.use_https);
    CHECK_FALSE(s.verify_ssl);
    CHECK_FALSE(s.sync_standalone_scopes);
    CHECK(s.tags == std::vector<std::string>{"dhcp-maintenance"});

    auto cursor = codec::parse_server_page(R"({"count": null, "next": null, "previous": null, "results": []})");
    REQUIRE(cursor);
    CHECK_FALSE(cursor->count.has_value());
    CHECK(cursor->next.empty());
    CHECK(cursor->results.empty());
}

TEST_CASE("a body that is not a list page is an Error, a bad record is only skipped") {
    CHECK_FALSE(codec::parse_server_page("<html>502</html>"));
    CHECK_FALSE(codec::parse_server_page(R"({"detail": "nope"})"));
    CHECK_FALSE(codec::parse_server_page(R"([1,2])"));
    auto page = codec::parse_server_page(R"({"count": 2, "next": null, "results": [{"name": "no id"}, 5,
        {"id": 2, "name": "ok", "hostname": "h"}]})");
    REQUIRE(page);
    REQUIRE(page->results.size() == 1);
    CHECK(page->results[0].id == 2);
    CHECK(page->problems.size() == 2);
}

TEST_CASE("failover page") {
    auto page = codec::parse_failover_page(R"({"count": 1, "next": null, "results": [{"id": 4, "name": "FO-A",
        "primary_server": {"id": 1, "name": "dhcp01"}, "secondary_server": {"id": 2, "name": "dhcp02"},
        "mode": "HotStandby", "sync_enabled": false, "tags": []},
        {"id": 5, "name": "broken", "primary_server": null, "secondary_server": {"id": 2}}]})");
    REQUIRE(page);
    REQUIRE(page->results.size() == 1);
    const auto& f = page->results[0];
    CHECK(f.primary_server_id == 1);
    CHECK(f.secondary_server_id == 2);
    CHECK(f.mode == "HotStandby");
    CHECK_FALSE(f.sync_enabled);
    REQUIRE(page->problems.size() == 1);
    CHECK(page->problems[0].find("failover 5") == 0);
}

TEST_CASE("scope page: nested prefix/server/failover, router null or empty, exclusion ranges") {
    auto page = codec::parse_scope_page(R"({"count": 3, "next": null, "results": [
        {"id": 10, "name": "Building A", "prefix": {"id": 7, "prefix": "10.0.1.0/24", "family": 4},
         "start_ip": "10.0.1.10", "end_ip": "10.0.1.254", "router": "10.0.1.1", "lease_lifetime": 3600,
         "server": {"id": 1, "name": "dhcp01"}, "failover": null, "tags": [{"slug": "x"}],
         "exclusion_ranges": [{"id": 100, "start_ip": "10.0.1.20", "end_ip": "10.0.1.30"},
                              {"id": 101, "start_ip": "bogus", "end_ip": "10.0.1.40"}]},
        {"id": 11, "name": "B", "prefix": {"id": 8}, "start_ip": "10.0.2.10", "end_ip": "10.0.2.20",
         "router": "", "server": null, "failover": {"id": 4}},
        {"id": 12, "name": "C", "prefix": {"id": 9}, "start_ip": "10.0.3.300", "end_ip": "10.0.3.20", "router": null}]})");
    REQUIRE(page);
    REQUIRE(page->results.size() == 2);
    const auto& a = page->results[0];
    CHECK(a.id == 10);
    CHECK(a.name == "Building A");
    CHECK(a.prefix_id == 7);
    CHECK(a.start_ip == ip("10.0.1.10"));
    CHECK(a.end_ip == ip("10.0.1.254"));
    CHECK(a.router == ip("10.0.1.1"));
    CHECK(a.lease_lifetime == 3600);
    CHECK(a.server_id == 1);
    CHECK_FALSE(a.failover_id.has_value());
    REQUIRE(a.exclusion_ranges.size() == 1);
    CHECK(a.exclusion_ranges[0].id == 100);
    CHECK(a.exclusion_ranges[0].scope_id == 10);
    CHECK(a.exclusion_ranges[0].start_ip == ip("10.0.1.20"));
    const auto& b = page->results[1];
    CHECK_FALSE(b.router.has_value());
    CHECK(b.lease_lifetime == 86400);
    CHECK_FALSE(b.server_id.has_value());
    CHECK(b.failover_id == 4);
    // One note for the bad range of scope 10, one skip for scope 12.
    REQUIRE(page->problems.size() == 2);
    CHECK(page->problems[0].find("scope 10") == 0);
    CHECK(page->problems[0].find("bogus") != std::string::npos);
    CHECK(page->problems[1].find("scope 12") == 0);
    CHECK(page->problems[1].find("10.0.3.300") != std::string::npos);
}

TEST_CASE("prefix page: vrf null or nested, IPv6 skipped silently") {
    auto page = codec::parse_prefix_page(R"({"count": 3, "next": null, "results": [
        {"id": 1, "prefix": "10.0.1.0/24", "vrf": null, "tags": [{"slug": "dhcp-protect"}]},
        {"id": 2, "prefix": "10.0.1.0/24", "vrf": {"id": 5, "name": "RED"}, "tags": []},
        {"id": 3, "prefix": "2001:db8::/64", "family": {"value": 6, "label": "IPv6"}, "vrf": null}]})");
    REQUIRE(page);
    REQUIRE(page->results.size() == 2);
    CHECK(page->results[0].prefix == *Ipv4Network::parse("10.0.1.0/24"));
    CHECK_FALSE(page->results[0].vrf_id.has_value());
    CHECK(page->results[0].tags == std::vector<std::string>{"dhcp-protect"});
    CHECK(page->results[1].vrf_id == 5);
    CHECK(page->problems.empty());
}

TEST_CASE("ip address page: status shapes, client id normalised, null custom field, IPv6 skipped") {
    auto page = codec::parse_ip_address_page(R"({"count": 5, "next": null, "results": [
        {"id": 1, "family": {"value": 4, "label": "IPv4"}, "address": "10.0.1.5/24", "vrf": null,
         "status": {"value": "dhcp", "label": "DHCP"}, "dns_name": "pc1.example.com", "description": "d",
         "tags": [{"slug": "dhcp-sync"}], "custom_fields": {"dhcp_client_id": "AA:BB:CC:DD:EE:FF"}},
        {"id": 2, "address": "10.0.1.6/24", "vrf": {"id": 3}, "status": "reserved",
         "custom_fields": {"dhcp_client_id": null}},
        {"id": 3, "family": {"value": 6, "label": "IPv6"}, "address": "2001:db8::1/64"},
        {"id": 4, "address": "10.0.1.999/24"},
        {"id": 5, "address": "10.0.1.7/24", "custom_fields": {"dhcp_client_id": "01-aa-bb-cc-dd-ee-ff"}}]})");
    REQUIRE(page);
    REQUIRE(page->results.size() == 3);
    const auto& a = page->results[0];
    CHECK(a.address == ip("10.0.1.5"));
    CHECK(a.prefix_length == 24);
    CHECK_FALSE(a.vrf_id.has_value());
    CHECK(a.status == "dhcp");
    CHECK(a.dns_name == "pc1.example.com");
    CHECK(a.description == "d");
    CHECK(a.client_id == "aa-bb-cc-dd-ee-ff");
    CHECK(a.tags == std::vector<std::string>{"dhcp-sync"});
    CHECK(page->results[1].vrf_id == 3);
    CHECK(page->results[1].status == "reserved");
    CHECK(page->results[1].client_id.empty());
    CHECK(page->results[2].client_id == "01-aa-bb-cc-dd-ee-ff");  // not a MAC: kept verbatim
    REQUIRE(page->problems.size() == 1);
    CHECK(page->problems[0].find("ip_address 4") == 0);
}

TEST_CASE("status and authentication-check") {
    auto s = codec::parse_status(R"({"netbox-version": "4.6.8", "plugins": {"netbox_branching": "0.5", "netbox_windows_dhcp": "1.3.5"}})");
    REQUIRE(s);
    CHECK(s->netbox_version == "4.6.8");
    CHECK(s->plugin_installed);
    CHECK(s->plugin_version == "1.3.5");
    auto other = codec::parse_status(R"({"netbox-version": "4.7.1", "plugins": {"NetBox Windows-DHCP": null}})");
    REQUIRE(other);
    CHECK(other->plugin_installed);
    CHECK(other->plugin_version.empty());
    auto none = codec::parse_status(R"({"netbox-version": "4.5.0", "plugins": {}})");
    REQUIRE(none);
    CHECK_FALSE(none->plugin_installed);
    CHECK(codec::parse_username(R"({"id": 1, "username": "sync-bot"})").value() == "sync-bot");
    CHECK_FALSE(codec::parse_username(R"({"detail": "x"})"));
}

TEST_CASE("bulk response ids") {
    auto ids = codec::parse_ids(R"([{"id": 5}, {"id": 6}, {"x": 1}])");
    REQUIRE(ids);
    CHECK(*ids == std::vector<nds::engine::ObjectId>{5, 6, 0});
    CHECK_FALSE(codec::parse_ids(R"({"id": 5})"));
}

TEST_CASE("ip create element: ids as integers, tags by id, changelog message, empty fields omitted") {
    nds::engine::IpAddressCreate c;
    c.address = *nds::engine::Ipv4Interface::parse("10.0.1.5/24");
    c.vrf_id = 3;
    c.status = "dhcp";
    c.dns_name = "pc1.example.com";
    c.client_id = "aa-bb-cc-dd-ee-ff";
    c.tags = {"dhcp-sync"};
    auto o = codec::ip_create_element(c, {9}, "netbox-dhcp-sync job 12");
    CHECK(json::serialize(o) ==
          R"({"address":"10.0.1.5/24","vrf":3,"status":"dhcp","dns_name":"pc1.example.com","tags":[9],)"
          R"("custom_fields":{"dhcp_client_id":"aa-bb-cc-dd-ee-ff"},"changelog_message":"netbox-dhcp-sync job 12"})");
    CHECK(o.at("vrf").is_int64());

    nds::engine::IpAddressCreate bare;
    bare.address = *nds::engine::Ipv4Interface::parse("10.0.1.6/24");
    bare.status = "dhcp";
    auto b = codec::ip_create_element(bare, {}, "");
    CHECK(json::serialize(b) == R"({"address":"10.0.1.6/24","vrf":null,"status":"dhcp"})");
}

TEST_CASE("ip update element: only changed fields, client id cleared with null, tags as the full set") {
    nds::engine::IpAddressUpdate u;
    u.id = 42;
    u.dns_name = "";
    u.client_id = "";
    u.tags = std::vector<std::string>{"dhcp-sync", "keep"};
    auto o = codec::ip_update_element(u, {9, 4}, "m");
    CHECK(json::serialize(o) ==
          R"({"id":42,"dns_name":"","tags":[9,4],"custom_fields":{"dhcp_client_id":null},"changelog_message":"m"})");
    CHECK(o.at("id").is_int64());

    nds::engine::IpAddressUpdate s;
    s.id = 7;
    s.status = "reserved";
    s.client_id = "aa-bb-cc-dd-ee-ff";
    CHECK(json::serialize(codec::ip_update_element(s, {}, "")) ==
          R"({"id":7,"status":"reserved","custom_fields":{"dhcp_client_id":"aa-bb-cc-dd-ee-ff"}})");
}

TEST_CASE("prefix, scope, exclusion and delete elements") {
    nds::engine::PrefixCreate p;
    p.prefix = *Ipv4Network::parse("10.0.9.0/24");
    CHECK(json::serialize(codec::prefix_create_element(p, "m")) ==
          R"({"prefix":"10.0.9.0/24","vrf":null,"status":"active","changelog_message":"m"})");

    nds::engine::ScopeCreate c;
    c.name = "Building A";
    c.start_ip = ip("10.0.9.10");
    c.end_ip = ip("10.0.9.200");
    c.lease_lifetime = 7200;
    c.failover_id = 4;
    CHECK(json::serialize(codec::scope_create_element(c, 77, "m")) ==
          R"({"name":"Building A","prefix_id":77,"start_ip":"10.0.9.10","end_ip":"10.0.9.200","router":null,)"
          R"("lease_lifetime":7200,"server_id":null,"failover_id":4,"changelog_message":"m"})");
    c.router = ip("10.0.9.1");
    CHECK(codec::scope_create_element(c, 77, "").at("router").as_string() == "10.0.9.1");

    nds::engine::ScopeUpdate u;
    u.id = 10;
    u.name = "New";
    u.set_router = true;
    CHECK(json::serialize(codec::scope_update_element(u, "")) == R"({"id":10,"name":"New","router":null})");
    u.router = ip("10.0.9.254");
    u.lease_lifetime = 60;
    CHECK(json::serialize(codec::scope_update_element(u, "")) ==
          R"({"id":10,"name":"New","router":"10.0.9.254","lease_lifetime":60})");

    CHECK(json::serialize(codec::exclusion_create_element(10, ip("10.0.9.20"), ip("10.0.9.30"), "m")) ==
          R"({"scope_id":10,"start_ip":"10.0.9.20","end_ip":"10.0.9.30","changelog_message":"m"})");
    CHECK(json::serialize(codec::delete_element(99, "m")) == R"({"id":99,"changelog_message":"m"})");
    CHECK(json::serialize(codec::delete_element(99, "")) == R"({"id":99})");
    CHECK(json::serialize(codec::tag_create_element("dhcp-sync", "DHCP sync", "managed")) ==
          R"({"name":"DHCP sync","slug":"dhcp-sync","description":"managed","color":"9e9e9e"})");
}

TEST_CASE("join_array joins serialized elements in the given order") {
    std::vector<std::string> e{R"({"id":1})", R"({"id":2})", R"({"id":3})"};
    CHECK(codec::join_array(e, {2, 0}) == R"([{"id":3},{"id":1}])");
    CHECK(codec::join_array(e, {}) == "[]");
}

TEST_CASE("option code and option value pages (plugin §2.1): choice or plain data_type, nested definition") {
    auto codes = codec::parse_option_code_page(R"({"count": 3, "next": null, "results": [
        {"id": 1, "code": 6, "name": "DNS Servers", "data_type": "IPAddressList", "is_builtin": true, "vendor_class": ""},
        {"id": 2, "code": 252, "name": "WPAD", "data_type": {"value": "String", "label": "String"}, "vendor_class": "x"},
        {"id": 3, "name": "no code"}]})");
    REQUIRE(codes);
    REQUIRE(codes->results.size() == 2);
    CHECK(codes->results[0].code == 6);
    CHECK(codes->results[0].data_type == "IPAddressList");
    CHECK(codes->results[1].data_type == "String");
    CHECK(codes->results[1].vendor_class == "x");
    CHECK(codes->problems.size() == 1);

    auto values = codec::parse_option_value_page(R"({"count": 2, "next": null, "results": [
        {"id": 7, "option_definition": {"id": 1, "code": 6, "name": "DNS Servers"}, "value": "8.8.8.8, 8.8.4.4",
         "friendly_name": ""},
        {"id": 8, "value": "orphan"}]})");
    REQUIRE(values);
    REQUIRE(values->results.size() == 1);
    CHECK(values->results[0].definition_id == 1);
    CHECK(values->results[0].value == "8.8.8.8, 8.8.4.4");
    CHECK(values->problems.size() == 1);
}

TEST_CASE("import elements: failover write form, option code and value, scope option_value_ids") {
    nds::engine::FailoverCreate f;
    f.name = "FO-1";
    f.primary_server_id = 1;
    f.secondary_server_id = 2;
    f.mode = "HotStandby";
    auto fo = codec::failover_create_element(f, "job");
    CHECK(fo.at("primary_server_id").as_int64() == 1);
    CHECK(fo.at("secondary_server_id").as_int64() == 2);
    CHECK(fo.at("mode").as_string() == "HotStandby");
    CHECK(fo.at("state_switchover_interval").is_null());
    CHECK(fo.at("enable_auth").as_bool() == false);
    CHECK_FALSE(fo.contains("shared_secret"));
    CHECK(fo.at("changelog_message").as_string() == "job");

    nds::engine::OptionCodeCreate c;
    c.code = 252;
    c.name = "WPAD";
    auto code = codec::option_code_create_element(c, "");
    CHECK(code.at("code").as_int64() == 252);
    CHECK(code.at("data_type").as_string() == "String");
    CHECK(code.at("is_builtin").as_bool() == false);
    CHECK_FALSE(code.contains("changelog_message"));

    nds::engine::OptionValueCreate v;
    v.code = 252;
    v.value = "http://wpad/wpad.dat";
    auto value = codec::option_value_create_element(v, 40, "");
    CHECK(value.at("option_definition_id").as_int64() == 40);
    CHECK(value.at("value").as_string() == "http://wpad/wpad.dat");

    nds::engine::ScopeCreate s;
    s.name = "A";
    s.server_id = 1;
    CHECK_FALSE(codec::scope_create_element(s, 5, "").contains("option_value_ids"));
    s.option_values = {{70, 6, "8.8.8.8"}, {71, 252, "x"}};
    auto scope = codec::scope_create_element(s, 5, "");
    CHECK(json::serialize(scope.at("option_value_ids")) == "[70,71]");
}

TEST_CASE("the plugin's sync start line gives its lease and reservation status (Python reprs)") {
    auto s = codec::parse_sync_start_line(
        "Starting DHCP sync: sync_ip_addresses=True push_reservations=False push_scope_info=False "
        "sync_active_scopes_only=False protect_tag='keep' update_client_id=False lease_status='dhcp' "
        "reservation_status='reserved'");
    REQUIRE(s);
    CHECK(s->lease_status == "dhcp");
    CHECK(s->reservation_status == "reserved");
    auto quoted = codec::parse_sync_start_line("Starting DHCP sync: lease_status=\"it's\" reservation_status='a\\'b'");
    REQUIRE(quoted);
    CHECK(quoted->lease_status == "it's");
    CHECK(quoted->reservation_status == "a'b");
    CHECK_FALSE(codec::parse_sync_start_line("=== Health Check Phase ==="));
    CHECK_FALSE(codec::parse_sync_start_line("Starting DHCP sync: lease_status='dhcp'"));
}

TEST_CASE("HTTP dates and NetBox filter times") {
    auto t = codec::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    REQUIRE(t);
    CHECK(codec::iso_utc(*t) == "1994-11-06T08:49:37Z");
    CHECK_FALSE(codec::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
    CHECK_FALSE(codec::parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"));
    CHECK_FALSE(codec::parse_http_date(""));
}

TEST_CASE("tag ids nested in a page are collected for writes by id") {
    auto page = codec::parse_ip_address_page(R"({"count":1,"next":null,"results":[{"id":1,"address":"10.0.1.1/24",
        "tags":[{"id":9,"slug":"dhcp-sync"},{"slug":"no-id"}]}]})");
    REQUIRE(page);
    CHECK(page->tag_ids == std::map<std::string, nds::engine::ObjectId>{{"dhcp-sync", 9}});
    CHECK(page->results.at(0).tags == std::vector<std::string>{"dhcp-sync", "no-id"});
}

TEST_CASE("NetBox date/times: Z, offsets, microseconds, and bad input") {
    auto z = codec::parse_iso_datetime("2026-09-01T10:00:00.250000Z");
    REQUIRE(z);
    CHECK(codec::iso_utc(*z) == "2026-09-01T10:00:00Z");
    auto offset = codec::parse_iso_datetime("2026-09-01T12:00:00+02:00");
    REQUIRE(offset);
    CHECK(codec::iso_utc(*offset) == "2026-09-01T10:00:00Z");
    CHECK(*z - *offset == std::chrono::milliseconds(250));
    CHECK(codec::parse_iso_datetime("2026-09-01 10:00:00"));
    CHECK_FALSE(codec::parse_iso_datetime("2026-13-01T10:00:00Z"));
    CHECK_FALSE(codec::parse_iso_datetime("yesterday"));
    CHECK_FALSE(codec::parse_iso_datetime("2026-09-01T10:00:00+0200"));
}
