#include "sshd_instance.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace nds::dhcpd::test {
namespace {

std::atomic<int> counter{0};

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

/// True when nothing listens on 127.0.0.1:port right now.
bool port_free(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

void keygen(const std::string& path) {
    auto r = nds::testing::run_program("/usr/bin/ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-f", path});
    if (r.exit_code != 0) throw std::runtime_error("ssh-keygen -f " + path + " failed: " + r.err);
}

}  // namespace

TempDir::TempDir(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("nds-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

void write_text(const std::string& path, const std::string& text, std::filesystem::perms perms) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
    }
    std::filesystem::permissions(path, perms);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

SshdInstance::SshdInstance(const std::filesystem::path& dir) : dir_(dir) {
    const auto host_key = (dir / "ssh_host_ed25519_key").string();
    client_key_ = (dir / "client_key").string();
    keygen(host_key);
    keygen(client_key_);
    keygen((dir / "other_host_key").string());
    host_public_key_ = trim(read_text(host_key + ".pub"));
    other_public_key_ = trim(read_text((dir / "other_host_key.pub").string()));
    write_text((dir / "authorized_keys").string(), read_text(client_key_ + ".pub"));
    std::filesystem::create_directories("/run/sshd");  // sshd's privilege separation directory

    // A port of the range, different per process and instance; tried until sshd listens.
    int start = 22000 + static_cast<int>((::getpid() * 37 + counter.fetch_add(1) * 101) % 1000);
    for (int attempt = 0; attempt < 40 && !process_; ++attempt) {
        int port = 22000 + (start - 22000 + attempt * 17) % 1000;
        if (!port_free(port)) continue;
        const auto config = (dir / "sshd_config").string();
        write_text(config, "Port " + std::to_string(port) +
                               "\nListenAddress 127.0.0.1\n"
                               "HostKey " + host_key + "\n"
                               "PidFile " + (dir / "sshd.pid").string() + "\n"
                               "AuthorizedKeysFile " + (dir / "authorized_keys").string() + "\n"
                               "PermitRootLogin prohibit-password\n"
                               "PasswordAuthentication no\n"
                               "KbdInteractiveAuthentication no\n"
                               "UsePAM no\n"
                               "StrictModes no\n"
                               "Subsystem sftp internal-sftp\n");
        const auto log = (dir / ("sshd-" + std::to_string(port) + ".log")).string();
        auto process = std::make_unique<nds::testing::ChildProcess>("/usr/sbin/sshd", std::vector<std::string>{"-D", "-e", "-f", config}, log);
        for (int wait = 0; wait < 200; ++wait) {
            auto text = read_text(log);
            if (text.find("Server listening on 127.0.0.1 port") != std::string::npos) {
                port_ = port;
                process_ = std::move(process);
                break;
            }
            if (text.find("Address already in use") != std::string::npos || text.find("Cannot bind") != std::string::npos) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
    if (!process_) throw std::runtime_error("sshd did not start on any port of 22000-22999 (logs in " + dir.string() + ")");
}

SshdInstance::~SshdInstance() { stop(); }

std::string SshdInstance::known_hosts_line() const {
    std::istringstream key(host_public_key_);
    std::string type, blob;
    key >> type >> blob;
    return "[127.0.0.1]:" + std::to_string(port_) + " " + type + " " + blob + "\n";
}

std::string SshdInstance::wrong_known_hosts_line() const {
    std::istringstream key(other_public_key_);
    std::string type, blob;
    key >> type >> blob;
    return "[127.0.0.1]:" + std::to_string(port_) + " " + type + " " + blob + "\n";
}

void SshdInstance::kill_sessions() {
    if (!process_) return;
    const pid_t server = process_->pid();
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        auto stat = read_text((entry.path() / "stat").string());
        auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(stat.substr(close + 2));
        char state;
        pid_t parent = 0;
        rest >> state >> parent;
        if (parent == server) ::kill(static_cast<pid_t>(std::stoi(name)), SIGKILL);
    }
}

void SshdInstance::stop() {
    if (!process_) return;
    kill_sessions();
    process_->stop();
    process_.reset();
}

}  // namespace nds::dhcpd::test
