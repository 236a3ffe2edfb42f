// The NetBox client against the NetBox simulator (a process, answering as NetBox 4.6 with plugin v1.3.5):
// rejected bulk writes are split until the bad object is alone, tags go by id, populated ranges and the
// plugin's sync job are read, and NetBox 4.7 without the plugin is named as such.
#include "netbox_client/netbox_client.hpp"
#include "netbox_client/netbox_json.hpp"
#include "tests/sim/netbox_sim_test_client.hpp"
#include "util/async.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace nds::testing;
namespace asio = boost::asio;
namespace json = boost::json;
using nds::netbox::NetBoxClient;

namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kBlindToken = "blind789abcdef0123456789abcdef01234567ab";  // may not view tags or jobs

struct ClientWorld {
    Simulator sim{NDS_NETBOX_SIM, {}};
    asio::io_context io;

    ClientWorld() {
        sim.seed(json::object{
            {"users", json::array{json::object{{"username", "alice"}, {"token", kToken}},
                                  json::object{{"username", "blind"}, {"token", kBlindToken},
                                               {"can_view_tags", false}, {"can_view_jobs", false}}}},
            {"tags", json::array{json::object{{"name", "dhcp-sync"}, {"slug", "dhcp-sync"}}}},
            {"servers", json::array{json::object{{"name", "dhcp01"}}}},
            {"scopes", json::array{json::object{{"name", "A"}, {"prefix", "10.10.1.0/24"}, {"start_ip", "10.10.1.10"},
                                                {"end_ip", "10.10.1.200"}, {"server", "dhcp01"},
                                                {"exclusion_ranges", json::array{json::object{{"start_ip", "10.10.1.1"},
                                                                                              {"end_ip", "10.10.1.9"}}}}}}},
            {"ip_addresses", json::array{json::object{{"address", "10.10.1.20/24"}, {"tags", json::array{"dhcp-sync"}}},
                                         json::object{{"address", "10.10.1.21/24"},
                                                      {"tunnel_termination", json::object{{"tunnel", "HQ"}, {"id", 3}}}},
                                         json::object{{"address", "10.10.1.22/24"}}}},
            {"ip_ranges", json::array{json::object{{"start_address", "10.10.1.100/24"}, {"end_address", "10.10.1.150/24"},
                                                   {"mark_populated", true}},
                                      json::object{{"start_address", "10.10.2.1/24"}, {"end_address", "10.10.2.9/24"},
                                                   {"mark_populated", true}}}}});
    }

    nds::netbox::NetBoxOptions options(const char* token = kToken) const {
        nds::netbox::NetBoxOptions o;
        o.url = sim.url();
        o.token = token;
        o.changelog_message = "netbox-dhcp-sync test";
        o.http.max_retries = 0;
        return o;
    }

    template <class T>
    T run(asio::awaitable<T> operation) { return nds::run_to_completion(io, std::move(operation)); }
};

nds::engine::ExclusionRangeCreate range(const char* start, const char* end) {
    nds::engine::ExclusionRangeCreate c;
    c.scope_id = 1;
    c.start_ip = *nds::engine::Ipv4Address::parse(start);
    c.end_ip = *nds::engine::Ipv4Address::parse(end);
    c.note.object = std::string(start) + "-" + end;
    return c;
}

std::vector<nds::engine::PrefixToRead> scope_prefix() {
    return {{*nds::engine::Ipv4Network::parse("10.10.1.0/24"), std::nullopt}};
}

}  // namespace

TEST_CASE("client and simulator: duplicate exclusion ranges are isolated from a 500 IntegrityError, the rest created") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options());
    std::vector<nds::engine::ExclusionRangeCreate> creates{range("10.10.1.201", "10.10.1.202"), range("10.10.1.1", "10.10.1.9"),
                                                           range("10.10.1.203", "10.10.1.204"), range("10.10.1.203", "10.10.1.204")};
    auto report = w.run(client.create_exclusion_ranges(creates));
    CHECK(report.applied == 2);
    REQUIRE(report.failures.size() == 2);
    for (const auto& f : report.failures) CHECK(f.error.find("IntegrityError: duplicate key value violates unique constraint") == 0);
    CHECK(report.failures[0].object == "10.10.1.1-10.10.1.9");        // against the existing range
    CHECK(report.failures[1].object == "10.10.1.203-10.10.1.204");    // the second of two equal new ones
    CHECK(w.sim.state().at("exclusion_ranges").as_array().size() == 3);
}

