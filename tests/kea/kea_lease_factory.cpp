#include "tests/kea/kea_lease_factory.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <sys/stat.h>
#include <thread>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nds::testing {
namespace json = boost::json;

std::vector<json::object> all_leases(const KeaInstance& kea) {
    std::vector<json::object> out;
    std::string from = "start";
    for (int page = 0; page < 100000; ++page) {
        json::object args{{"from", from}, {"limit", 1000}};
        auto answer = kea.command("lease4-get-page", &args);
        auto result = answer.at("result").as_int64();
        if (result == 3) return out;
        if (result != 0) throw std::runtime_error("lease4-get-page: " + json::serialize(answer));
        const auto& leases = answer.at("arguments").at("leases").as_array();
        for (const auto& l : leases) out.push_back(l.as_object());
        if (leases.size() < 1000) return out;
        from = std::string(leases.back().at("ip-address").as_string());
    }
    throw std::runtime_error("lease4-get-page did not end");
}

void add_lease(const KeaInstance& kea, const std::string& ip, const std::string& mac, json::object extra) {
    json::object args = std::move(extra);
    args["ip-address"] = ip;
    args["hw-address"] = mac;
    auto answer = kea.command("lease4-add", &args);
    if (answer.at("result").as_int64() != 0) throw std::runtime_error("lease4-add " + ip + ": " + json::serialize(answer));
}

namespace {

/// "mac=02:5e:RR:00:00:00": a locally administered MAC base for perfdhcp round RR.
std::string mac_base(int round) {
    char text[40];
    std::snprintf(text, sizeof text, "mac=02:5e:%02x:00:00:00", round & 0xff);
    return text;
}

}  // namespace

LeaseFill fill_leases_with_perfdhcp(const KeaInstance& kea, const NetworkNamespacePair& netns, std::size_t count,
                                    int rate) {
    LeaseFill fill;
    auto held = all_leases(kea).size();
    while (held < count) {
        if (++fill.rounds > 20) {
            std::string progress;
            for (auto h : fill.held_after_round) progress += " " + std::to_string(h);
            throw std::runtime_error("perfdhcp: " + std::to_string(held) + " of " + std::to_string(count) +
                                     " leases after 20 rounds (after each:" + progress + "):\n" + fill.last_output);
        }
        // Ask for 2 % more (drops, and an exchange perfdhcp counts that makes no new lease): the
        // leases over the count are released again below.
        std::size_t missing = count - held;
        std::size_t exchanges = missing + missing / 50 + 5;
        // Every exchange is a new random client: -R 2^24 randomises the MAC's last three bytes, and each
        // round has a MAC base of its own (perfdhcp draws the same MACs again in every run, whatever -s
        // says). Each ACK is then a new lease; drops are made up by the next round.
        int seconds = static_cast<int>(exchanges / static_cast<std::size_t>(rate)) + 10;
        auto run = run_program(kIp,
                               netns.in_client({"/usr/sbin/perfdhcp", "-4", "-l", netns.client_interface(), "-r",
                                                std::to_string(rate), "-R", "16777216", "-b", mac_base(fill.rounds), "-n",
                                                std::to_string(exchanges),
                                                "-p", std::to_string(seconds)}),
                               {}, std::chrono::seconds(seconds + 30));
        fill.last_output = run.out + run.err;
        // perfdhcp exits 3 when packets were dropped: not an error here.
        if (run.exit_code != 0 && run.exit_code != 3)
            throw std::runtime_error("perfdhcp exited " + std::to_string(run.exit_code) + ":\n" + fill.last_output);
        held = all_leases(kea).size();
        fill.held_after_round.push_back(held);
    }
    if (held > count) {
        // An ACK perfdhcp counted as lost still made a lease: release the extra ones again.
        auto leases = all_leases(kea);
        for (std::size_t i = count; i < leases.size(); ++i) {
            json::object args{{"ip-address", leases[i].at("ip-address")}};
            auto answer = kea.command("lease4-del", &args);
            if (answer.at("result").as_int64() != 0) throw std::runtime_error("lease4-del: " + json::serialize(answer));
            ++fill.released;
        }
        held = all_leases(kea).size();
    }
    fill.leases = held;
    return fill;
}

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

UdhcpcResult run_udhcpc(const NetworkNamespacePair& netns, const std::string& work_dir, bool release) {
    std::string script = work_dir + "/udhcpc-script.sh";
    std::string events = work_dir + "/udhcpc-events";
    {
        std::ofstream out(script);
        out << "#!/bin/sh\n"
               "# Only sets the address (never resolv.conf or routes of the host) and notes what happened.\n"
               "case \"$1\" in\n"
               "  bound|renew) /usr/sbin/ip addr replace \"$ip/${mask:-24}\" dev \"$interface\" ;;\n"
               "  deconfig) /usr/sbin/ip addr flush dev \"$interface\" ;;\n"
               "esac\n"
               "echo \"$1 $ip\" >> " << events << "\n"
               "exit 0\n";
    }
    ::chmod(script.c_str(), 0755);
    std::remove(events.c_str());
    UdhcpcResult result;
    auto bound_address = [&]() -> std::string {
        std::istringstream lines(read_all(events));
        std::string line, address;
        while (std::getline(lines, line))
            if (line.rfind("bound ", 0) == 0 || line.rfind("renew ", 0) == 0) address = line.substr(6);
        return address;
    };
    if (!release) {
        std::vector<std::string> argv{"/bin/busybox", "udhcpc", "-i", netns.client_interface(), "-n", "-q", "-f",
                                      "-t", "5", "-T", "1", "-s", script};
        auto run = run_program(kIp, netns.in_client(argv), {}, std::chrono::seconds(30));
        result.exit_code = run.exit_code;
        result.output = run.out + run.err;
        result.address = bound_address();
        return result;
    }
    std::vector<std::string> argv{"/bin/busybox", "udhcpc", "-i", netns.client_interface(), "-f",
                                  "-t", "5", "-T", "1", "-s", script};
    ChildProcess client(kIp, netns.in_client(argv), work_dir + "/udhcpc.stderr");
    auto wait_for = [&](auto done) {
        for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return done();
    };
    if (!wait_for([&] { return !bound_address().empty(); })) {
        result.output = read_all(work_dir + "/udhcpc.stderr");
        return result;
    }
    result.address = bound_address();
    ::kill(client.pid(), SIGUSR2);  // release
    bool released = wait_for([&] { return read_all(work_dir + "/udhcpc.stderr").find("entering released state") != std::string::npos; });
    client.stop();
    result.output = read_all(work_dir + "/udhcpc.stderr");
    result.exit_code = released ? 0 : 1;
    return result;
}

}  // namespace nds::testing
