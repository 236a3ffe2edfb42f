#include "redis_server.hpp"

#include <hiredis/hiredis.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nds::coordination::testing {
namespace {

constexpr std::uint16_t first_port = 16000;
constexpr std::uint16_t port_count = 500;  // 16000-16499
const char* const redis_server_binary = "/usr/bin/redis-server";

bool port_is_free(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return free;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void add_extension(X509* certificate, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (!extension || X509_add_ext(certificate, extension, -1) != 1) throw std::runtime_error("X509 extension");
    X509_EXTENSION_free(extension);
}

/// A self-signed certificate for 127.0.0.1 (EC P-256), that is its own CA: ca.pem + key.pem in `dir`.
void generate_certificate(const std::filesystem::path& dir) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* certificate = X509_new();
    if (!key || !certificate) throw std::runtime_error("cannot generate a test certificate");
    X509_set_version(certificate, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), static_cast<long>(std::random_device{}() & 0x7fffffff));
    X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate), 24 * 3600);
    X509_set_pubkey(certificate, key);
    X509_NAME* name = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("nds-redis-test"), -1,
                               -1, 0);
    X509_set_issuer_name(certificate, name);
    add_extension(certificate, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(certificate, NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_extension(certificate, NID_subject_key_identifier, "hash");
    add_extension(certificate, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    if (X509_sign(certificate, key, EVP_sha256()) <= 0) throw std::runtime_error("cannot sign the test certificate");
    FILE* cert_file = std::fopen((dir / "ca.pem").c_str(), "wb");
    FILE* key_file = std::fopen((dir / "key.pem").c_str(), "wb");
    if (!cert_file || !key_file) throw std::runtime_error("cannot write the test certificate");
    PEM_write_X509(cert_file, certificate);
    PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(cert_file);
    std::fclose(key_file);
    X509_free(certificate);
    EVP_PKEY_free(key);
}

std::string reply_text(const redisReply* reply) {
    switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR: return std::string(reply->str, reply->len);
    case REDIS_REPLY_INTEGER: return std::to_string(reply->integer);
    case REDIS_REPLY_ARRAY: {
        std::string out = "[";
        for (std::size_t i = 0; i < reply->elements; ++i) out += (i ? "," : "") + reply_text(reply->element[i]);
        return out + "]";
    }
    default: return "(nil)";
    }
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)) {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("nds-redis-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
    if (options_.tls) generate_certificate(dir_);
    // Several test processes pick ports at once: start at a random place of the range, skip taken ports, and
    // retry when redis-server could not bind (another process took the port between the check and the start).
    auto offset = static_cast<std::uint16_t>(random() % port_count);
    for (int attempt = 0; attempt < 40; ++attempt) {
        port_ = static_cast<std::uint16_t>(first_port + (offset + attempt * 7) % port_count);
        if (!port_is_free(port_)) continue;
        write_config();
        if (try_start(std::chrono::seconds(10))) return;
    }
    std::filesystem::remove_all(dir_);
    throw std::runtime_error("cannot start redis-server on a port of 16000-16499");
}

RedisServer::~RedisServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string RedisServer::url(const std::string& credentials) const {
    return std::string(options_.tls ? "rediss://" : "redis://") + (credentials.empty() ? "" : credentials + "@") +
           "127.0.0.1:" + std::to_string(port_) + "/0";
}

void RedisServer::write_config() const {
    std::ofstream conf(dir_ / "redis.conf");
    conf << "bind 127.0.0.1\n";
    if (options_.tls) {
        conf << "port 0\ntls-port " << port_ << "\n"
             << "tls-cert-file " << (dir_ / "ca.pem").string() << "\n"
             << "tls-key-file " << (dir_ / "key.pem").string() << "\n"
             << "tls-ca-cert-file " << (dir_ / "ca.pem").string() << "\n"
             << "tls-auth-clients no\n";
    } else {
        conf << "port " << port_ << "\n";
    }
    conf << "save \"\"\nappendonly no\ndaemonize no\nlogfile \"\"\n"
         << "dir " << dir_.string() << "\n";
    if (!options_.requirepass.empty()) conf << "requirepass " << options_.requirepass << "\n";
    for (const auto& line : options_.acl_lines) conf << line << "\n";
}

bool RedisServer::try_start(std::chrono::milliseconds limit) {
    static int starts = 0;
    auto log = dir_ / ("redis-" + std::to_string(++starts) + ".log");
    auto conf = (dir_ / "redis.conf").string();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
        }
        ::execl(redis_server_binary, "redis-server", conf.c_str(), static_cast<char*>(nullptr));
        std::_Exit(127);
    }
    pid_ = pid;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was taken, or a bad config
            pid_ = -1;
            return false;
        }
        if (read_file(log).find("Ready to accept connections") != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop();
    return false;
}

void RedisServer::start() {
    if (running()) return;
    if (!try_start(std::chrono::seconds(10)))
        throw std::runtime_error("redis-server did not start again on port " + std::to_string(port_));
}

void RedisServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) != pid_) {
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
}

void RedisServer::pause() {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::string RedisServer::command(const std::vector<std::string>& arguments, const std::string& password) const {
    if (options_.tls) throw std::logic_error("RedisServer::command has no TLS");
    redisContext* context = redisConnectWithTimeout("127.0.0.1", port_, timeval{2, 0});
    if (!context || context->err) {
        std::string why = context ? context->errstr : "out of memory";
        if (context) redisFree(context);
        throw std::runtime_error("cannot connect to the test redis-server: " + why);
    }
    redisSetTimeout(context, timeval{2, 0});
    if (!password.empty()) {
        auto* auth = static_cast<redisReply*>(redisCommand(context, "AUTH %s", password.c_str()));
        if (auth) freeReplyObject(auth);
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& argument : arguments) {
        argv.push_back(argument.data());
        lengths.push_back(argument.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    std::string text = reply ? reply_text(reply) : std::string("(no reply: ") + context->errstr + ")";
    if (reply) freeReplyObject(reply);
    redisFree(context);
    return text;
}

}  // namespace nds::coordination::testing
