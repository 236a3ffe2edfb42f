#include "tests/kea/kea_instance.hpp"

#include "http/http_client.hpp"
#include "kea_client/kea_commands.hpp"
#include "util/async.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace nds::testing {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

bool port_is_free(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

std::string tail(const std::string& path, std::size_t max_bytes = 3000) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
}

json::object parse_object(const std::string& text, const char* what) {
    auto value = json::parse(text);
    if (!value.is_object()) throw std::runtime_error(std::string(what) + " is not a JSON object");
    return value.as_object();
}

}  // namespace

std::uint16_t free_kea_port() {
    static std::mutex mutex;
    static std::set<std::uint16_t> handed_out;
    std::lock_guard lock(mutex);
    // Start at a place that depends on the process, so that two test processes rarely probe the same ports.
    std::uint16_t start = static_cast<std::uint16_t>(18000 + (::getpid() * 37) % 1000);
    for (int i = 0; i < 1000; ++i) {
        auto port = static_cast<std::uint16_t>(18000 + (start - 18000 + i) % 1000);
        if (handed_out.count(port) || !port_is_free(port)) continue;
        handed_out.insert(port);
        return port;
    }
    throw std::runtime_error("no free port in 18000-18999");
}

std::pair<unsigned, std::string> post_json(std::uint16_t port, const std::string& body, const std::string& content_type,
                                           const std::string& authorization, const KeaTls* tls) {
    boost::asio::io_context io;
    http::ClientOptions options;
    options.max_retries = 0;
    options.timeout = std::chrono::seconds(10);
    if (tls) {
        options.ca_file = tls->ca_file;
        options.cert_file = tls->client_cert_file;
        options.key_file = tls->client_key_file;
    }
    http::Client client(io.get_executor(), std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port),
                        options);
    http::Request request;
    request.method = "POST";
    request.target = "/";
    request.headers.emplace_back("Content-Type", content_type);
    if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
    request.body = body;
    auto response = run_to_completion(io, client.send(std::move(request)));
    if (!response) return {0u, response.error().message};
    return {response->status, response->body};
}

std::optional<std::string> KeaInstance::unavailable() {
    for (const char* program : {"/usr/sbin/kea-dhcp4", "/usr/sbin/kea-ctrl-agent"})
        if (::access(program, X_OK) != 0) return std::string(program) + " is not installed (Debian package kea)";
    if (::access((std::string(kKeaHooks) + "/libdhcp_lease_cmds.so").c_str(), R_OK) != 0)
        return std::string("no libdhcp_lease_cmds.so in ") + kKeaHooks;
    return std::nullopt;
}

KeaInstance::KeaInstance(KeaInstanceOptions options) : options_(std::move(options)) {
    std::string pattern = "/tmp/nds-" + options_.name + "-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    fs::create_directories(dir_ + "/run");
    dhcp4_path_ = dir_ + "/kea-dhcp4.json";
    ca_path_ = dir_ + "/kea-ctrl-agent.json";
    ca_port_ = options_.ca_port ? options_.ca_port : free_kea_port();
    try {
        write_configs();
        start_server();
        start_agent();
    } catch (...) {
        agent_.reset();
        server_.reset();
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
        throw;
    }
}

