#include "dhcpd_client/ssh_session.hpp"

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace nds::dhcpd {
namespace {

using Clock = std::chrono::steady_clock;

Error transport(const std::string& what) { return Error{make_error_code(errc::transport), what}; }
Error io_error(const std::string& what) { return Error{make_error_code(errc::io), what}; }

void init_libssh_once() {
    static std::once_flag once;
    std::call_once(once, [] { ssh_init(); });
}

std::string sftp_error_text(int code) {
    switch (code) {
    case SSH_FX_OK: return "ok";
    case SSH_FX_EOF: return "end of file";
    case SSH_FX_NO_SUCH_FILE: return "no such file";
    case SSH_FX_PERMISSION_DENIED: return "permission denied";
    case SSH_FX_FAILURE: return "failure";
    case SSH_FX_BAD_MESSAGE: return "bad message";
    case SSH_FX_NO_CONNECTION: return "no connection";
    case SSH_FX_CONNECTION_LOST: return "connection lost";
    case SSH_FX_OP_UNSUPPORTED: return "operation unsupported";
    default: return "SFTP error " + std::to_string(code);
    }
}

/// Shuts the socket down when the armed deadline passes: libssh's blocking calls then fail at once.
class Watchdog {
public:
    Watchdog() : thread_([this] { run(); }) {}
    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    void set_fd(int fd) {
        std::lock_guard lock(mutex_);
        fd_ = fd;
    }
    void arm(std::chrono::milliseconds timeout) {
        {
            std::lock_guard lock(mutex_);
            deadline_ = Clock::now() + timeout;
            armed_ = true;
        }
        cv_.notify_all();
    }
    void disarm() {
        std::lock_guard lock(mutex_);
        armed_ = false;
    }
    bool fired() const { return fired_.load(); }
    void fire_now() {
        std::lock_guard lock(mutex_);
        shut_down();
    }

private:
    void run() {
        std::unique_lock lock(mutex_);
        while (!stop_) {
            if (!armed_) {
                cv_.wait(lock);
                continue;
            }
            auto deadline = deadline_;
            if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && armed_ && deadline_ == deadline) {
                shut_down();
                armed_ = false;
            }
        }
    }
    void shut_down() {
        fired_ = true;
        if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool armed_ = false;
    Clock::time_point deadline_{};
    int fd_ = -1;
    std::atomic<bool> fired_{false};
    std::thread thread_;
};

/// Arms the watchdog for one step; disarms when the step ends.
class Deadline {
public:
    Deadline(Watchdog& dog, std::chrono::milliseconds timeout) : dog_(dog) { dog_.arm(timeout); }
    ~Deadline() { dog_.disarm(); }

private:
    Watchdog& dog_;
};

std::string read_password_file(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read password_file " + path;
        return {};
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

KnownHostState to_state(ssh_known_hosts_e verdict) {
    switch (verdict) {
    case SSH_KNOWN_HOSTS_OK: return KnownHostState::known;
    case SSH_KNOWN_HOSTS_CHANGED: return KnownHostState::changed;
    case SSH_KNOWN_HOSTS_OTHER: return KnownHostState::other_key_type;
    case SSH_KNOWN_HOSTS_UNKNOWN: return KnownHostState::unknown;
    case SSH_KNOWN_HOSTS_NOT_FOUND: return KnownHostState::no_file;
    default: return KnownHostState::error;
    }
}

}  // namespace

HostKeyDecision decide_host_key(KnownHostState state, bool accept_new_host_key) {
    switch (state) {
    case KnownHostState::known: return HostKeyDecision::accept;
    case KnownHostState::unknown:
    case KnownHostState::no_file:
        return accept_new_host_key ? HostKeyDecision::accept_and_record : HostKeyDecision::refuse;
    case KnownHostState::changed:          // a recorded key differs: possibly someone in the middle
    case KnownHostState::other_key_type:   // the file records a key of another type for this host
    case KnownHostState::error:
        return HostKeyDecision::refuse;
    }
    return HostKeyDecision::refuse;
}

struct SshSession::Impl {
    SshTarget target;
    ssh_session session = nullptr;
    sftp_session sftp = nullptr;
    Watchdog watchdog;
    std::atomic<bool> is_broken{false};

    ~Impl() {
        if (sftp) sftp_free(sftp);
        if (session) {
            if (!is_broken) ssh_disconnect(session);
            ssh_free(session);
        }
    }

    std::string where() const { return "ssh " + target.user + "@" + target.host + ":" + std::to_string(target.port); }

    Error lost(const std::string& step) {
        is_broken = true;
        std::string detail = watchdog.fired() ? "no answer within the timeout" : std::string(ssh_get_error(session));
        return transport(where() + ": " + step + ": " + detail);
    }

    Expected<Done> check_host_key() {
        ssh_key key = nullptr;
        if (ssh_get_server_publickey(session, &key) != SSH_OK) return lost("reading the host key");
        unsigned char* hash = nullptr;
        size_t hash_length = 0;
        std::string fingerprint = "?";
        if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_length) == 0) {
            char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_length);
            if (text) {
                fingerprint = text;
                ssh_string_free_char(text);
            }
            ssh_clean_pubkey_hash(&hash);
        }
        ssh_key_free(key);
        auto state = to_state(ssh_session_is_known_server(session));
        auto decision = decide_host_key(state, target.accept_new_host_key);
        const std::string subject = "host key " + fingerprint + " of " + target.host + ":" + std::to_string(target.port);
        if (decision == HostKeyDecision::accept) return Done{};
        if (decision == HostKeyDecision::accept_and_record) {
            if (ssh_session_update_known_hosts(session) != SSH_OK)
                return io_error(where() + ": " + subject + " accepted but not recorded in " + target.known_hosts + ": " +
                                ssh_get_error(session));
            return Done{};
        }
        std::string why;
        switch (state) {
        case KnownHostState::changed:
            why = " differs from the key recorded in " + target.known_hosts +
                  " (the server was re-keyed, or someone is in the middle): remove the old line to accept it";
            break;
        case KnownHostState::other_key_type:
            why = " is of another type than the key recorded in " + target.known_hosts + ": remove the old line to accept it";
            break;
        case KnownHostState::error:
            why = " could not be checked against " + target.known_hosts + ": " + ssh_get_error(session);
            break;
        default:
            why = " is not in " + target.known_hosts +
                  ": add it (ssh-keyscan, after checking the fingerprint) or set accept_new_host_key";
        }
        return Error{make_error_code(errc::host_key), where() + ": " + subject + why};
    }

    Expected<Done> authenticate() {
        int rc = SSH_AUTH_ERROR;
        if (!target.key_file.empty()) {
            ssh_key key = nullptr;
            if (ssh_pki_import_privkey_file(target.key_file.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK)
                return Error{make_error_code(errc::config), where() + ": cannot read the private key " + target.key_file};
            rc = ssh_userauth_publickey(session, nullptr, key);
            ssh_key_free(key);
        } else if (!target.password_file.empty()) {
            std::string problem;
            auto password = read_password_file(target.password_file, problem);
            if (!problem.empty()) return Error{make_error_code(errc::config), where() + ": " + problem};
            rc = ssh_userauth_password(session, nullptr, password.c_str());
        } else {
            return Error{make_error_code(errc::config), where() + ": neither key_file nor password_file is set"};
        }
        if (rc == SSH_AUTH_SUCCESS) return Done{};
        if (rc == SSH_AUTH_ERROR) return lost("authentication");
        return Error{make_error_code(errc::authentication),
                     where() + ": " + (target.key_file.empty() ? "password" : "key " + target.key_file) + " refused"};
    }

    Expected<sftp_session> sftp_channel() {
        if (sftp) return sftp;
        sftp = sftp_new(session);
        if (!sftp) return lost("opening SFTP");
        if (sftp_init(sftp) != SSH_OK) {
            sftp_free(sftp);
            sftp = nullptr;
            return lost("starting SFTP");
        }
        return sftp;
    }

    /// An SFTP failure: the connection's (transport) or the file's (io).
    Error sftp_failure(const std::string& step, const std::string& path) {
        int code = sftp ? sftp_get_error(sftp) : -1;
        if (watchdog.fired() || !ssh_is_connected(session) || code == SSH_FX_CONNECTION_LOST || code == SSH_FX_NO_CONNECTION ||
            code <= 0)
            return lost(step + " " + path);
        return io_error(where() + ": " + step + " " + path + ": " + sftp_error_text(code));
    }
};

