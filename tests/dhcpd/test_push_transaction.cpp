// The push transaction over a fake host: every step, every failure and its back-out. (The same steps against
// a real sshd and dhcpd are in test_dhcpd_push.cpp.)
#include "dhcpd_client/push_transaction.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <map>

using namespace nds::dhcpd;

namespace {

/// Files in a map; commands understood: `mv -f -- 'a' 'b'`, and the configured ones, answered by `answer`.
class FakeHost final : public RemoteHost {
public:
    std::map<std::string, RemoteFile> files;
    std::vector<std::string> log;
    std::function<nds::Expected<CommandResult>(const std::string&)> answer = [](const std::string&) {
        return nds::Expected<CommandResult>(CommandResult{0, "", ""});
    };
    std::string fail_write_of;  ///< a path whose write fails (io)

    nds::Expected<std::optional<RemoteFile>> read_file(const std::string& path, std::uint64_t) override {
        log.push_back("read " + path);
        auto it = files.find(path);
        if (it == files.end()) return std::optional<RemoteFile>{};
        return std::optional<RemoteFile>(it->second);
    }
    nds::Expected<nds::Done> write_file(const std::string& path, const std::string& content, std::uint32_t mode) override {
        log.push_back("write " + path);
        if (path == fail_write_of) return nds::Error{make_error_code(nds::errc::io), "disk full writing " + path};
        files[path] = RemoteFile{content, mode};
        return nds::Done{};
    }
    nds::Expected<nds::Done> remove_file(const std::string& path) override {
        log.push_back("remove " + path);
        files.erase(path);
        return nds::Done{};
    }
    nds::Expected<CommandResult> run(const std::string& command, std::chrono::milliseconds) override {
        log.push_back("run " + command);
        if (command.rfind("mv -f -- ", 0) == 0) {
            auto first = command.find('\'') + 1;
            auto first_end = command.find('\'', first);
            auto second = command.find('\'', first_end + 1) + 1;
            auto second_end = command.find('\'', second);
            auto from = command.substr(first, first_end - first), to = command.substr(second, second_end - second);
            if (!files.count(from)) return CommandResult{1, "", "mv: cannot stat '" + from + "'"};
            files[to] = files[from];
            files.erase(from);
            return CommandResult{0, "", ""};
        }
        return answer(command);
    }
    void pause(std::chrono::milliseconds) override { log.push_back("pause"); }
};

PushSettings settings() {
    PushSettings s;
    s.config_path = "/etc/dhcp/dhcpd.conf";
    s.config_test = "dhcpd -t -4 -cf {file}";
    s.server_stop = "stop-dhcpd";
    s.server_start = "start-dhcpd";
    s.server_check = "check-dhcpd";
    s.server_check_delay = std::chrono::milliseconds(10);
    return s;
}

const std::string kConfig = "/etc/dhcp/dhcpd.conf";
const std::string kCandidate = "/etc/dhcp/.dhcpd.conf.nds-new";
const std::string kBackup = "/etc/dhcp/dhcpd.conf.nds-backup";

std::vector<std::string> step_names(const PushOutcome& o) {
    std::vector<std::string> out;
    for (const auto& s : o.steps) out.push_back(s.step + (s.ok ? "" : " FAILED"));
    return out;
}

const char* kDhcpdRefusal = R"(Internet Systems Consortium DHCP Server 4.4.3-P1
Copyright 2004-2022 Internet Systems Consortium.
All rights reserved.
For info, please visit https://www.isc.org/software/dhcp/
/etc/dhcp/.dhcpd.conf.nds-new line 5: semicolon expected.
  bogus-statement yes;
                   ^
Configuration file errors encountered -- exiting

If you think you have received this message due to a bug rather
than a configuration issue please read the section on submitting
bugs on either our web page at www.isc.org or in the README file
before submitting a bug.  These pages explain the proper
process and the information we find helpful for debugging.

exiting.
)";

}  // namespace

TEST_CASE("push: paths and the config test command") {
    CHECK(candidate_path("/etc/dhcp/dhcpd.conf") == "/etc/dhcp/.dhcpd.conf.nds-new");
    CHECK(candidate_path("dhcpd.conf") == ".dhcpd.conf.nds-new");
    CHECK(backup_path("/etc/dhcp/dhcpd.conf") == "/etc/dhcp/dhcpd.conf.nds-backup");
    CHECK(config_test_command("dhcpd -t -4 -cf {file}", "/etc/dhcp/.x") == "dhcpd -t -4 -cf '/etc/dhcp/.x'");
    CHECK(config_test_command("a {file} b {file}", "it's here") == "a 'it'\\''s here' b 'it'\\''s here'");
    CHECK(config_test_command("no placeholder", "/x") == "no placeholder");
    CHECK(shell_quote("$(rm -rf /)") == "'$(rm -rf /)'");
}

