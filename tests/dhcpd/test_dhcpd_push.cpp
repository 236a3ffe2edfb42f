// The dhcpd backend against the real thing: sshd on 127.0.0.1, dhcpd in a network namespace pair, udhcpc
// clients in the client namespace. Every push really uploads, runs `dhcpd -t`, stops and starts dhcpd.
// Where namespaces are forbidden the server is a stand-in started only after the real `dhcpd -t` accepted
// the file; the tests that need DHCP traffic then say why they skip it.
#include "dhcpd_client/dhcpd_backend.hpp"
#include "dhcpd_client/dhcpd_server.hpp"
#include "dhcpd_instance.hpp"
#include "sshd_instance.hpp"
#include "test_helpers.hpp"
#include "util/async.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/stat.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

using namespace nds::dhcpd;
using namespace nds::dhcpd::test;
using nds::backend::WriteStatus;
using nds::engine::Verb;

namespace {

struct FileStamp {
    ino_t inode = 0;
    std::int64_t mtime_ns = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

std::optional<FileStamp> stamp(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileStamp{st.st_ino, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

struct Rig {
    TempDir dir{"dhcpd-push"};
    SshdInstance sshd{dir.path()};
    std::optional<std::string> no_namespaces = nds::testing::NetworkNamespacePair::unavailable();
    std::unique_ptr<nds::testing::NetworkNamespacePair> ns;
    std::unique_ptr<DhcpdInstance> dhcpd;

    Rig() {
        if (!no_namespaces) {
            nds::testing::NetworkNamespacePair::Options o;
            o.prefix = "ndsd";
            o.server_address = "192.0.2.1/24";
            ns = std::make_unique<nds::testing::NetworkNamespacePair>(o);
        }
        std::filesystem::create_directories(dir.path() / "srv");
        dhcpd = std::make_unique<DhcpdInstance>(dir.file("srv"), ns.get());
        write_text(dir.file("known_hosts"), sshd.known_hosts_line());
        if (no_namespaces) MESSAGE("no network namespaces here (" << *no_namespaces << "): dhcpd is a stand-in, no DHCP traffic");
    }

    DhcpdOptions options() const {
        DhcpdOptions o;
        o.ssh.host = "127.0.0.1";
        o.ssh.port = sshd.port();
        o.ssh.user = "root";
        o.ssh.key_file = sshd.client_key();
        o.ssh.known_hosts = dir.file("known_hosts");
        o.ssh.timeout = std::chrono::milliseconds(5000);
        o.config_path = dhcpd->config_path;
        o.leases_path = dhcpd->leases_path;
        o.config_test = "/usr/sbin/dhcpd -t -4 -cf {file}";
        o.server_stop = dhcpd->stop_command;
        o.server_start = dhcpd->start_command;
        o.server_check = dhcpd->check_command;
        o.server_check_delay = std::chrono::milliseconds(300);
        o.version_command = "/usr/sbin/dhcpd --version";
        o.command_timeout = std::chrono::seconds(30);
        o.globals.option_domain_name = "example.net";
        o.globals.option_domain_name_servers = "192.0.2.53";
        o.free_lines = {"ddns-update-style none;"};
        REQUIRE(validate(o, "dhcpd01").has_value());
        return o;
    }

    static nds::engine::DhcpScope the_scope() {
        auto s = scope("192.0.2.0", "192.0.2.100", "192.0.2.200");
        s.name = "Lab";
        s.router = ip("192.0.2.1");
        s.lease_duration_seconds = 600;
        return s;
    }
    static std::vector<nds::engine::DhcpWrite> first_writes() {
        return {scope_write(Verb::create, the_scope()), exclusion_write(Verb::create, "192.0.2.0", "192.0.2.100", "192.0.2.119")};
    }

    DhcpdServer server(DhcpdOptions o) const { return DhcpdServer(std::move(o), context_for("dhcpd01")); }
    DhcpdServer server() const { return server(options()); }
};

bool all_applied(const nds::backend::ApplyResult& r) {
    for (const auto& o : r.outcomes)
        if (o.status != WriteStatus::applied) return false;
    return !r.outcomes.empty();
}

std::string problems_text(const nds::backend::ApplyResult& r) {
    std::string out;
    for (const auto& p : r.problems) out += (p.severity == nds::engine::Severity::error ? "error: " : "warning: ") + p.note.reason + "\n";
    return out;
}

bool mentions(const nds::backend::ApplyResult& r, const std::string& needle) { return problems_text(r).find(needle) != std::string::npos; }

nds::backend::ApplyResult push_writes(DhcpdServer& server, const std::vector<nds::engine::DhcpWrite>& writes) {
    CancelState cancel;
    server.start_run();
    return server.apply(writes, cancel);
}

/// A first push of the scope; the server then runs it.
void first_push(Rig& rig) {
    auto server = rig.server();
    auto r = push_writes(server, Rig::first_writes());
    INFO(problems_text(r));
    REQUIRE(all_applied(r));
    REQUIRE(rig.dhcpd->pid().has_value());
}

}  // namespace

TEST_CASE("push: the rendered file is installed and dhcpd started, clients get leases, the backend reads them back") {
    Rig rig;
    boost::asio::io_context io;
    auto backend = make_dhcpd_backend(io.get_executor(), rig.options(), context_for("dhcpd01"));
    CHECK(backend->server_name() == "dhcpd01");
    auto caps = backend->capabilities();
    CHECK(caps.config_from_netbox);
    CHECK(caps.exclusions == nds::engine::ExclusionModel::derived_from_pools);

    auto health = nds::run_to_completion(io, backend->health());
    REQUIRE_MESSAGE(health.has_value(), (health ? std::string() : health.error().message));
    CHECK(health->software == "ISC dhcpd");
    CHECK(health->version == "4.4.3-P1");
    REQUIRE(health->warnings.size() == 1);
    CHECK(health->warnings[0].find("does not exist yet") != std::string::npos);
    auto before = nds::run_to_completion(io, backend->list_scopes(false));
    REQUIRE(before.has_value());
    CHECK(before->items.empty());

    auto preview = nds::run_to_completion(io, backend->preview(Rig::first_writes()));
    REQUIRE(preview.has_value());
    CHECK(preview->find("+subnet 192.0.2.0 netmask 255.255.255.0 {") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(rig.dhcpd->config_path));  // a preview writes nothing

    auto result = nds::run_to_completion(io, backend->apply(Rig::first_writes()));
    INFO(problems_text(result));
    REQUIRE(all_applied(result));
    CHECK(mentions(result, "pushed (+"));
    CHECK(mentions(result, "+  range 192.0.2.120 192.0.2.200;"));  // the diff of the push is in the report
    auto text = read_text(rig.dhcpd->config_path);
    CHECK(text.rfind("# dhcpd.conf of DHCP server \"dhcpd01\", written by netbox-dhcp-sync", 0) == 0);
    CHECK(text.find("range 192.0.2.120 192.0.2.200;") != std::string::npos);
    REQUIRE(rig.dhcpd->pid().has_value());

    nds::run_to_completion(io, backend->health());  // a new run
    auto scopes = nds::run_to_completion(io, backend->list_scopes(true));
    REQUIRE(scopes.has_value());
    REQUIRE(scopes->items.size() == 1);
    CHECK(scopes->items[0].name == "Lab");
    CHECK(scopes->items[0].start_ip == ip("192.0.2.100"));
    CHECK(scopes->items[0].router == ip("192.0.2.1"));
    CHECK(scopes->items[0].lease_duration_seconds == 600);
    nds::engine::ScopeReadRequest request{ip("192.0.2.0"), true, true, true};
    auto read = nds::run_to_completion(io, backend->read_scope(request));
    REQUIRE_MESSAGE(read.data.leases.has_value(), read.data.error);
    REQUIRE(read.data.exclusions.has_value());
    CHECK(*read.data.exclusions == std::vector<nds::engine::DhcpExclusion>{{ip("192.0.2.100"), ip("192.0.2.119")}});
    CHECK(read.data.leases->empty());

    if (rig.no_namespaces) {
        MESSAGE("skipped the DHCP clients: " << *rig.no_namespaces);
        return;
    }
    std::string log;
    auto address = run_udhcpc(*rig.ns, rig.dir.file("srv"), "client-one", log);
    REQUIRE_MESSAGE(address.has_value(), log);
    auto given = ip(*address);
    CHECK(given >= ip("192.0.2.120"));
    CHECK(given <= ip("192.0.2.200"));

    nds::run_to_completion(io, backend->health());
    read = nds::run_to_completion(io, backend->read_scope(request));
    REQUIRE_MESSAGE(read.data.leases.has_value(), read.data.error);
    REQUIRE(read.data.leases->size() == 1);
    const auto& lease = read.data.leases->front();
    CHECK(lease.ip == given);
    CHECK(lease.client_id == "02-00-00-00-00-01");  // the client end's MAC, normalised
    CHECK(lease.hostname == "client-one");
    CHECK(lease.lease_expiry.size() == 20);
    CHECK(read.data.complete);
}

TEST_CASE("push: a host pool written from a reservation gives its client the fixed address") {
    Rig rig;
    first_push(rig);
    auto server = rig.server();
    auto r = push_writes(server, {reservation_write(Verb::create, "192.0.2.0", "192.0.2.150", "02-00-00-00-00-42", "Printer 2nd floor", "HP")});
    INFO(problems_text(r));
    REQUIRE(all_applied(r));
    CHECK(read_text(rig.dhcpd->config_path).find("host printer-2nd-floor {") != std::string::npos);

    server.start_run();
    auto read = server.read_scope({ip("192.0.2.0"), false, true, true});
    REQUIRE(read.data.reservations.has_value());
    REQUIRE(read.data.reservations->size() == 1);
    CHECK(read.data.reservations->front().name == "Printer 2nd floor");
    CHECK(read.data.reservations->front().description == "HP");
    CHECK(read.data.reservations->front().client_id == "02-00-00-00-00-42");
    CHECK(read.data.exclusions->size() == 1);  // the reserved address is no exclusion
    auto all = server.list_all_reservations();
    REQUIRE(all.has_value());
    CHECK(all->items.size() == 1);

    if (rig.no_namespaces) {
        MESSAGE("skipped the DHCP client: " << *rig.no_namespaces);
        return;
    }
    rig.ns->set_client_mac("02:00:00:00:00:42");
    std::string log;
    auto address = run_udhcpc(*rig.ns, rig.dir.file("srv"), "printer", log);
    REQUIRE_MESSAGE(address.has_value(), log);
    CHECK(*address == "192.0.2.150");
}

TEST_CASE("push: the same input twice uploads nothing and restarts nothing") {
    Rig rig;
    first_push(rig);
    auto file_before = stamp(rig.dhcpd->config_path);
    auto pid_before = rig.dhcpd->pid();
    REQUIRE(file_before);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // an upload would show in the mtime

    auto server = rig.server();
    auto again = push_writes(server, Rig::first_writes());
    INFO(problems_text(again));
    CHECK(all_applied(again));
    CHECK(again.problems.empty());
    auto empty = push_writes(server, {});
    CHECK(empty.problems.empty());
    CHECK(stamp(rig.dhcpd->config_path) == file_before);
    CHECK(rig.dhcpd->pid() == pid_before);
    CHECK_FALSE(std::filesystem::exists(rig.dhcpd->config_path + ".nds-backup"));  // no second push, no backup
    auto preview = server.preview(Rig::first_writes());
    REQUIRE(preview.has_value());
    CHECK(preview->empty());

    // A change of a global (no write at all) is pushed by an empty list.
    auto options = rig.options();
    options.globals.option_domain_name = "changed.example.net";
    auto changed = rig.server(options);
    auto pushed = push_writes(changed, {});
    INFO(problems_text(pushed));
    CHECK(mentions(pushed, "-option domain-name \"example.net\";"));
    CHECK(mentions(pushed, "+option domain-name \"changed.example.net\";"));
    CHECK(read_text(rig.dhcpd->config_path + ".nds-backup").find("\"example.net\"") != std::string::npos);
    if (rig.dhcpd->real()) CHECK(rig.dhcpd->pid() != pid_before);  // restarted
}

TEST_CASE("push: a config dhcpd -t refuses leaves the previous file and the running server") {
    Rig rig;
    first_push(rig);
    const auto before = read_text(rig.dhcpd->config_path);
    auto pid_before = rig.dhcpd->pid();
    auto options = rig.options();
    options.free_lines.push_back("bogus-statement yes;");
    auto server = rig.server(options);
    auto r = push_writes(server, {reservation_write(Verb::create, "192.0.2.0", "192.0.2.150", "02-00-00-00-00-42", "printer")});
    INFO(problems_text(r));
    REQUIRE(r.outcomes.size() == 1);
    CHECK(r.outcomes[0].status == WriteStatus::failed);
    CHECK(r.outcomes[0].error.find("push failed at step 'config test'") != std::string::npos);
    CHECK(mentions(r, "push failed at step 'config test': config test '/usr/sbin/dhcpd -t -4 -cf "));
    CHECK(mentions(r, "semicolon expected"));           // dhcpd's own message
    CHECK(mentions(r, "bogus-statement yes;"));
    CHECK(mentions(r, "the previous file was not touched"));
    CHECK(mentions(r, "(exit 1)"));
    CHECK(read_text(rig.dhcpd->config_path) == before);
    CHECK(rig.dhcpd->pid() == pid_before);
    CHECK_FALSE(std::filesystem::exists(rig.dir.file("srv/.dhcpd.conf.nds-new")));
}

TEST_CASE("push: a server that fails to start gets the previous file back and runs again") {
    Rig rig;
    first_push(rig);
    const auto before = read_text(rig.dhcpd->config_path);
    auto options = rig.options();
    // dhcpd -t accepts it; the real dhcpd then cannot bind to an address the namespace does not have.
    options.free_lines.push_back("local-address 198.51.100.77;");
    if (!rig.dhcpd->real()) {
        // The stand-in has nothing to bind: it refuses the same statement as dhcpd would.
        write_text(rig.dhcpd->start_command,
                   "#!/bin/sh\ngrep -q '^local-address' '" + rig.dhcpd->config_path +
                       "' && { echo \"Can't bind to dhcp address: Cannot assign requested address\" >&2; exit 1; }\n" +
                       read_text(rig.dhcpd->start_command).substr(10),
                   std::filesystem::perms(0755));
    }
    auto server = rig.server(options);
    auto r = push_writes(server, {});
    INFO(problems_text(r));
    CHECK(mentions(r, "push failed at step 'server start'"));
    CHECK(mentions(r, "Can't bind to dhcp address"));
    CHECK(mentions(r, "backed out: the previous file is back and the server runs it"));
    CHECK(mentions(r, "step 'server start (back-out)'"));
    CHECK(read_text(rig.dhcpd->config_path) == before);
    CHECK(rig.dhcpd->pid().has_value());
}

TEST_CASE("push: a connection dropped after the upload leaves the previous file and the running server") {
    Rig rig;
    first_push(rig);
    const auto before = read_text(rig.dhcpd->config_path);
    auto pid_before = rig.dhcpd->pid();

    SUBCASE("the session is killed: the candidate is cleaned up over a new connection") {
        auto options = rig.options();
        options.before_step = [&](std::string_view step) {
            if (step == "config test") rig.sshd.kill_sessions();
        };
        auto server = rig.server(options);
        auto r = push_writes(server, {reservation_write(Verb::create, "192.0.2.0", "192.0.2.150", "02-00-00-00-00-42", "printer")});
        INFO(problems_text(r));
        CHECK(r.outcomes.at(0).status == WriteStatus::failed);
        CHECK(mentions(r, "push failed at step 'config test'"));
        CHECK(mentions(r, "the previous file was not touched"));
        CHECK(mentions(r, "step 'clean up' ok"));
        CHECK_FALSE(std::filesystem::exists(rig.dir.file("srv/.dhcpd.conf.nds-new")));
    }
    SUBCASE("sshd is gone: nothing else can be done, and nothing was replaced") {
        auto options = rig.options();
        options.before_step = [&](std::string_view step) {
            if (step == "config test") rig.sshd.stop();
        };
        auto server = rig.server(options);
        auto r = push_writes(server, {reservation_write(Verb::create, "192.0.2.0", "192.0.2.150", "02-00-00-00-00-42", "printer")});
        INFO(problems_text(r));
        CHECK(mentions(r, "push failed at step 'config test'"));
        CHECK(mentions(r, "step 'clean up' failed"));
    }
    CHECK(read_text(rig.dhcpd->config_path) == before);
    CHECK(rig.dhcpd->pid() == pid_before);
}

TEST_CASE("push: unknown and changed host keys refuse the push, accept_new_host_key takes an unknown one") {
    Rig rig;
    auto writes = Rig::first_writes();
    SUBCASE("unknown") {
        write_text(rig.dir.file("known_hosts"), "");
        auto server = rig.server();
        auto health = server.health();
        REQUIRE_FALSE(health.has_value());
        CHECK(health.error().is(nds::errc::host_key));
        auto r = push_writes(server, writes);
        CHECK(r.outcomes.at(0).status == WriteStatus::failed);
        CHECK(r.outcomes.at(0).error.find("is not in") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(rig.dhcpd->config_path));
    }
    SUBCASE("changed") {
        write_text(rig.dir.file("known_hosts"), rig.sshd.wrong_known_hosts_line());
        auto options = rig.options();
        options.ssh.accept_new_host_key = true;
        auto server = rig.server(options);
        auto r = push_writes(server, writes);
        CHECK(r.outcomes.at(0).status == WriteStatus::failed);
        CHECK(r.outcomes.at(0).error.find("differs from the key recorded") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(rig.dhcpd->config_path));
    }
    SUBCASE("unknown, accepted and recorded") {
        write_text(rig.dir.file("known_hosts"), "");
        auto options = rig.options();
        options.ssh.accept_new_host_key = true;
        auto server = rig.server(options);
        auto r = push_writes(server, writes);
        INFO(problems_text(r));
        CHECK(all_applied(r));
        CHECK(read_text(rig.dir.file("known_hosts")).find("[127.0.0.1]:" + std::to_string(rig.sshd.port())) != std::string::npos);
    }
}

TEST_CASE("push: a hand-written file is read as scopes and hosts, and the first push keeps them") {
    Rig rig;
    write_text(rig.dhcpd->config_path, R"(# hand-written
default-lease-time 900;
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  range 192.0.2.100 192.0.2.149;
  range 192.0.2.160 192.0.2.200;
  next-server 192.0.2.5;
}
host old-printer { hardware ethernet 02:00:00:00:00:99; fixed-address 192.0.2.155; }
subnet 198.51.100.7 netmask 255.255.255.0 { }
)");
    auto server = rig.server();
    auto health = server.health();
    REQUIRE(health.has_value());
    REQUIRE(health->warnings.size() == 1);
    CHECK(health->warnings[0].find("was not written by netbox-dhcp-sync") != std::string::npos);
    auto scopes = server.list_scopes(false);
    REQUIRE(scopes.has_value());
    REQUIRE(scopes->items.size() == 1);
    CHECK(scopes->items[0].lease_duration_seconds == 900);
    CHECK(scopes->skipped == 1);  // the bad subnet: the list is incomplete, no scope counts as missing
    REQUIRE(scopes->problems.size() == 1);
    CHECK(scopes->problems[0].server == "dhcpd01");
    CHECK(scopes->problems[0].what.find("line 10: subnet 198.51.100.7 netmask 255.255.255.0 is not a network address") !=
          std::string::npos);
    auto read = server.read_scope({ip("192.0.2.0"), false, true, true});
    REQUIRE(read.data.reservations.has_value());
    CHECK(read.data.reservations->at(0).client_id == "02-00-00-00-00-99");
    // The gap around the host is one exclusion (a reserved address inside a gap does not split it).
    CHECK(*read.data.exclusions == std::vector<nds::engine::DhcpExclusion>{{ip("192.0.2.150"), ip("192.0.2.159")}});
    auto options = server.list_scope_options(ip("192.0.2.0"));
    REQUIRE(options.has_value());
    CHECK(options->items.at(0).code == 3);

    auto r = push_writes(server, {});
    INFO(problems_text(r));
    CHECK(mentions(r, "pushed"));
    auto text = read_text(rig.dhcpd->config_path);
    CHECK(text.find("next-server 192.0.2.5;") != std::string::npos);
    CHECK(text.find("host old-printer {") != std::string::npos);
    CHECK(text.find("range 192.0.2.156 192.0.2.159;") == std::string::npos);
    CHECK(read_text(rig.dhcpd->config_path + ".nds-backup").rfind("# hand-written", 0) == 0);
}

TEST_CASE("push: two pushes to one server run one after the other") {
    Rig rig;
    first_push(rig);
    std::mutex m;
    std::vector<std::string> events;
    auto options_for = [&](const std::string& who) {
        auto o = rig.options();
        o.before_step = [&, who](std::string_view step) {
            std::lock_guard lock(m);
            events.push_back(who + ":" + std::string(step));
        };
        return o;
    };
    auto a = rig.server(options_for("a"));
    auto b = rig.server(options_for("b"));
    nds::backend::ApplyResult ra, rb;
    std::thread ta([&] { ra = push_writes(a, {reservation_write(Verb::create, "192.0.2.0", "192.0.2.150", "02-00-00-00-00-42", "a")}); });
    std::thread tb([&] { rb = push_writes(b, {reservation_write(Verb::create, "192.0.2.0", "192.0.2.151", "02-00-00-00-00-43", "b")}); });
    ta.join();
    tb.join();
    CHECK(all_applied(ra));
    CHECK(all_applied(rb));
    // Each push's steps are contiguous: no step of one between two of the other.
    REQUIRE(events.size() >= 2);
    std::size_t switches = 0;
    for (std::size_t i = 1; i < events.size(); ++i)
        if (events[i][0] != events[i - 1][0]) ++switches;
    CHECK(switches == 1);
    // The second push started from the first one's file: both hosts are there.
    auto text = read_text(rig.dhcpd->config_path);
    CHECK(text.find("fixed-address 192.0.2.150;") != std::string::npos);
    CHECK(text.find("fixed-address 192.0.2.151;") != std::string::npos);
}

TEST_CASE("push: a missing lease file is a failed lease read, never an empty list") {
    Rig rig;
    first_push(rig);
    auto options = rig.options();
    options.leases_path = rig.dir.file("srv/absent.leases");
    auto server = rig.server(options);
    server.start_run();
    auto read = server.read_scope({ip("192.0.2.0"), true, true, true});
    CHECK_FALSE(read.data.leases.has_value());
    CHECK(read.data.error.find("does not exist") != std::string::npos);
    CHECK(read.data.reservations.has_value());
    auto missing_scope = server.read_scope({ip("10.9.9.0"), true, true, true});
    CHECK_FALSE(missing_scope.data.reservations.has_value());
    CHECK(missing_scope.data.error.find("is not in") != std::string::npos);
}

namespace {

/// apply() through the Asio backend, with a cancellation of `type` emitted once the push reaches `at_step`.
nds::backend::ApplyResult apply_cancelled_at(Rig& rig, const std::string& at_step, boost::asio::cancellation_type type,
                                             std::vector<nds::engine::DhcpWrite> writes) {
    boost::asio::io_context io;
    std::atomic<bool> reached{false};
    auto options = rig.options();
    options.before_step = [&](std::string_view step) {
        if (step != at_step) return;
        reached = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the event loop cancels meanwhile
    };
    auto backend = make_dhcpd_backend(io.get_executor(), options, context_for("dhcpd01"));
    boost::asio::cancellation_signal signal;
    std::optional<nds::backend::ApplyResult> result;
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { result = co_await backend->apply(std::move(writes)); },
        boost::asio::bind_cancellation_slot(signal.slot(), [](std::exception_ptr) {}));
    boost::asio::steady_timer poll(io);
    std::function<void()> watch = [&] {
        poll.expires_after(std::chrono::milliseconds(20));
        poll.async_wait([&](boost::system::error_code) {
            if (result) return;
            if (reached) {
                signal.emit(type);
                return;
            }
            watch();
        });
    };
    watch();
    io.run();
    REQUIRE(result.has_value());
    return std::move(*result);
}

}  // namespace

TEST_CASE("push: a terminal cancellation during the push backs it out, a partial one lets it finish") {
    Rig rig;
    first_push(rig);
    const auto before = read_text(rig.dhcpd->config_path);
    auto write = reservation_write(Verb::create, "192.0.2.0", "192.0.2.150", "02-00-00-00-00-42", "printer");

    auto stopped = apply_cancelled_at(rig, "server stop", boost::asio::cancellation_type::terminal, {write});
    INFO(problems_text(stopped));
    CHECK(stopped.outcomes.at(0).status == WriteStatus::failed);
    CHECK(mentions(stopped, "push failed at step 'server start': the run was cancelled before 'server start'"));
    CHECK(mentions(stopped, "backed out"));
    CHECK(read_text(rig.dhcpd->config_path) == before);
    CHECK(rig.dhcpd->pid().has_value());

    auto finished = apply_cancelled_at(rig, "server stop", boost::asio::cancellation_type::partial, {write});
    INFO(problems_text(finished));
    CHECK(finished.outcomes.at(0).status == WriteStatus::applied);
    CHECK(mentions(finished, "pushed"));
    CHECK(read_text(rig.dhcpd->config_path).find("fixed-address 192.0.2.150;") != std::string::npos);
}