TEST_CASE("client and simulator: a bulk delete holding a protected IP deletes the others and reports that one") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options());
    std::vector<nds::engine::IpAddressDelete> deletes(3);
    for (int i = 0; i < 3; ++i) {
        deletes[i].id = i + 1;
        deletes[i].note.object = "ip " + std::to_string(i + 1);
    }
    auto report = w.run(client.delete_ip_addresses(deletes));
    CHECK(report.applied == 2);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].object == "ip 2");
    CHECK(report.failures[0].error == "Unable to delete object. 1 dependent objects were found: HQ: Termination 3 (3)");
    CHECK(w.sim.state().at("ip_addresses").as_array().size() == 1);
}

TEST_CASE("client and simulator: a token that may not view tags writes the managed tag by the id its reads gave") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options(kBlindToken));
    auto ips = w.run(client.list_ip_addresses(scope_prefix()));
    REQUIRE(ips);
    nds::engine::IpAddressCreate c;
    c.address = *nds::engine::Ipv4Interface::parse("10.10.1.30/24");
    c.status = "active";
    c.tags = {"dhcp-sync"};
    c.note.object = "10.10.1.30/24";
    std::vector<nds::engine::IpAddressCreate> creates{c};
    auto report = w.run(client.create_ip_addresses(creates));
    CHECK(report.failures.empty());
    CHECK(report.applied == 1);
    auto created = sim_call(w.sim, std::string("Token ") + kToken, "GET", "/api/ipam/ip-addresses/?address=10.10.1.30");
    CHECK(created.body.at("results").at(0).at("tags").at(0).at("slug").as_string() == "dhcp-sync");

    // A client that never read the tag cannot look it up with this token: the object fails, nothing is sent.
    NetBoxClient fresh(w.io.get_executor(), w.options(kBlindToken));
    c.address = *nds::engine::Ipv4Interface::parse("10.10.1.31/24");
    creates = {c};
    auto refused = w.run(fresh.create_ip_addresses(creates));
    REQUIRE(refused.failures.size() == 1);
    CHECK(refused.failures[0].error.find("has no known NetBox id") != std::string::npos);
}

TEST_CASE("client and simulator: the managed tag's id from ensure_tag, populated ranges of the scope's prefix") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options());
    auto tag = w.run(client.ensure_tag("dhcp-sync", "dhcp-sync", ""));
    REQUIRE(tag);
    CHECK_FALSE(*tag);
    nds::engine::IpAddressCreate inside;
    inside.address = *nds::engine::Ipv4Interface::parse("10.10.1.120/24");
    inside.tags = {"dhcp-sync"};
    inside.note.object = "10.10.1.120/24";
    std::vector<nds::engine::IpAddressCreate> creates{inside};
    auto report = w.run(client.create_ip_addresses(creates));  // NetBox refuses it: the engine's rule avoids this
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].error == "address: Cannot create IP address 10.10.1.120/24 inside range 10.10.1.100-150/24.");

    auto ranges = w.run(client.list_populated_ranges(scope_prefix()));
    REQUIRE(ranges);
    REQUIRE(ranges->size() == 1);  // 10.10.2.1-9 is outside the prefix
    CHECK(ranges->front().display == "10.10.1.100-150/24");
    CHECK(ranges->front().start == *nds::engine::Ipv4Address::parse("10.10.1.100"));
    CHECK(ranges->front().end == *nds::engine::Ipv4Address::parse("10.10.1.150"));
    CHECK(client.netbox_date());
}