TEST_CASE("push: an unchanged file touches nothing") {
    FakeHost host;
    host.files[kConfig] = {"same\n", 0640};
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), host.files[kConfig], "same\n", cancel);
    CHECK(out.result == PushOutcome::Result::unchanged);
    CHECK(out.steps.empty());
    CHECK(host.log.empty());
}

TEST_CASE("push: a changed file is uploaded, tested, backed up, installed, and the server restarted") {
    FakeHost host;
    host.files[kConfig] = {"old\n", 0640};
    std::vector<std::string> hooked;
    auto s = settings();
    s.before_step = [&](std::string_view step) { hooked.emplace_back(step); };
    nds::dhcpd::CancelState cancel;
    auto current = std::optional<RemoteFile>(host.files[kConfig]);
    auto out = push_config(host, s, current, "new\n", cancel);
    CHECK(out.result == PushOutcome::Result::pushed);
    CHECK(out.failed_step.empty());
    CHECK(step_names(out) == std::vector<std::string>{"upload", "config test", "backup", "install", "server stop", "server start", "server check"});
    CHECK(hooked == step_names(out));
    CHECK(host.files[kConfig].content == "new\n");
    CHECK(host.files[kConfig].mode == 0640);  // the mode of the file it replaces
    CHECK(host.files[kBackup].content == "old\n");
    CHECK_FALSE(host.files.count(kCandidate));
    CHECK(host.log == std::vector<std::string>{"write " + kCandidate, "run dhcpd -t -4 -cf '" + kCandidate + "'", "write " + kBackup,
                                               "run mv -f -- '" + kCandidate + "' '" + kConfig + "'", "run stop-dhcpd",
                                               "run start-dhcpd", "pause", "run check-dhcpd"});
}

TEST_CASE("push: the first push writes a new file with mode 0644 and no backup") {
    FakeHost host;
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), std::nullopt, "new\n", cancel);
    CHECK(out.result == PushOutcome::Result::pushed);
    CHECK(step_names(out) == std::vector<std::string>{"upload", "config test", "install", "server stop", "server start", "server check"});
    CHECK(host.files[kConfig].mode == 0644);
    CHECK_FALSE(host.files.count(kBackup));
}

TEST_CASE("push: a config the test refuses is not installed and dhcpd's message is quoted") {
    FakeHost host;
    host.files[kConfig] = {"old\n", 0644};
    host.answer = [](const std::string& command) {
        if (command.rfind("dhcpd -t", 0) == 0) return nds::Expected<CommandResult>(CommandResult{1, "", kDhcpdRefusal});
        return nds::Expected<CommandResult>(CommandResult{0, "", ""});
    };
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), host.files[kConfig], "new\n", cancel);
    CHECK(out.result == PushOutcome::Result::failed);
    CHECK(out.failed_step == "config test");
    REQUIRE(out.error);
    CHECK(out.error->is(nds::errc::command_failed));
    CHECK(out.error->message ==
          "config test 'dhcpd -t -4 -cf '/etc/dhcp/.dhcpd.conf.nds-new'' exited 1: /etc/dhcp/.dhcpd.conf.nds-new line 5: "
          "semicolon expected.\n  bogus-statement yes;\n                   ^\nConfiguration file errors encountered -- exiting");
    CHECK_FALSE(out.file_replaced);
    CHECK(step_names(out) == std::vector<std::string>{"upload", "config test FAILED", "clean up"});
    CHECK(out.steps[1].exit_status == 1);
    CHECK(out.steps[1].output.find("semicolon expected") != std::string::npos);
    CHECK(host.files[kConfig].content == "old\n");
    CHECK_FALSE(host.files.count(kCandidate));
    for (const auto& line : host.log) CHECK(line.find("start-dhcpd") == std::string::npos);
}

TEST_CASE("push: a failing start puts the previous file back and starts the server again") {
    FakeHost host;
    host.files[kConfig] = {"old\n", 0644};
    int starts = 0;
    host.answer = [&](const std::string& command) {
        if (command == "start-dhcpd" && ++starts == 1)
            return nds::Expected<CommandResult>(CommandResult{1, "", "Can't bind to dhcp address: Cannot assign requested address"});
        return nds::Expected<CommandResult>(CommandResult{0, "", ""});
    };
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), host.files[kConfig], "new\n", cancel);
    CHECK(out.result == PushOutcome::Result::failed);
    CHECK(out.failed_step == "server start");
    CHECK(out.error->message == "server start 'start-dhcpd' exited 1: Can't bind to dhcp address: Cannot assign requested address");
    CHECK(out.file_replaced);
    CHECK(out.backed_out);
    CHECK(step_names(out) == std::vector<std::string>{"upload", "config test", "backup", "install", "server stop", "server start FAILED",
                                                      "restore", "server stop (back-out)", "server start (back-out)",
                                                      "server check (back-out)"});
    CHECK(host.files[kConfig].content == "old\n");
    CHECK(starts == 2);
}

