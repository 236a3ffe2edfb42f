// libssh against a real sshd on 127.0.0.1: host keys (known, unknown, recorded, changed), authentication,
// commands, SFTP and the timeouts.
#include "dhcpd_client/ssh_session.hpp"
#include "sshd_instance.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <thread>

using namespace nds::dhcpd;
using namespace nds::dhcpd::test;

namespace {

struct Rig {
    TempDir dir{"ssh"};
    SshdInstance sshd{dir.path()};

    SshTarget target(const std::string& known_hosts_text, bool accept_new = false) {
        auto path = dir.file("known_hosts");
        write_text(path, known_hosts_text);
        SshTarget t;
        t.host = "127.0.0.1";
        t.port = sshd.port();
        t.user = "root";
        t.key_file = sshd.client_key();
        t.known_hosts = path;
        t.accept_new_host_key = accept_new;
        t.timeout = std::chrono::milliseconds(5000);
        return t;
    }

    std::unique_ptr<SshSession> connect() {
        auto s = SshSession::connect(target(sshd.known_hosts_line()));
        REQUIRE_MESSAGE(s.has_value(), (s ? std::string() : s.error().message));
        return std::move(*s);
    }
};

}  // namespace

TEST_CASE("ssh: host key decisions") {
    CHECK(decide_host_key(KnownHostState::known, false) == HostKeyDecision::accept);
    CHECK(decide_host_key(KnownHostState::unknown, false) == HostKeyDecision::refuse);
    CHECK(decide_host_key(KnownHostState::no_file, false) == HostKeyDecision::refuse);
    CHECK(decide_host_key(KnownHostState::unknown, true) == HostKeyDecision::accept_and_record);
    CHECK(decide_host_key(KnownHostState::no_file, true) == HostKeyDecision::accept_and_record);
    for (bool accept : {false, true}) {
        CHECK(decide_host_key(KnownHostState::changed, accept) == HostKeyDecision::refuse);
        CHECK(decide_host_key(KnownHostState::other_key_type, accept) == HostKeyDecision::refuse);
        CHECK(decide_host_key(KnownHostState::error, accept) == HostKeyDecision::refuse);
    }
}

TEST_CASE("ssh: a known host key connects, commands give exit status, stdout and stderr") {
    Rig rig;
    auto s = rig.connect();
    CHECK(s->server_banner().find("OpenSSH") != std::string::npos);
    auto r = s->run("echo out; echo err >&2; exit 3", std::chrono::seconds(10));
    REQUIRE(r.has_value());
    CHECK(r->exit_status == 3);
    CHECK(r->out == "out\n");
    CHECK(r->err == "err\n");
    auto big = s->run("head -c 300000 /dev/zero | tr '\\0' x", std::chrono::seconds(10), 1000);
    REQUIRE(big.has_value());
    CHECK(big->exit_status == 0);
    CHECK(big->out.size() == 1000);  // kept up to the bound
    auto again = s->run("id -un", std::chrono::seconds(10));
    REQUIRE(again.has_value());
    CHECK(again->out == "root\n");
}

TEST_CASE("ssh: a command that outlives its timeout is an error and the session goes on") {
    Rig rig;
    auto s = rig.connect();
    auto start = std::chrono::steady_clock::now();
    auto r = s->run("sleep 5", std::chrono::milliseconds(500));
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(nds::errc::transport));
    CHECK(r.error().message.find("did not finish within") != std::string::npos);
    CHECK(took < std::chrono::seconds(3));
    auto next = s->run("echo still", std::chrono::seconds(10));
    REQUIRE(next.has_value());
    CHECK(next->out == "still\n");
}

TEST_CASE("ssh: an unknown host key is refused, and recorded when new keys are accepted") {
    Rig rig;
    auto refused = SshSession::connect(rig.target(""));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().is(nds::errc::host_key));
    CHECK(refused.error().message.find("SHA256:") != std::string::npos);
    CHECK(refused.error().message.find("is not in") != std::string::npos);

    auto target = rig.target("", true);
    auto accepted = SshSession::connect(target);
    REQUIRE_MESSAGE(accepted.has_value(), (accepted ? std::string() : accepted.error().message));
    auto recorded = read_text(target.known_hosts);
    CHECK(recorded.find("[127.0.0.1]:" + std::to_string(rig.sshd.port())) != std::string::npos);
    // Recorded: the next connection without accept_new_host_key is fine.
    target.accept_new_host_key = false;
    CHECK(SshSession::connect(target).has_value());
}

TEST_CASE("ssh: a missing known_hosts file is refused, or created when new keys are accepted") {
    Rig rig;
    auto target = rig.target("");
    target.known_hosts = rig.dir.file("absent_known_hosts");
    auto refused = SshSession::connect(target);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().is(nds::errc::host_key));
    target.accept_new_host_key = true;
    REQUIRE(SshSession::connect(target).has_value());
    CHECK(std::filesystem::exists(target.known_hosts));
}