TEST_CASE("client and simulator: the plugin's sync job, and a token that may not read jobs") {
    ClientWorld w;
    w.sim.seed(json::object{{"jobs", json::array{
        json::object{{"name", "Windows DHCP Sync"}, {"status", "scheduled"}, {"interval", 60}},
        json::object{{"name", "Windows DHCP Sync"}, {"status", "completed"}, {"interval", 60},
                     {"started", "2020-01-01T00:00:00Z"}, {"completed", "2020-01-01T00:01:00Z"},
                     {"log", json::array{"Starting DHCP sync: lease_status='old' reservation_status='old'"}}}}}});
    NetBoxClient client(w.io.get_executor(), w.options());
    auto jobs = w.run(client.plugin_sync_jobs());
    REQUIRE(jobs);
    CHECK(jobs->active());
    CHECK(jobs->queued.size() == 1);
    CHECK(jobs->recent.empty());  // finished years ago on NetBox's clock
    CHECK(jobs->lease_status.empty());

    // A run that finished a minute ago on NetBox's clock, which runs an hour ahead of ours.
    w.sim.post("/_sim/config", json::object{{"clock_offset_seconds", 3600}});
    auto now = std::chrono::system_clock::now() + std::chrono::hours(1) - std::chrono::minutes(1);
    w.sim.seed(json::object{{"jobs", json::array{json::object{
        {"name", "Windows DHCP Sync"}, {"status", "completed"}, {"completed", nds::netbox::json_codec::iso_utc(now)},
        {"log", json::array{"Starting DHCP sync: sync_ip_addresses=True lease_status='dhcp' reservation_status='reserved'",
                            "Skipping server dhcp02: maintenance mode enabled",
                            "Skipping server dhcp03: unreachable"}}}}}});
    jobs = w.run(client.plugin_sync_jobs(std::chrono::minutes(30)));
    REQUIRE(jobs);
    REQUIRE(jobs->recent.size() == 1);
    CHECK(jobs->lease_status == "dhcp");
    CHECK(jobs->reservation_status == "reserved");
    CHECK(jobs->maintenance_servers == std::vector<std::string>{"dhcp02"});  // unreachable is not maintenance

    NetBoxClient blind(w.io.get_executor(), w.options(kBlindToken));
    auto denied = w.run(blind.plugin_sync_jobs());
    REQUIRE_FALSE(denied);
    CHECK(denied.error().is(nds::errc::refused));
}

TEST_CASE("client and simulator: NetBox 4.7 without the plugin") {
    ClientWorld w;
    w.sim.post("/_sim/config", json::object{{"api_version", "4.7"}});
    NetBoxClient client(w.io.get_executor(), w.options());
    auto status = w.run(client.status());
    REQUIRE(status);
    CHECK_FALSE(status->plugin_installed);
    CHECK(status->plugin_problem.find("NetBox 4.7.1 does not load the netbox-windows-dhcp plugin") == 0);
    auto scopes = w.run(client.list_scopes());
    REQUIRE_FALSE(scopes);
    CHECK(scopes.error().is(nds::errc::unsupported));
    CHECK(scopes.error().message.find("not loaded by NetBox 4.7") != std::string::npos);
    w.sim.post("/_sim/config", json::object{{"plugin_supports_47", true}});
    CHECK(w.run(client.plugin_status()));
    CHECK(w.run(client.list_scopes()));
}

namespace {

// Canonical text of what the engine gets, to compare a narrowed read with a full one field by field.
std::string text(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& t : tags) out += t + ",";
    return out;
}
std::string text(const std::optional<nds::engine::ObjectId>& id) { return id ? std::to_string(*id) : "-"; }
std::string text(const nds::engine::NetBoxServer& s) {
    return std::to_string(s.id) + s.name + "|" + s.hostname + "|" + std::to_string(s.port) + std::to_string(s.use_https) +
           std::to_string(s.verify_ssl) + std::to_string(s.sync_standalone_scopes) + text(s.tags);
}
std::string text(const nds::engine::NetBoxFailover& f) {
    return std::to_string(f.id) + f.name + "|" + std::to_string(f.primary_server_id) + "|" +
           std::to_string(f.secondary_server_id) + f.mode + std::to_string(f.sync_enabled) + text(f.tags);
}
std::string text(const nds::engine::NetBoxScope& s) {
    std::string out = std::to_string(s.id) + s.name + "|" + std::to_string(s.prefix_id) + s.start_ip.to_string() +
                      s.end_ip.to_string() + (s.router ? s.router->to_string() : "-") + std::to_string(s.lease_lifetime) +
                      text(s.server_id) + text(s.failover_id) + text(s.tags);
    for (const auto& r : s.exclusion_ranges)
        out += "[" + std::to_string(r.id) + r.start_ip.to_string() + r.end_ip.to_string() + std::to_string(r.scope_id) + "]";
    return out;
}
std::string text(const nds::engine::NetBoxPrefix& p) { return std::to_string(p.id) + p.prefix.to_string() + text(p.vrf_id) + text(p.tags); }
std::string text(const nds::engine::NetBoxIpAddress& ip) {
    return std::to_string(ip.id) + ip.address.to_string() + "/" + std::to_string(ip.prefix_length) + text(ip.vrf_id) +
           ip.status + "|" + ip.dns_name + "|" + ip.client_id + "|" + ip.description + "|" + text(ip.tags);
}
std::string text(const nds::engine::NetBoxOptionCode& c) {
    return std::to_string(c.id) + std::to_string(c.code) + c.name + c.data_type + c.vendor_class;
}
std::string text(const nds::engine::NetBoxOptionValue& v) {
    return std::to_string(v.id) + std::to_string(v.definition_id) + v.value + "|" + v.friendly_name;
}
std::string text(const nds::engine::NetBoxIpRange& r) {
    return std::to_string(r.id) + r.start.to_string() + r.end.to_string() + std::to_string(r.prefix_length) + text(r.vrf_id) +
           std::to_string(r.mark_populated) + r.display;
}