SshSession::SshSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshSession::~SshSession() = default;

Expected<std::unique_ptr<SshSession>> SshSession::connect(const SshTarget& target) {
    init_libssh_once();
    auto impl = std::make_unique<Impl>();
    impl->target = target;
    if (target.known_hosts.empty())
        return Error{make_error_code(errc::config), impl->where() + ": no known_hosts file is configured"};
    impl->session = ssh_new();
    if (!impl->session) return transport(impl->where() + ": cannot create an SSH session");
    auto s = impl->session;
    long timeout_s = std::max<long>(1, static_cast<long>((target.timeout.count() + 999) / 1000));
    int verbosity = SSH_LOG_NOLOG;
    int port = target.port;
    bool no = false;
    ssh_options_set(s, SSH_OPTIONS_HOST, target.host.c_str());
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    ssh_options_set(s, SSH_OPTIONS_USER, target.user.c_str());
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, target.known_hosts.c_str());
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");  // only the configured file is trusted
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout_s);
    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);  // ~/.ssh/config must not change what we connect to
    if (ssh_connect(s) != SSH_OK) {
        impl->is_broken = true;
        return transport(impl->where() + ": connect failed: " + ssh_get_error(s));
    }
    impl->watchdog.set_fd(ssh_get_fd(s));
    {
        Deadline step(impl->watchdog, target.timeout);
        auto key = impl->check_host_key();
        if (!key) return key.error();
        auto auth = impl->authenticate();
        if (!auth) return auth.error();
    }
    return std::unique_ptr<SshSession>(new SshSession(std::move(impl)));
}