KeaInstance::~KeaInstance() {
    agent_.reset();
    server_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

std::string KeaInstance::authorization() const {
    return options_.username.empty() ? std::string() : kea::basic_authorization(options_.username, options_.password);
}

std::string KeaInstance::url() const {
    return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(ca_port_) + "/";
}

void KeaInstance::write_configs() {
    json::object dhcp4 = parse_object(options_.dhcp4, "KeaInstanceOptions::dhcp4");
    json::object interfaces;
    json::array names;
    if (options_.netns) names.push_back(json::string(options_.netns->server_interface()));
    interfaces["interfaces"] = std::move(names);
    dhcp4["interfaces-config"] = std::move(interfaces);
    dhcp4["control-socket"] = json::object{{"socket-type", "unix"}, {"socket-name", dir_ + "/run/kea4-ctrl-socket"}};
    dhcp4["lease-database"] =
        json::object{{"type", "memfile"}, {"persist", true}, {"name", dir_ + "/leases4.csv"}, {"lfc-interval", 0}};
    json::array hooks;
    if (options_.lease_cmds) hooks.push_back(json::object{{"library", std::string(kKeaHooks) + "/libdhcp_lease_cmds.so"}});
    if (!options_.ha.empty()) {
        json::object parameters;
        parameters["high-availability"] = json::parse(options_.ha);
        hooks.push_back(json::object{{"library", std::string(kKeaHooks) + "/libdhcp_ha.so"}, {"parameters", parameters}});
    }
    dhcp4["hooks-libraries"] = std::move(hooks);
    dhcp4["loggers"] = json::array{json::object{
        {"name", "kea-dhcp4"}, {"severity", "INFO"},
        {"output_options", json::array{json::object{{"output", dir_ + "/kea-dhcp4.log"}}}}}};
    write_file(dhcp4_path_, json::serialize(json::object{{"Dhcp4", dhcp4}}));

    json::object agent;
    agent["http-host"] = "127.0.0.1";
    agent["http-port"] = ca_port_;
    agent["control-sockets"] =
        json::object{{"dhcp4", json::object{{"socket-type", "unix"}, {"socket-name", dir_ + "/run/kea4-ctrl-socket"}}}};
    if (!options_.username.empty())
        agent["authentication"] = json::object{
            {"type", "basic"}, {"realm", "nds-test"},
            {"clients", json::array{json::object{{"user", options_.username}, {"password", options_.password}}}}};
    if (options_.tls) {
        agent["trust-anchor"] = options_.tls->ca_file;
        agent["cert-file"] = options_.tls->cert_file;
        agent["key-file"] = options_.tls->key_file;
        agent["cert-required"] = options_.tls->cert_required;
    }
    agent["loggers"] = json::array{json::object{
        {"name", "kea-ctrl-agent"}, {"severity", "INFO"},
        {"output_options", json::array{json::object{{"output", dir_ + "/kea-ctrl-agent.log"}}}}}};
    write_file(ca_path_, json::serialize(json::object{{"Control-agent", agent}}));
}

void KeaInstance::start_server() {
    std::string env = "KEA_PIDFILE_DIR=" + dir_ + "/run KEA_LOCKFILE_DIR=" + dir_ + "/run";
    // exec keeps the pid: SIGTERM from ChildProcess reaches kea-dhcp4 itself. In the host namespace the
    // DHCP port is moved off 67 (no interface is opened anyway); in its own namespace it serves port 67.
    std::string port = options_.netns ? "" : " -p " + std::to_string(free_kea_port());
    std::string command = "exec env " + env + " /usr/sbin/kea-dhcp4" + port + " -c " + dhcp4_path_ + " >> " + dir_ +
                          "/kea-dhcp4.stdout 2>&1";
    if (options_.netns)
        server_ = std::make_unique<ChildProcess>(kIp, options_.netns->in_server({"/bin/sh", "-c", command}));
    else
        server_ = std::make_unique<ChildProcess>("/bin/sh", std::vector<std::string>{"-c", command});
    // The control socket appears once the configuration is loaded.
    for (int i = 0; i < 500; ++i) {
        if (fs::exists(dir_ + "/run/kea4-ctrl-socket")) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("kea-dhcp4 did not open its control socket within 5 s:\n" + logs());
}

void KeaInstance::start_agent() {
    std::string env = "KEA_PIDFILE_DIR=" + dir_ + "/run KEA_LOCKFILE_DIR=" + dir_ + "/run";
    std::string command = "exec env " + env + " /usr/sbin/kea-ctrl-agent -c " + ca_path_ + " >> " + dir_ +
                          "/kea-ctrl-agent.stdout 2>&1";
    agent_ = std::make_unique<ChildProcess>("/bin/sh", std::vector<std::string>{"-c", command});
    if (wait_until_ready(std::chrono::seconds(10))) return;
    if (options_.ca_port == 0 && !port_is_free(ca_port_)) {
        // Another process took the port between the probe and the agent's bind: once more on another.
        agent_.reset();
        ca_port_ = free_kea_port();
        write_configs();
        agent_ = std::make_unique<ChildProcess>("/bin/sh", std::vector<std::string>{"-c", command});
        if (wait_until_ready(std::chrono::seconds(10))) return;
    }
    throw std::runtime_error("kea-ctrl-agent on port " + std::to_string(ca_port_) + " did not answer:\n" + logs());
}

bool KeaInstance::wait_until_ready(std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string body = R"({"command":"version-get","service":["dhcp4"]})";
    std::string auth = authorization();
    while (std::chrono::steady_clock::now() < deadline) {
        auto [status, text] = post_json(ca_port_, body, "application/json", auth, tls());
        if (status == 200 && text.find("\"result\": 0") != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

json::object KeaInstance::command(const std::string& name, const json::object* arguments) const {
    json::object body{{"command", name}, {"service", json::array{"dhcp4"}}};
    if (arguments) body["arguments"] = *arguments;
    auto [status, text] = post_json(ca_port_, json::serialize(body), "application/json", authorization(), tls());
    if (status != 200) throw std::runtime_error(name + ": HTTP " + std::to_string(status) + ": " + text);
    auto value = json::parse(text);
    if (!value.is_array() || value.as_array().empty() || !value.as_array()[0].is_object())
        throw std::runtime_error(name + ": unexpected answer " + text);
    return value.as_array()[0].as_object();
}

json::object KeaInstance::config() const {
    auto answer = command("config-get");
    if (answer.at("result").as_int64() != 0) throw std::runtime_error("config-get failed: " + json::serialize(answer));
    return answer.at("arguments").at("Dhcp4").as_object();
}

void KeaInstance::set_config(const json::object& dhcp4) const {
    json::object arguments{{"Dhcp4", dhcp4}};
    auto answer = command("config-set", &arguments);
    if (answer.at("result").as_int64() != 0) throw std::runtime_error("config-set failed: " + json::serialize(answer));
}

void KeaInstance::stop_agent() { agent_.reset(); }

void KeaInstance::stop_server() { server_.reset(); }

std::string KeaInstance::logs() const {
    return "--- kea-dhcp4:\n" + tail(dir_ + "/kea-dhcp4.stdout") + tail(dir_ + "/kea-dhcp4.log") +
           "\n--- kea-ctrl-agent:\n" + tail(dir_ + "/kea-ctrl-agent.stdout") + tail(dir_ + "/kea-ctrl-agent.log");
}

}  // namespace nds::testing