template <class T>
std::vector<std::string> texts(const std::vector<T>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(text(i));
    return out;
}

/// Every record of `path` as NetBox renders it in full (no fields=), parsed by the client's own parser.
template <class Parse>
auto full_read(Simulator& sim, const std::string& path, Parse parse) {
    auto r = http_call(sim.port(), "GET", path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=0",
                       "", {{"Authorization", std::string("Token ") + kToken}});
    REQUIRE(r.status == 200);
    auto page = parse(r.body);
    REQUIRE(page);
    REQUIRE(page->next.empty());
    return std::move(page->results);
}

}  // namespace

TEST_CASE("client and simulator: every list read asks for its fields, and gets what a full read would give") {
    ClientWorld w;
    w.sim.seed(json::object{
        {"tags", json::array{json::object{{"name", "keep"}}, json::object{{"name", "dhcp-maintenance"}}}},
        {"vrfs", json::array{json::object{{"name", "Blue"}, {"rd", "65000:1"}}}},
        {"prefixes", json::array{json::object{{"prefix", "10.20.0.0/16"}, {"vrf", "Blue"}, {"tags", json::array{"keep"}}}}},
        {"servers", json::array{json::object{{"name", "dhcp02"}, {"hostname", "dhcp02.example.com"}, {"port", 8443},
                                             {"use_https", false}, {"verify_ssl", false}, {"sync_standalone_scopes", false},
                                             {"tags", json::array{"dhcp-maintenance"}}}}},
        {"failovers", json::array{json::object{{"name", "FO"}, {"primary_server", "dhcp01"}, {"secondary_server", "dhcp02"},
                                               {"mode", "HotStandby"}, {"sync_enabled", false}, {"tags", json::array{"keep"}}}}},
        {"option_codes", json::array{json::object{{"code", 6}, {"name", "DNS"}, {"data_type", "IPAddressList"}, {"vendor_class", "MSFT"}}}},
        {"option_values", json::array{json::object{{"code", 6}, {"value", "8.8.8.8"}, {"friendly_name", "google"}}}},
        {"scopes", json::array{json::object{{"name", "B"}, {"prefix", "10.20.0.0/16"}, {"vrf", "Blue"}, {"start_ip", "10.20.1.1"},
                                            {"end_ip", "10.20.9.9"}, {"router", ""}, {"lease_lifetime", 3600},
                                            {"failover", "FO"}, {"tags", json::array{"keep"}}}}},
        {"ip_addresses", json::array{json::object{{"address", "10.20.1.5/16"}, {"vrf", "Blue"}, {"status", "reserved"},
                                                  {"dns_name", "pc.example.com"}, {"description", "desk"},
                                                  {"tags", json::array{"dhcp-sync", "keep"}},
                                                  {"custom_fields", json::object{{"dhcp_client_id", "AA:BB:CC:DD:EE:FF"}}}}}},
        {"ip_ranges", json::array{json::object{{"start_address", "10.20.5.1/16"}, {"end_address", "10.20.5.9/16"},
                                               {"vrf", "Blue"}, {"mark_populated", true}}}}});
    w.sim.reset_stats();
    NetBoxClient client(w.io.get_executor(), w.options());
    namespace codec = nds::netbox::json_codec;
    const std::vector<nds::engine::PrefixToRead> prefixes{{*nds::engine::Ipv4Network::parse("10.10.1.0/24"), std::nullopt},
                                                          {*nds::engine::Ipv4Network::parse("10.20.0.0/16"), 1}};

    auto servers = w.run(client.list_servers());
    auto failovers = w.run(client.list_failovers());
    auto scopes = w.run(client.list_scopes());
    auto by_id = w.run(client.list_prefixes_by_id({1, 2}));
    auto by_tag = w.run(client.list_prefixes_by_tag("keep"));
    auto found = w.run(client.find_prefixes({*nds::engine::Ipv4Network::parse("10.20.0.0/16")}));
    auto ips = w.run(client.list_ip_addresses(prefixes));
    auto codes = w.run(client.list_option_codes());
    auto values = w.run(client.list_option_values());
    auto ranges = w.run(client.list_populated_ranges(prefixes));
    REQUIRE((servers && failovers && scopes && by_id && by_tag && found && ips && codes && values && ranges));
    CHECK(w.run(client.ensure_tag("keep", "keep", "")));

    // Every record the client read was rendered narrowed: it never asked for a full object.
    auto stats = w.sim.stats();
    CHECK(stats.at("objects_rendered").as_int64() > 0);
    CHECK(stats.at("objects_rendered_narrow").as_int64() == stats.at("objects_rendered").as_int64());

    CHECK(texts(*servers) == texts(full_read(w.sim, "/api/plugins/windows-dhcp/servers/", codec::parse_server_page)));
    CHECK(texts(*failovers) == texts(full_read(w.sim, "/api/plugins/windows-dhcp/failover/", codec::parse_failover_page)));
    CHECK(texts(*scopes) == texts(full_read(w.sim, "/api/plugins/windows-dhcp/scopes/", codec::parse_scope_page)));
    CHECK(texts(*by_id) == texts(full_read(w.sim, "/api/ipam/prefixes/", codec::parse_prefix_page)));
    CHECK(texts(*by_tag) == texts(full_read(w.sim, "/api/ipam/prefixes/?tag=keep", codec::parse_prefix_page)));
    CHECK(texts(*found) == texts(full_read(w.sim, "/api/ipam/prefixes/?prefix=10.20.0.0/16", codec::parse_prefix_page)));
    CHECK(texts(*ips) == texts(full_read(w.sim, "/api/ipam/ip-addresses/", codec::parse_ip_address_page)));
    CHECK(texts(*codes) == texts(full_read(w.sim, "/api/plugins/windows-dhcp/option-codes/", codec::parse_option_code_page)));
    CHECK(texts(*values) == texts(full_read(w.sim, "/api/plugins/windows-dhcp/option-values/", codec::parse_option_value_page)));
    auto all_ranges = full_read(w.sim, "/api/ipam/ip-ranges/?mark_populated=true", codec::parse_ip_range_page);
    std::erase_if(all_ranges, [](const nds::engine::NetBoxIpRange& r) { return r.id == 2; });  // 10.10.2.1-9: no overlap
    CHECK(texts(*ranges) == texts(all_ranges));
    CHECK(ips->size() == 4);
    CHECK(scopes->size() == 2);
    CHECK(ranges->size() == 2);
}

