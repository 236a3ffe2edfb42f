#include "tests/support/service_process.hpp"

#include "tests/support/simulator.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nds::testing {

ServiceProcess::ServiceProcess(const std::string& program, const std::string& config_path, const std::string& log_path,
                               const std::vector<std::pair<std::string, std::string>>& env)
    : log_path_(log_path) {
    std::vector<std::string> storage{program, "run", "--config", config_path};
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) ::dup2(fd, STDERR_FILENO);
        int null = ::open("/dev/null", O_WRONLY);
        if (null >= 0) ::dup2(null, STDOUT_FILENO);
        ::setenv("NETBOX_TOKEN", "", 1);
        ::unsetenv("NOTIFY_SOCKET");
        for (const auto& [key, value] : env) ::setenv(key.c_str(), value.c_str(), 1);
        ::execv(program.c_str(), argv.data());
        std::_Exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    static const std::regex port_text("SERVICE_LISTENING[^\\n]*port[\"=:]+\"?([0-9]+)");
    while (std::chrono::steady_clock::now() < deadline) {
        std::smatch match;
        auto text = log();
        if (std::regex_search(text, match, port_text)) {
            port_ = static_cast<std::uint16_t>(std::stoi(match[1].str()));
            return;
        }
        if (!running()) throw std::runtime_error("the service exited before listening:\n" + log());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("the service did not log SERVICE_LISTENING within 20 s:\n" + log());
}

ServiceProcess::~ServiceProcess() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait_exit(std::chrono::seconds(5));
    }
}

http::Response ServiceProcess::call(const std::string& method, const std::string& target, const std::string& body,
                                    const http::Headers& headers) {
    return http_call(port_, method, target, body, headers);
}

void ServiceProcess::signal(int signal_number) {
    if (running()) ::kill(pid_, signal_number);
}

bool ServiceProcess::running() {
    if (exited_ || pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
    }
    return true;
}

std::optional<int> ServiceProcess::wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

std::string ServiceProcess::log() const {
    std::ifstream in(log_path_);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

bool ServiceProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout, std::size_t count) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto all = log();
        std::size_t found = 0;
        for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + text.size())) ++found;
        if (found >= count) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

double ServiceProcess::metric(const std::string& line_prefix) {
    auto text = call("GET", "/metrics").body;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind(line_prefix + " ", 0) == 0) return std::stod(line.substr(line_prefix.size() + 1));
    return 0;
}

bool ServiceProcess::wait_for_metric(const std::string& line_prefix, double at_least, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (metric(line_prefix) >= at_least) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::string webhook_signature(const std::string& secret, const std::string& body) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha512(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
         body.size(), digest, &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0x0F];
    }
    return out;
}

}  // namespace nds::testing
