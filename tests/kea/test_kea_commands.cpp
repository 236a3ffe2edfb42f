// Kea command JSON and answer parsing (kea_client/kea_commands.hpp), without sockets.
#include "kea_client/kea_commands.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace kea = nds::kea;
namespace json = boost::json;
using nds::errc;

namespace {
const kea::CommandContext ctx{"kea01", "lease4-get-page", "http://127.0.0.1:8000/"};
}

TEST_CASE("command bodies: service for the Control Agent, none for Kea's own socket") {
    CHECK(json::parse(kea::command_body("config-get", "dhcp4")) == json::parse(R"({"command":"config-get","service":["dhcp4"]})"));
    CHECK(json::parse(kea::command_body("config-get", "")) == json::parse(R"({"command":"config-get"})"));
    auto args = kea::lease_page_arguments(std::nullopt, 500);
    CHECK(json::parse(kea::command_body("lease4-get-page", "dhcp4", &args)) ==
          json::parse(R"({"command":"lease4-get-page","service":["dhcp4"],"arguments":{"from":"start","limit":500}})"));
    auto next = kea::lease_page_arguments(nds::engine::Ipv4Address::parse("10.0.0.7"), 500);
    CHECK(json::value(next) == json::parse(R"({"from":"10.0.0.7","limit":500})"));
    CHECK(json::value(kea::lease_get_all_arguments(4)) == json::parse(R"({"subnets":[4]})"));
}

TEST_CASE("basic authorization header") {
    CHECK(kea::basic_authorization("admin", "s3cret") == "Basic YWRtaW46czNjcmV0");
    CHECK(kea::basic_authorization("a", "") == "Basic YTo=");
    CHECK(kea::basic_authorization("ab", "") == "Basic YWI6");
}

TEST_CASE("answers: the result codes") {
    auto ok = kea::parse_answer(ctx, 200, R"([{"result":0,"text":"fine","arguments":{"x":1}}])");
    REQUIRE(ok);
    CHECK(ok->result == 0);
    CHECK(ok->text == "fine");
    auto args = kea::expect_result(ctx, *ok, false);
    REQUIRE(args);
    CHECK(args->at("x") == 1);

    auto empty = kea::parse_answer(ctx, 200, R"([{"result":3,"text":"0 IPv4 lease(s) found.","arguments":{"leases":[],"count":0}}])");
    REQUIRE(empty);
    CHECK(kea::expect_result(ctx, *empty, true));
    auto not_found = kea::expect_result(ctx, *empty, false);
    REQUIRE_FALSE(not_found);
    CHECK(not_found.error().is(errc::not_found));

    auto refused = kea::parse_answer(ctx, 200, R"([{"result":1,"text":"subnet configuration failed: bad pool"}])");
    REQUIRE(refused);
    auto r = kea::expect_result(ctx, *refused, true);
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::refused));
    CHECK(r.error().message.find("subnet configuration failed: bad pool") != std::string::npos);
    CHECK(r.error().message.find("kea01") != std::string::npos);
    CHECK(r.error().message.find("lease4-get-page") != std::string::npos);

    auto unsupported = kea::parse_answer(ctx, 200, R"([{"result":2,"text":"'lease4-get-page' command not supported."}])");
    REQUIRE(unsupported);
    auto u = kea::expect_result(ctx, *unsupported, true);
    REQUIRE_FALSE(u);
    CHECK(u.error().is(errc::unsupported));

    auto odd = kea::parse_answer(ctx, 200, R"([{"result":7}])");
    REQUIRE(odd);
    CHECK(kea::expect_result(ctx, *odd, true).error().is(errc::malformed));
}

TEST_CASE("answers: malformed ones name the command") {
    for (const char* body : {"not json", R"({"result":0})", "[]", "[1]", R"([{"text":"no result"}])", R"([{"result":"0"}])"}) {
        CAPTURE(body);
        auto a = kea::parse_answer(ctx, 200, body);
        REQUIRE_FALSE(a);
        CHECK(a.error().is(errc::malformed));
        CHECK(a.error().message.find("kea01: Kea lease4-get-page") != std::string::npos);
    }
}

TEST_CASE("answers: the Control Agent's 400 and 401 objects") {
    auto bad = kea::parse_answer(ctx, 400, R"({ "result": 400, "text": "Bad Request" })");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().is(errc::http_status));
    CHECK(bad.error().http_status == 400);
    CHECK(bad.error().message.find("Bad Request") != std::string::npos);
    auto unauthorized = kea::parse_answer(ctx, 401, R"({ "result": 401, "text": "Unauthorized" })");
    REQUIRE_FALSE(unauthorized);
    CHECK(unauthorized.error().is(errc::authentication));
    CHECK(unauthorized.error().http_status == 401);
}

TEST_CASE("leases: fields, states kept for the caller, bad records reported") {
    auto args = json::parse(R"({"count": 4, "leases": [
        {"cltt": 1795419056, "hostname": "pc1", "hw-address": "1A:1B:1C:1D:1E:1F", "ip-address": "10.0.0.20",
         "state": 0, "subnet-id": 1, "valid-lft": 3600},
        {"client-id": "01:02:00:00:00:00:02", "ip-address": "10.0.0.21", "state": 1, "subnet-id": 1},
        {"ip-address": "10.0.0.999", "subnet-id": 2},
        {"ip-address": "10.0.0.30", "state": 2}
    ]})");
    auto batch = kea::parse_leases(ctx, args);
    REQUIRE(batch);
    CHECK(batch->records == 4);
    REQUIRE(batch->leases.size() == 2);
    CHECK(batch->leases[0].ip.to_string() == "10.0.0.20");
    CHECK(batch->leases[0].client_id == "1a-1b-1c-1d-1e-1f");
    CHECK(batch->leases[0].hostname == "pc1");
    CHECK(batch->leases[0].expiry == "2026-11-23T08:30:56Z");
    CHECK(batch->leases[0].state == 0);
    CHECK(batch->leases[1].state == 1);
    CHECK(batch->leases[1].client_id == "01-02-00-00-00-00-02");  // every hex client id normalised (client_id.hpp)
    REQUIRE(batch->problems.size() == 2);
    CHECK(batch->problems[0].subnet_id == 2);
    CHECK(batch->problems[0].what.find("10.0.0.999") != std::string::npos);
    CHECK_FALSE(batch->problems[1].subnet_id);
    CHECK(batch->last_address->to_string() == "10.0.0.30");

    auto none = kea::parse_leases(ctx, json::value());  // result 3 without arguments
    REQUIRE(none);
    CHECK(none->records == 0);
    CHECK(kea::parse_leases(ctx, json::parse(R"({"leases": {}})")).error().is(errc::malformed));
}

