// The whole sync with a real ISC dhcpd: the netbox-dhcp-sync binary against the NetBox simulator, a real
// sshd on 127.0.0.1 and dhcpd in a network namespace pair. NetBox's scope and host pool are rendered, pushed,
// tested and dhcpd restarted; a client gets its fixed address and another a lease; the lease comes back into
// NetBox; a run with nothing to change uploads nothing and restarts nothing; --dry-run shows the diff.
#include "dhcpd_instance.hpp"
#include "sshd_instance.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/demo_estate.hpp"
#include "tests/support/simulator.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <memory>
#include <optional>

namespace json = boost::json;
using namespace nds::dhcpd::test;
using nds::testing::kAliceToken;

namespace {

std::int64_t mtime_ns(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

struct SyncRig {
    TempDir dir{"dhcpd-sync"};
    SshdInstance sshd{dir.path()};
    std::optional<std::string> no_namespaces = nds::testing::NetworkNamespacePair::unavailable();
    std::unique_ptr<nds::testing::NetworkNamespacePair> ns;
    std::unique_ptr<DhcpdInstance> dhcpd;
    std::unique_ptr<nds::testing::Simulator> netbox;

    SyncRig() {
        if (!no_namespaces) {
            nds::testing::NetworkNamespacePair::Options o;
            o.prefix = "ndse";
            o.server_address = "192.0.2.1/24";
            ns = std::make_unique<nds::testing::NetworkNamespacePair>(o);
        }
        std::filesystem::create_directories(dir.path() / "srv");
        dhcpd = std::make_unique<DhcpdInstance>(dir.file("srv"), ns.get());
        write_text(dhcpd->leases_path, "");  // an installed dhcpd has its (empty) lease file
        write_text(dir.file("known_hosts"), sshd.known_hosts_line());
        netbox = std::make_unique<nds::testing::Simulator>(NDS_NETBOX_SIM, std::vector<std::string>{},
                                                           dir.file("netbox_sim.log"));
        netbox->seed(json::object{
            {"users", json::array{json::object{{"username", "alice"}, {"token", kAliceToken}}}},
            {"tags", json::array{json::object{{"name", "dhcp-sync"}, {"slug", "dhcp-sync"}}}},
            {"prefixes", json::array{json::object{{"prefix", "192.0.2.0/24"}, {"vrf", nullptr}, {"tags", json::array{}},
                                                  {"status", "active"}}}},
            {"servers", json::array{json::object{{"name", "dhcpd01"}, {"hostname", "192.0.2.1"}, {"port", 22},
                                                 {"use_https", false}, {"verify_ssl", true},
                                                 {"sync_standalone_scopes", true}, {"tags", json::array{}}}}},
            {"scopes", json::array{json::object{
                {"name", "Lab"}, {"prefix", "192.0.2.0/24"}, {"vrf", nullptr}, {"start_ip", "192.0.2.100"},
                {"end_ip", "192.0.2.200"}, {"router", "192.0.2.1"}, {"lease_lifetime", 600}, {"server", "dhcpd01"},
                {"failover", nullptr}, {"tags", json::array{}},
                {"exclusion_ranges", json::array{json::object{{"start_ip", "192.0.2.100"}, {"end_ip", "192.0.2.119"}}}}}}},
            {"ip_addresses", json::array{json::object{
                {"address", "192.0.2.150/24"}, {"vrf", nullptr}, {"status", "reserved"}, {"dns_name", "printer"},
                {"description", ""}, {"tags", json::array{}},
                {"custom_fields", json::object{{"dhcp_client_id", "02:00:00:00:00:77"}}}}}}});
    }

    std::string config() const {
        std::string path = dir.file("config.yaml");
        std::ofstream out(path);
        out << "netbox:\n  url: " << netbox->url() << "\n  token: " << kAliceToken << "\n  max_retries: 0\n"
            << "dhcp_servers:\n  dhcpd01:\n    backend: dhcpd\n"
            << "    ssh: { host: 127.0.0.1, port: " << sshd.port() << ", user: root, key_file: " << sshd.client_key()
            << ", known_hosts: " << dir.file("known_hosts") << ", timeout: 5s }\n"
            << "    config_path: " << dhcpd->config_path << "\n    leases_path: " << dhcpd->leases_path << "\n"
            << "    config_test: \"/usr/sbin/dhcpd -t -4 -cf {file}\"\n"
            << "    server_stop: \"" << dhcpd->stop_command << "\"\n    server_start: \"" << dhcpd->start_command << "\"\n"
            << "    server_check: \"" << dhcpd->check_command << "\"\n    server_check_delay: 300ms\n"
            << "    version_command: \"/usr/sbin/dhcpd --version\"\n"
            << "    globals: { authoritative: true, default_lease_time: 600, max_lease_time: 7200,\n"
            << "               option_domain_name: example.net, option_domain_name_servers: 192.0.2.53 }\n"
            << "    free_lines: [ \"ddns-update-style none;\" ]\n"
            << "log:\n  level: info\n";
        return path;
    }

    nds::testing::RunResult run(std::vector<std::string> args, const std::string& config_path) const {
        args.push_back("--config");
        args.push_back(config_path);
        return nds::testing::run_program(NDS_BINARY, args, {{"NETBOX_TOKEN", ""}});
    }

    std::map<std::string, json::object> ips() {
        std::map<std::string, json::object> out;
        auto state = netbox->state();
        for (const auto& ip : state.at("ip_addresses").as_array())
            out[std::string(ip.at("address").as_string())] = ip.as_object();
        return out;
    }
};

}  // namespace

TEST_CASE("sync with dhcpd: NetBox's scope and host pool are pushed, clients get them, leases come back, a no-op run restarts nothing") {
    SyncRig rig;
    auto config = rig.config();

    // --dry-run: the diff of the file that would be written, nothing on the server.
    auto dry = rig.run({"sync", "--dry-run"}, config);
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(dry.out.find("would change") != std::string::npos);
    CHECK(dry.out.find("+subnet 192.0.2.0 netmask 255.255.255.0") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(rig.dhcpd->config_path));

    // The first run creates the scope with its exclusion and, in the same run, the host pool.
    auto first = rig.run({"sync", "-v"}, config);
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    auto file = read_text(rig.dhcpd->config_path);
    CHECK(file.find("subnet 192.0.2.0 netmask 255.255.255.0") != std::string::npos);
    CHECK(file.find("range 192.0.2.120 192.0.2.149") != std::string::npos);  // the exclusion .100-.119 and the host .150 are out
    CHECK(file.find("hardware ethernet 02:00:00:00:00:77;") != std::string::npos);
    CHECK(file.find("fixed-address 192.0.2.150;") != std::string::npos);
    CHECK(file.find("ddns-update-style none;") != std::string::npos);
    REQUIRE(rig.dhcpd->pid().has_value());

    if (rig.no_namespaces) {
        MESSAGE("skipped the DHCP client part: network namespaces are not available here (" << *rig.no_namespaces << ")");
    } else {
        std::string log;
        std::filesystem::create_directories(rig.dir.path() / "c1");
        std::filesystem::create_directories(rig.dir.path() / "c2");
        rig.ns->set_client_mac("02:00:00:00:00:77");
        auto fixed = run_udhcpc(*rig.ns, rig.dir.file("c1"), "printer", log);
        INFO(log);
        CHECK(fixed == std::optional<std::string>("192.0.2.150"));
        rig.ns->set_client_mac("02:00:00:00:00:31");
        auto dynamic = run_udhcpc(*rig.ns, rig.dir.file("c2"), "laptop31", log);
        INFO(log);
        REQUIRE(dynamic);
        // The next sync brings the lease into NetBox; the file does not change, so nothing is uploaded or restarted.
        auto stamp = mtime_ns(rig.dhcpd->config_path);
        auto pid = rig.dhcpd->pid();
        auto second = rig.run({"sync", "--output", "json"}, config);
        INFO(second.out << second.err);
        REQUIRE(second.exit_code == 0);
        auto ips = rig.ips();
        REQUIRE(ips.count(*dynamic + "/24"));
        CHECK(ips[*dynamic + "/24"].at("status").at("value").as_string() == "dhcp");
        CHECK(ips[*dynamic + "/24"].at("custom_fields").at("dhcp_client_id").as_string() == "02-00-00-00-00-31");
        CHECK(mtime_ns(rig.dhcpd->config_path) == stamp);
        CHECK(rig.dhcpd->pid() == pid);
    }

    // Nothing changed at all: no upload, no restart, no NetBox write.
    auto stamp = mtime_ns(rig.dhcpd->config_path);
    auto pid = rig.dhcpd->pid();
    rig.netbox->reset_stats();
    auto quiet = rig.run({"sync"}, config);
    INFO(quiet.out << quiet.err);
    CHECK(quiet.exit_code == 0);
    CHECK(mtime_ns(rig.dhcpd->config_path) == stamp);
    CHECK(rig.dhcpd->pid() == pid);
    CHECK(rig.netbox->stats().at("writes").to_number<long>() == 0);
}

TEST_CASE("sync with dhcpd: a config dhcpd -t refuses is not installed, the server keeps the old one, the run exits 1 quoting dhcpd") {
    SyncRig rig;
    auto config = rig.config();
    REQUIRE(rig.run({"sync"}, config).exit_code == 0);
    auto before = read_text(rig.dhcpd->config_path);
    auto pid = rig.dhcpd->pid();
    // A free line dhcpd refuses.
    std::string text = read_text(config);
    auto at = text.find("free_lines: [ \"ddns-update-style none;\" ]");
    REQUIRE(at != std::string::npos);
    text.replace(at, std::string("free_lines: [ \"ddns-update-style none;\" ]").size(),
                 "free_lines: [ \"ddns-update-style none;\", \"bogus-statement yes;\" ]");
    write_text(config, text);
    auto bad = rig.run({"sync", "--output", "json"}, config);
    INFO(bad.out << bad.err);
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("config test") != std::string::npos);
    CHECK(read_text(rig.dhcpd->config_path) == before);
    CHECK(rig.dhcpd->pid() == pid);
}