Expected<CommandResult> SshSession::run(const std::string& command, std::chrono::milliseconds timeout, std::size_t max_output) {
    auto& d = *impl_;
    // The watchdog is the last resort; the loop below ends a slow command itself and keeps the connection.
    Deadline step(d.watchdog, timeout + d.target.timeout);
    ssh_channel channel = ssh_channel_new(d.session);
    if (!channel) return d.lost("opening a channel");
    struct ChannelGuard {
        ssh_channel c;
        ~ChannelGuard() {
            ssh_channel_close(c);
            ssh_channel_free(c);
        }
    } guard{channel};
    if (ssh_channel_open_session(channel) != SSH_OK) return d.lost("opening a channel");
    if (ssh_channel_request_exec(channel, command.c_str()) != SSH_OK) return d.lost("starting '" + command + "'");
    CommandResult result;
    auto append = [&](std::string& to, const char* data, int n) {
        if (n <= 0) return;
        auto room = max_output > to.size() ? max_output - to.size() : 0;
        to.append(data, std::min<std::size_t>(room, static_cast<std::size_t>(n)));
    };
    char buffer[16384];
    const auto deadline = Clock::now() + timeout;
    while (true) {
        int n = ssh_channel_read_timeout(channel, buffer, sizeof buffer, 0, 100);
        if (n == SSH_ERROR) return d.lost("reading the output of '" + command + "'");
        append(result.out, buffer, n);
        int e;
        while ((e = ssh_channel_read_nonblocking(channel, buffer, sizeof buffer, 1)) > 0) append(result.err, buffer, e);
        if (e == SSH_ERROR) return d.lost("reading the output of '" + command + "'");
        if (ssh_channel_is_eof(channel)) break;
        if (Clock::now() > deadline)
            return transport(d.where() + ": '" + command + "' did not finish within " +
                             std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s");
    }
    result.exit_status = ssh_channel_get_exit_status(channel);
    return result;
}

Expected<std::optional<RemoteFile>> SshSession::read_file(const std::string& path, std::uint64_t max_bytes) {
    auto& d = *impl_;
    Deadline step(d.watchdog, d.target.timeout);
    auto sftp = d.sftp_channel();
    if (!sftp) return sftp.error();
    sftp_file file = sftp_open(*sftp, path.c_str(), O_RDONLY, 0);
    if (!file) {
        if (sftp_get_error(*sftp) == SSH_FX_NO_SUCH_FILE) return std::optional<RemoteFile>{};
        return d.sftp_failure("opening", path);
    }
    struct FileGuard {
        sftp_file f;
        ~FileGuard() { sftp_close(f); }
    } guard{file};
    sftp_attributes attributes = sftp_fstat(file);
    if (!attributes) return d.sftp_failure("reading the size of", path);
    std::uint64_t size = attributes->size;
    RemoteFile out;
    out.mode = attributes->permissions & 07777;
    sftp_attributes_free(attributes);
    if (size > max_bytes)
        return io_error(d.where() + ": " + path + " has " + std::to_string(size) + " bytes, more than the limit of " +
                        std::to_string(max_bytes));
    out.content.resize(size);
    // Several reads in flight: one request per round trip would make a large lease file slow to fetch.
    constexpr std::uint32_t kChunk = 65536;
    constexpr std::size_t kInFlight = 16;
    struct Request {
        int id;
        std::uint64_t offset;
        std::uint32_t length;
    };
    std::deque<Request> requests;
    std::uint64_t requested = 0, done = 0;
    bool short_read = false;
    while (!short_read && (done < size)) {
        while (requests.size() < kInFlight && requested < size) {
            auto length = static_cast<std::uint32_t>(std::min<std::uint64_t>(kChunk, size - requested));
            int id = sftp_async_read_begin(file, length);
            if (id < 0) return d.sftp_failure("reading", path);
            requests.push_back({id, requested, length});
            requested += length;
        }
        if (requests.empty()) break;
        auto request = requests.front();
        requests.pop_front();
        d.watchdog.arm(d.target.timeout);  // each answer gets the full timeout
        int n = sftp_async_read(file, out.content.data() + request.offset, request.length, static_cast<std::uint32_t>(request.id));
        if (n < 0) return d.sftp_failure("reading", path);
        done = request.offset + static_cast<std::uint64_t>(n);
        if (static_cast<std::uint32_t>(n) < request.length) short_read = true;
    }
    // Answers still outstanding must be collected (libssh keeps them otherwise).
    for (const auto& request : requests) {
        std::string sink(request.length, '\0');
        if (sftp_async_read(file, sink.data(), request.length, static_cast<std::uint32_t>(request.id)) < 0)
            return d.sftp_failure("reading", path);
    }
    if (short_read && done < size) {
        // The server answered a request short of the end: read the rest one request at a time.
        if (sftp_seek64(file, done) < 0) return d.sftp_failure("seeking in", path);
        while (done < size) {
            d.watchdog.arm(d.target.timeout);
            auto n = sftp_read(file, out.content.data() + done, static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size - done)));
            if (n < 0) return d.sftp_failure("reading", path);
            if (n == 0) break;  // the file became shorter meanwhile
            done += static_cast<std::uint64_t>(n);
        }
    }
    out.content.resize(done);
    return std::optional<RemoteFile>(std::move(out));
}