TEST_CASE("ssh: a changed host key is refused even when new keys are accepted") {
    Rig rig;
    for (bool accept : {false, true}) {
        auto refused = SshSession::connect(rig.target(rig.sshd.wrong_known_hosts_line(), accept));
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().is(nds::errc::host_key));
        CHECK(refused.error().message.find("differs from the key recorded") != std::string::npos);
    }
    CHECK(read_text(rig.dir.file("known_hosts")) == rig.sshd.wrong_known_hosts_line());  // not overwritten
}

TEST_CASE("ssh: a key the server does not know is refused, an unreadable key is a config error") {
    Rig rig;
    auto target = rig.target(rig.sshd.known_hosts_line());
    auto stranger = rig.dir.file("stranger_key");
    nds::testing::run_program("/usr/bin/ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-f", stranger});
    target.key_file = stranger;
    auto refused = SshSession::connect(target);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().is(nds::errc::authentication));
    target.key_file = rig.dir.file("no_such_key");
    auto missing = SshSession::connect(target);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().is(nds::errc::config));
}

TEST_CASE("ssh: nobody listening is a transport error") {
    Rig rig;
    auto target = rig.target(rig.sshd.known_hosts_line());
    rig.sshd.stop();
    auto r = SshSession::connect(target);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(nds::errc::transport));
}

TEST_CASE("ssh: SFTP writes, reads, stats, renames and removes files") {
    Rig rig;
    auto s = rig.connect();
    const auto path = rig.dir.file("remote.txt");
    REQUIRE(s->write_file(path, "hello\n", 0640).has_value());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    auto read = s->read_file(path, 1000);
    REQUIRE(read.has_value());
    REQUIRE(read->has_value());
    CHECK((*read)->content == "hello\n");
    CHECK((*read)->mode == 0640);
    auto stat = s->stat(path);
    REQUIRE(stat.has_value());
    REQUIRE(stat->has_value());
    CHECK((*stat)->size == 6);
    CHECK((*stat)->mtime > 0);

    auto missing = s->read_file(rig.dir.file("absent"), 1000);
    REQUIRE(missing.has_value());
    CHECK_FALSE(missing->has_value());
    CHECK_FALSE(s->stat(rig.dir.file("absent"))->has_value());

    auto too_big = s->read_file(path, 3);
    REQUIRE_FALSE(too_big.has_value());
    CHECK(too_big.error().is(nds::errc::io));

    REQUIRE(s->rename(path, rig.dir.file("renamed.txt")).has_value());
    CHECK(read_text(rig.dir.file("renamed.txt")) == "hello\n");
    REQUIRE(s->write_file(path, "again\n", 0644).has_value());
    auto over = s->rename(path, rig.dir.file("renamed.txt"));  // SFTP v3 does not replace
    REQUIRE_FALSE(over.has_value());
    CHECK(over.error().is(nds::errc::io));
    REQUIRE(s->remove(path).has_value());
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK(s->remove(path).has_value());  // already gone
    auto denied = s->write_file("/proc/nds-not-writable", "x", 0644);
    REQUIRE_FALSE(denied.has_value());
    CHECK(denied.error().is(nds::errc::io));
    CHECK_FALSE(s->broken());
}

TEST_CASE("ssh: a large file is read back byte for byte") {
    Rig rig;
    auto s = rig.connect();
    std::string content;
    content.reserve(5'000'000);
    for (int i = 0; content.size() < 5'000'000; ++i) content += "lease " + std::to_string(i) + " {\n  binding state active;\n}\n";
    const auto path = rig.dir.file("big.leases");
    write_text(path, content);
    auto read = s->read_file(path, 1ull << 30);
    REQUIRE(read.has_value());
    REQUIRE(read->has_value());
    CHECK((*read)->content.size() == content.size());
    CHECK((*read)->content == content);
    // And a write of it arrives whole.
    REQUIRE(s->write_file(path + ".copy", content, 0600).has_value());
    CHECK(read_text(path + ".copy") == content);
}

TEST_CASE("ssh: a dropped connection is a transport error and breaks the session") {
    Rig rig;
    auto s = rig.connect();
    REQUIRE(s->run("true", std::chrono::seconds(5)).has_value());
    rig.sshd.kill_sessions();
    auto r = s->run("echo hi", std::chrono::seconds(5));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(nds::errc::transport));
    CHECK(s->broken());
}

TEST_CASE("ssh: abort() ends a blocked call from another thread") {
    Rig rig;
    auto s = rig.connect();
    std::thread killer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        s->abort();
    });
    auto start = std::chrono::steady_clock::now();
    auto r = s->run("sleep 20", std::chrono::seconds(30));
    killer.join();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(nds::errc::transport));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(s->broken());
}