TEST_CASE("push: a server that does not run after the start is backed out too") {
    FakeHost host;
    host.files[kConfig] = {"old\n", 0644};
    int checks = 0;
    host.answer = [&](const std::string& command) {
        if (command == "check-dhcpd" && ++checks == 1) return nds::Expected<CommandResult>(CommandResult{3, "inactive\n", ""});
        return nds::Expected<CommandResult>(CommandResult{0, "", ""});
    };
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), host.files[kConfig], "new\n", cancel);
    CHECK(out.failed_step == "server check");
    CHECK(out.error->message == "server check 'check-dhcpd' exited 3: inactive");
    CHECK(out.backed_out);
    CHECK(host.files[kConfig].content == "old\n");
}

TEST_CASE("push: a back-out that cannot start the server says so") {
    FakeHost host;
    host.files[kConfig] = {"old\n", 0644};
    host.answer = [](const std::string& command) {
        if (command == "start-dhcpd") return nds::Expected<CommandResult>(CommandResult{1, "", "no"});
        return nds::Expected<CommandResult>(CommandResult{0, "", ""});
    };
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), host.files[kConfig], "new\n", cancel);
    CHECK(out.failed_step == "server start");
    CHECK(out.file_replaced);
    CHECK_FALSE(out.backed_out);
    CHECK(host.files[kConfig].content == "old\n");  // the file is back even so
}

TEST_CASE("push: without a previous file the back-out removes the new one") {
    FakeHost host;
    host.answer = [](const std::string& command) {
        if (command == "start-dhcpd") return nds::Expected<CommandResult>(CommandResult{1, "", "no"});
        return nds::Expected<CommandResult>(CommandResult{0, "", ""});
    };
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), std::nullopt, "new\n", cancel);
    CHECK(out.failed_step == "server start");
    CHECK_FALSE(host.files.count(kConfig));
}

TEST_CASE("push: a lost connection during the test leaves the file alone") {
    FakeHost host;
    host.files[kConfig] = {"old\n", 0644};
    host.answer = [](const std::string& command) -> nds::Expected<CommandResult> {
        if (command.rfind("dhcpd -t", 0) == 0) return nds::Error{make_error_code(nds::errc::transport), "ssh: connection lost"};
        return CommandResult{0, "", ""};
    };
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), host.files[kConfig], "new\n", cancel);
    CHECK(out.failed_step == "config test");
    CHECK(out.error->is(nds::errc::transport));
    CHECK(out.steps[1].output == "ssh: connection lost");
    CHECK(host.files[kConfig].content == "old\n");
    CHECK_FALSE(host.files.count(kCandidate));
}

TEST_CASE("push: a failed backup write stops before anything is replaced") {
    FakeHost host;
    host.files[kConfig] = {"old\n", 0644};
    host.fail_write_of = kBackup;
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, settings(), host.files[kConfig], "new\n", cancel);
    CHECK(out.failed_step == "backup");
    CHECK(out.error->is(nds::errc::io));
    CHECK(host.files[kConfig].content == "old\n");
}

TEST_CASE("push: without a config test, stop command or check the steps are left out") {
    FakeHost host;
    auto s = settings();
    s.config_test = "";
    s.server_stop = "";
    s.server_check = "";
    nds::dhcpd::CancelState cancel;
    auto out = push_config(host, s, std::nullopt, "new\n", cancel);
    CHECK(step_names(out) == std::vector<std::string>{"upload", "install", "server start"});
}

TEST_CASE("push: terminal cancellation stops at the next step and backs out") {
    FakeHost host;
    host.files[kConfig] = {"old\n", 0644};
    nds::dhcpd::CancelState cancel;
    auto s = settings();
    s.before_step = [&](std::string_view step) {
        if (step == "install") cancel.request_partial();  // partial: the push goes on
        if (step == "server stop") cancel.request_terminal();
    };
    auto out = push_config(host, s, host.files[kConfig], "new\n", cancel);
    CHECK(out.failed_step == "server start");
    CHECK(out.error->is(nds::errc::cancelled));
    CHECK(out.backed_out);
    CHECK(host.files[kConfig].content == "old\n");

    FakeHost untouched;
    nds::dhcpd::CancelState stopped;
    stopped.request_terminal();
    auto early = push_config(untouched, settings(), std::nullopt, "new\n", stopped);
    CHECK(early.failed_step == "upload");
    CHECK_FALSE(untouched.files.count(kConfig));
}

TEST_CASE("push: dhcpd's message without its banner and its bug paragraph") {
    CHECK(dhcpd_message(kDhcpdRefusal) ==
          "/etc/dhcp/.dhcpd.conf.nds-new line 5: semicolon expected.\n  bogus-statement yes;\n                   ^\n"
          "Configuration file errors encountered -- exiting");
    CHECK(dhcpd_message("plain text") == "plain text");
    CHECK(dhcpd_message("").empty());
}