Expected<Done> SshSession::write_file(const std::string& path, const std::string& content, std::uint32_t mode) {
    auto& d = *impl_;
    Deadline step(d.watchdog, d.target.timeout);
    auto sftp = d.sftp_channel();
    if (!sftp) return sftp.error();
    sftp_file file = sftp_open(*sftp, path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, static_cast<mode_t>(mode));
    if (!file) return d.sftp_failure("creating", path);
    std::size_t written = 0;
    constexpr std::size_t kChunk = 32768;
    while (written < content.size()) {
        d.watchdog.arm(d.target.timeout);
        auto n = sftp_write(file, content.data() + written, std::min(kChunk, content.size() - written));
        if (n < 0) {
            auto error = d.sftp_failure("writing", path);
            sftp_close(file);
            return error;
        }
        written += static_cast<std::size_t>(n);
    }
    if (sftp_extension_supported(*sftp, "fsync@openssh.com", "1") && sftp_fsync(file) < 0) {
        auto error = d.sftp_failure("syncing", path);
        sftp_close(file);
        return error;
    }
    if (sftp_close(file) != SSH_OK) return d.sftp_failure("closing", path);
    // O_CREAT's mode passes the server's umask: set the bits exactly.
    sftp_attributes_struct attributes{};
    attributes.flags = SSH_FILEXFER_ATTR_PERMISSIONS;
    attributes.permissions = mode;
    if (sftp_setstat(*sftp, path.c_str(), &attributes) < 0) return d.sftp_failure("setting the mode of", path);
    return Done{};
}

Expected<Done> SshSession::rename(const std::string& from, const std::string& to) {
    auto& d = *impl_;
    Deadline step(d.watchdog, d.target.timeout);
    auto sftp = d.sftp_channel();
    if (!sftp) return sftp.error();
    if (sftp_rename(*sftp, from.c_str(), to.c_str()) < 0) return d.sftp_failure("renaming " + from + " to", to);
    return Done{};
}

Expected<Done> SshSession::remove(const std::string& path) {
    auto& d = *impl_;
    Deadline step(d.watchdog, d.target.timeout);
    auto sftp = d.sftp_channel();
    if (!sftp) return sftp.error();
    if (sftp_unlink(*sftp, path.c_str()) < 0) {
        if (sftp_get_error(*sftp) == SSH_FX_NO_SUCH_FILE) return Done{};
        return d.sftp_failure("removing", path);
    }
    return Done{};
}

Expected<std::optional<SshSession::Stat>> SshSession::stat(const std::string& path) {
    auto& d = *impl_;
    Deadline step(d.watchdog, d.target.timeout);
    auto sftp = d.sftp_channel();
    if (!sftp) return sftp.error();
    sftp_attributes attributes = sftp_stat(*sftp, path.c_str());
    if (!attributes) {
        if (sftp_get_error(*sftp) == SSH_FX_NO_SUCH_FILE) return std::optional<Stat>{};
        return d.sftp_failure("reading the attributes of", path);
    }
    Stat out{attributes->size, attributes->permissions & 07777, static_cast<std::int64_t>(attributes->mtime)};
    sftp_attributes_free(attributes);
    return std::optional<Stat>(out);
}

std::string SshSession::server_banner() const {
    const char* banner = ssh_get_serverbanner(impl_->session);
    return banner ? banner : "";
}

void SshSession::abort() { impl_->watchdog.fire_now(); }

bool SshSession::broken() const { return impl_->is_broken || impl_->watchdog.fired(); }

}  // namespace nds::dhcpd