TEST_CASE("client and simulator: IPs changed since a watermark, deletes from the change log, and its reach") {
    ClientWorld w;
    NetBoxClient client(w.io.get_executor(), w.options());
    std::vector<nds::engine::IpAddressDelete> first(1);
    first[0].id = 3;
    REQUIRE(w.run(client.delete_ip_addresses(first)).applied == 1);  // the log's oldest record
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the Date header has whole seconds
    REQUIRE(w.run(client.list_scopes()));
    REQUIRE(client.netbox_date());
    auto watermark = *client.netbox_date();

    nds::engine::IpAddressCreate c;
    c.address = *nds::engine::Ipv4Interface::parse("10.10.1.40/24");
    c.tags = {"dhcp-sync"};
    std::vector<nds::engine::IpAddressCreate> creates{c};
    REQUIRE(w.run(client.ensure_tag("dhcp-sync", "dhcp-sync", "")));
    REQUIRE(w.run(client.create_ip_addresses(creates)).applied == 1);
    std::vector<nds::engine::IpAddressDelete> second(1);
    second[0].id = 1;
    REQUIRE(w.run(client.delete_ip_addresses(second)).applied == 1);

    auto changed = w.run(client.list_ip_addresses_changed_since(scope_prefix(), watermark));
    REQUIRE(changed);
    REQUIRE(changed->size() == 1);
    CHECK(changed->front().address == *nds::engine::Ipv4Address::parse("10.10.1.40"));
    auto deleted = w.run(client.deleted_since("ipam.ipaddress", watermark));
    REQUIRE(deleted);
    CHECK(deleted->ids == std::vector<nds::engine::ObjectId>{1});  // not 3: deleted before the watermark
    CHECK(deleted->complete);
    REQUIRE(deleted->oldest_change);
    CHECK(*deleted->oldest_change <= watermark);

    // NetBox's clock two hours on with one hour of retention: the log no longer reaches the watermark.
    w.sim.post("/_sim/config", json::object{{"clock_offset_seconds", 7200}, {"changelog_retention_seconds", 3600}});
    auto pruned = w.run(client.deleted_since("ipam.ipaddress", watermark));
    REQUIRE(pruned);
    CHECK(pruned->ids.empty());
    CHECK_FALSE(pruned->complete);
    REQUIRE(client.netbox_date());
    CHECK(*client.netbox_date() > watermark + std::chrono::minutes(110));  // NetBox's clock, not ours
}