TEST_CASE("list-commands and status-get with HA") {
    auto commands = kea::parse_command_list(ctx, json::parse(R"(["config-get", "lease4-get-page", 3])"));
    REQUIRE(commands);
    CHECK(commands->count("lease4-get-page"));
    CHECK(commands->size() == 2);
    CHECK_FALSE(kea::parse_command_list(ctx, json::parse("{}")));

    auto plain = kea::parse_ha_status(ctx, json::parse(R"({"pid": 1, "sockets": {"status": "ready"}})"));
    REQUIRE(plain);
    CHECK(plain->empty());

    auto ha = kea::parse_ha_status(ctx, json::parse(R"({"high-availability": [{"ha-mode": "hot-standby",
        "ha-servers": {"local": {"role": "primary", "scopes": ["kea-a"], "state": "partner-down"},
                       "remote": {"in-touch": true, "role": "standby", "last-state": "unavailable",
                                  "communication-interrupted": true}}}]})"));
    REQUIRE(ha);
    REQUIRE(ha->size() == 1);
    CHECK((*ha)[0].state == "partner-down");
    CHECK((*ha)[0].remote_role == "standby");
    CHECK(kea::partner_down(*ha));
    auto warnings = kea::ha_warnings("kea01", *ha);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("DOWN") != std::string::npos);

    auto healthy = kea::parse_ha_status(ctx, json::parse(R"({"high-availability": [{"ha-mode": "hot-standby",
        "ha-servers": {"local": {"role": "standby", "state": "hot-standby"},
                       "remote": {"in-touch": true, "role": "primary", "last-state": "hot-standby"}}}]})"));
    REQUIRE(healthy);
    CHECK(kea::ha_warnings("kea02", *healthy).empty());
    CHECK_FALSE(kea::partner_down(*healthy));

    auto syncing = kea::parse_ha_status(ctx, json::parse(R"({"high-availability": [{"ha-mode": "load-balancing",
        "ha-servers": {"local": {"role": "secondary", "state": "syncing"},
                       "remote": {"in-touch": false, "role": "primary"}}}]})"));
    REQUIRE(syncing);
    CHECK(kea::ha_warnings("kea02", *syncing).empty());  // after every config-set: not worth a warning

    auto terminated = kea::parse_ha_status(ctx, json::parse(R"({"high-availability": [{"ha-mode": "load-balancing",
        "ha-servers": {"local": {"role": "secondary", "state": "terminated"},
                       "remote": {"in-touch": true, "role": "primary", "last-state": "in-maintenance"}}}]})"));
    REQUIRE(terminated);
    auto w = kea::ha_warnings("kea02", *terminated);
    REQUIRE(w.size() == 2);
    CHECK(w[0].find("'terminated'") != std::string::npos);
    CHECK(w[1].find("'in-maintenance'") != std::string::npos);
}

TEST_CASE("host_cmds: the commands of the path this machine's Kea cannot run") {
    json::object reservation{{"hw-address", "aa:bb:cc:dd:ee:ff"}, {"ip-address", "10.0.0.5"}, {"hostname", "pc5"}};
    CHECK(json::value(kea::reservation_add_arguments(7, reservation)) ==
          json::parse(R"({"reservation": {"hw-address": "aa:bb:cc:dd:ee:ff", "ip-address": "10.0.0.5",
                                          "hostname": "pc5", "subnet-id": 7}})"));
    CHECK(json::value(kea::reservation_del_arguments(7, "hw-address", "aa:bb:cc:dd:ee:ff")) ==
          json::parse(R"({"subnet-id": 7, "identifier-type": "hw-address", "identifier": "aa:bb:cc:dd:ee:ff"})"));
    CHECK(json::value(kea::reservation_get_page_arguments(7, 100, std::nullopt)) ==
          json::parse(R"({"subnet-id": 7, "limit": 100})"));
    CHECK(json::value(kea::reservation_get_page_arguments(7, 100, kea::HostPageCursor{1234567, 1})) ==
          json::parse(R"({"subnet-id": 7, "limit": 100, "from": 1234567, "source-index": 1})"));

    auto page = kea::parse_host_page(ctx, json::parse(R"({"count": 1, "hosts": [{"hw-address": "01:02:03:04:05:06",
        "ip-address": "192.0.2.100"}], "next": {"from": 1234567, "source-index": 1}})"));
    REQUIRE(page);
    CHECK(page->hosts.size() == 1);
    REQUIRE(page->next);
    CHECK(*page->next == kea::HostPageCursor{1234567, 1});
    auto last = kea::parse_host_page(ctx, json::parse(R"({"count": 0, "hosts": []})"));
    REQUIRE(last);
    CHECK_FALSE(last->next);
    CHECK(kea::parse_host_page(ctx, json::parse(R"({"hosts": [1]})")).error().is(errc::malformed));
}