TEST_CASE("import from dhcpd: a hand-written subnet becomes a scope with its range, the gap between ranges an exclusion, and its options") {
    SyncRig rig;
    rig.netbox->seed(json::object{{"prefixes", json::array{json::object{
        {"prefix", "198.51.100.0/24"}, {"vrf", nullptr}, {"tags", json::array{}}, {"status", "active"}}}}});
    write_text(rig.dhcpd->config_path,
               "# written by hand before netbox-dhcp-sync\n"
               "subnet 198.51.100.0 netmask 255.255.255.0 {\n"
               "  range 198.51.100.50 198.51.100.90;\n"
               "  range 198.51.100.100 198.51.100.150;\n"
               "  option routers 198.51.100.1;\n"
               "  option domain-name-servers 198.51.100.53;\n"
               "  default-lease-time 1200;\n"
               "}\n");
    auto config = rig.config();
    auto imported_scope = [&]() -> std::optional<json::object> {
        auto state = rig.netbox->state();
        for (const auto& s : state.at("scopes").as_array())
            if (s.at("start_ip").as_string() == "198.51.100.50") return s.as_object();
        return std::nullopt;
    };

    auto dry = rig.run({"import", "--server", "dhcpd01", "--dry-run", "--output", "json"}, config);
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(dry.out.find("198.51.100") != std::string::npos);  // the dry run shows the scope it would create
    CHECK_FALSE(imported_scope());

    auto result = rig.run({"import", "--server", "dhcpd01", "--output", "json"}, config);
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    auto scope = imported_scope();
    REQUIRE(scope);
    CHECK(scope->at("end_ip").as_string() == "198.51.100.150");
    CHECK(scope->at("router").as_string() == "198.51.100.1");
    CHECK(scope->at("lease_lifetime").to_number<int>() == 1200);
    auto state = rig.netbox->state();
    bool gap = false;
    for (const auto& range : state.at("exclusion_ranges").as_array())
        gap = gap || (range.at("start_ip").as_string() == "198.51.100.91" && range.at("end_ip").as_string() == "198.51.100.99");
    CHECK(gap);
    bool dns = false;
    for (const auto& value : state.at("option_values").as_array())
        dns = dns || value.at("value").as_string() == "198.51.100.53";
    CHECK(dns);

    // Import never overwrites: a second run creates nothing more.
    auto scopes_before = state.at("scopes").as_array().size();
    auto again = rig.run({"import", "--server", "dhcpd01"}, config);
    CHECK(again.exit_code == 0);
    CHECK(rig.netbox->state().at("scopes").as_array().size() == scopes_before);
}
