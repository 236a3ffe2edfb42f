#include "dhcpd_client/dhcpd_server.hpp"

#include "dhcpd_client/conf_parser.hpp"
#include "dhcpd_client/conf_renderer.hpp"
#include "dhcpd_client/lease_parser.hpp"
#include "dhcpd_client/ssh_session.hpp"
#include "dhcpd_client/unified_diff.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace nds::dhcpd {
namespace {

using engine::Ipv4Address;
using engine::Ipv4Network;

/// SSH as a RemoteHost: connects on first use and again after a failure of the connection, so a push
/// whose connection dropped can still put the previous file back over a new one.
class SshRemote final : public RemoteHost {
public:
    explicit SshRemote(SshTarget target) : target_(std::move(target)) {}

    Expected<SshSession*> session() {
        if (session_ && !session_->broken()) return session_.get();
        session_.reset();
        auto connected = SshSession::connect(target_);
        if (!connected) return connected.error();
        session_ = std::move(*connected);
        return session_.get();
    }
    void drop() { session_.reset(); }

    Expected<std::optional<RemoteFile>> read_file(const std::string& path, std::uint64_t max_bytes) override {
        return call([&](SshSession& s) { return s.read_file(path, max_bytes); });
    }
    Expected<Done> write_file(const std::string& path, const std::string& content, std::uint32_t mode) override {
        return call([&](SshSession& s) { return s.write_file(path, content, mode); });
    }
    Expected<Done> remove_file(const std::string& path) override {
        return call([&](SshSession& s) { return s.remove(path); });
    }
    Expected<CommandResult> run(const std::string& command, std::chrono::milliseconds timeout) override {
        return call([&](SshSession& s) { return s.run(command, timeout); });
    }
    void pause(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }

private:
    template <class F>
    auto call(F f) -> decltype(f(std::declval<SshSession&>())) {
        auto s = session();
        if (!s) return s.error();
        auto result = f(**s);
        if (!result && result.error().is(errc::transport)) session_.reset();
        return result;
    }

    SshTarget target_;
    std::unique_ptr<SshSession> session_;
};

/// One lock per server file in this process: two backends for the same file (two runs) push one by one.
std::shared_ptr<std::timed_mutex> push_lock(const std::string& key) {
    static std::mutex registry_mutex;
    static std::map<std::string, std::weak_ptr<std::timed_mutex>> registry;
    std::lock_guard lock(registry_mutex);
    auto& slot = registry[key];
    auto existing = slot.lock();
    if (existing) return existing;
    auto made = std::make_shared<std::timed_mutex>();
    slot = made;
    return made;
}

struct ConfigRead {
    std::optional<RemoteFile> file;  ///< nullopt: the server has no dhcpd.conf yet
    ParsedConfig parsed;
};

struct LeaseRead {
    LeaseFile file;
    bool problems_reported = false;
};

/// The diff as the run's report shows it: the first kReportedDiffLines lines (preview() has all of them).
constexpr std::size_t kReportedDiffLines = 400;
std::string report_lines(const std::string& diff) {
    std::size_t pos = 0;
    for (std::size_t line = 0; line < kReportedDiffLines; ++line) {
        pos = diff.find('\n', pos);
        if (pos == std::string::npos) return diff;
        ++pos;
    }
    if (pos >= diff.size()) return diff;
    std::size_t rest = static_cast<std::size_t>(std::count(diff.begin() + static_cast<std::ptrdiff_t>(pos), diff.end(), '\n'));
    return diff.substr(0, pos) + "[... " + std::to_string(rest) + " more lines: --dry-run shows the whole diff]\n";
}

engine::ReadProblem with_server(engine::ReadProblem problem, const std::string& server) {
    problem.server = server;
    return problem;
}

}  // namespace

struct DhcpdServer::Impl {
    DhcpdOptions options;
    backend::ServerContext context;
    SshRemote remote;
    std::shared_ptr<std::timed_mutex> lock;
    std::optional<ConfigRead> config;
    std::optional<LeaseRead> leases;

    Impl(DhcpdOptions o, backend::ServerContext c)
        : options(std::move(o)), context(std::move(c)), remote(target_of(options)),
          lock(push_lock(options.ssh.user + "@" + options.ssh.host + ":" + std::to_string(options.ssh.port) + ":" +
                         options.config_path)) {}

    static SshTarget target_of(const DhcpdOptions& o) {
        return SshTarget{o.ssh.host, o.ssh.port, o.ssh.user, o.ssh.key_file, o.ssh.password_file, o.ssh.known_hosts,
                         o.ssh.accept_new_host_key, o.ssh.timeout};
    }
    const std::string& server() const { return context.server.name; }

    Expected<ConfigRead> read_config() {
        auto file = remote.read_file(options.config_path, options.max_config_bytes);
        if (!file) return file.error();
        ConfigRead read;
        read.file = std::move(*file);
        if (read.file) {
            auto parsed = parse_config(read.file->content);
            if (!parsed) {
                return Error{parsed.error().code, server() + ": " + options.config_path + " cannot be read as dhcpd.conf: " +
                                                      parsed.error().message};
            }
            read.parsed = std::move(*parsed);
        }
        return read;
    }

    Expected<const ConfigRead*> cached_config() {
        if (!config) {
            auto read = read_config();
            if (!read) return read.error();
            config = std::move(*read);
        }
        return &*config;
    }

    Expected<LeaseRead*> cached_leases() {
        if (!leases) {
            auto file = remote.read_file(options.leases_path, options.max_leases_bytes);
            if (!file) return file.error();
            if (!*file)
                return Error{make_error_code(errc::io), server() + ": the lease file " + options.leases_path +
                                                            " does not exist (dhcpd cannot run without it)"};
            auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
            leases = LeaseRead{parse_leases((*file)->content, now), false};
        }
        return &*leases;
    }

    /// The failover peers to declare: NetBox's, plus peers of the current file that scopes NetBox does not
    /// manage still use (dhcpd refuses a pool naming an undeclared peer).
    std::vector<FailoverPeer> peers(const ParsedConfig& parsed, const ServerModel& model, std::vector<engine::Problem>& problems) {
        auto out = failover_peers_for(context, options.failover, problems);
        std::set<std::string> declared;
        for (const auto& p : out) declared.insert(p.name);
        std::set<std::string> used;
        for (const auto& [key, scope] : model.scopes)
            if (!scope.scope.failover_name.empty()) used.insert(scope.scope.failover_name);
        for (const auto& p : parsed.failover_peers)
            if (used.count(p.name) && !declared.count(p.name)) out.push_back(p);
        return out;
    }

    struct Desired {
        std::vector<backend::WriteOutcome> outcomes;
        Rendered rendered;
    };

    Desired desired(const ConfigRead& current, const std::vector<engine::DhcpWrite>& writes) {
        Desired out;
        ServerModel model = current.parsed.model;
        out.outcomes = apply_writes(model, writes);
        if (context.scope_options) apply_scope_options(model, *context.scope_options);
        std::vector<engine::Problem> problems;
        RenderInput input;
        input.model = &model;
        input.failover_peers = peers(current.parsed, model, problems);
        input.globals = options.globals;
        input.free_lines = options.free_lines;
        input.server_name = server();
        input.netbox_url = context.netbox_url;
        out.rendered = render_config(input);
        out.rendered.problems.insert(out.rendered.problems.begin(), problems.begin(), problems.end());
        return out;
    }

    PushSettings push_settings() const {
        PushSettings s;
        s.config_path = options.config_path;
        s.config_test = options.config_test;
        s.server_stop = options.server_stop;
        s.server_start = options.server_start;
        s.server_check = options.server_check;
        s.server_check_delay = options.server_check_delay;
        s.command_timeout = options.command_timeout;
        s.before_step = options.before_step;
        return s;
    }

    engine::Problem problem(engine::Severity severity, const std::string& reason) const {
        return engine::Problem{severity, {server(), "", options.config_path, reason}};
    }
};

DhcpdServer::DhcpdServer(DhcpdOptions options, backend::ServerContext context)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(context))) {}
DhcpdServer::~DhcpdServer() = default;

const std::string& DhcpdServer::name() const { return impl_->server(); }

engine::BackendCapabilities DhcpdServer::capabilities() {
    engine::BackendCapabilities caps;
    caps.empty_list_may_be_error = false;
    caps.exclusions = engine::ExclusionModel::derived_from_pools;
    caps.reservation_update_in_place = true;
    caps.reservation_writes_by_client_id = false;
    caps.config_from_netbox = true;
    // dhcpd failover partners each read their own file: a scope pushed to one must be pushed to the other.
    caps.push_to_failover_partner = true;
    return caps;
}

void DhcpdServer::start_run() {
    impl_->config.reset();
    impl_->leases.reset();
    impl_->remote.drop();
}

Expected<backend::BackendHealth> DhcpdServer::health() {
    auto& d = *impl_;
    start_run();
    auto session = d.remote.session();
    if (!session) return session.error();
    backend::BackendHealth health;
    health.software = "ISC dhcpd";
    if (!d.options.version_command.empty()) {
        auto version = d.remote.run(d.options.version_command, d.options.command_timeout);
        if (!version) return version.error();
        std::string text = version->err.empty() ? version->out : version->err;  // dhcpd prints it on stderr
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
        if (auto eol = text.find('\n'); eol != std::string::npos) text = text.substr(0, eol);
        if (version->exit_status != 0)
            health.warnings.push_back("'" + d.options.version_command + "' exited " + std::to_string(version->exit_status) +
                                      ": " + text);
        else health.version = text.rfind("isc-dhcpd-", 0) == 0 ? text.substr(10) : text;
    }
    auto config = d.cached_config();
    if (!config) {
        if (!config.error().is(errc::malformed)) return config.error();
        health.warnings.push_back(config.error().message + " — nothing is pushed until it is fixed");
        return health;
    }
    const auto& read = **config;
    if (!read.file)
        health.warnings.push_back(d.options.config_path + " does not exist yet: the first push writes it");
    else if (!read.parsed.written_by_backend)
        health.warnings.push_back(d.options.config_path + " was not written by netbox-dhcp-sync: the first push replaces it "
                                                          "(its subnets and hosts are kept, other top-level statements are not)");
    else if (read.parsed.edited_by_hand)
        health.warnings.push_back(d.options.config_path + " was edited by hand since the last push (its content hash "
                                                          "differs): the next push replaces those edits");
    for (const auto& include : read.parsed.includes)
        health.warnings.push_back(d.options.config_path + " includes " + include + ", which the sync does not read");
    return health;
}

Expected<engine::ParsedList<engine::DhcpScope>> DhcpdServer::list_scopes(bool) {
    // dhcpd has no inactive subnets: active_only changes nothing.
    auto config = impl_->cached_config();
    if (!config) return config.error();
    engine::ParsedList<engine::DhcpScope> out;
    for (const auto& [key, scope] : (*config)->parsed.model.scopes) out.items.push_back(scope.scope);
    // The file's own problems and those of subnets that could not be read (the others come with read_scope).
    const auto& model = (*config)->parsed.model;
    for (const auto& problem : (*config)->parsed.problems) {
        auto scope = Ipv4Address::parse(problem.scope);
        if (problem.scope.empty() || !scope || !model.scopes.count(scope->value)) out.problems.push_back(with_server(problem, name()));
    }
    // A subnet that could not be read, or an include that was not, may hold a scope: no scope is "missing".
    out.skipped = (*config)->parsed.skipped_subnets + (*config)->parsed.includes.size();
    return out;
}

backend::ScopeRead DhcpdServer::read_scope(const engine::ScopeReadRequest& request) {
    auto& d = *impl_;
    backend::ScopeRead out;
    const std::string label = request.scope_id.to_string();
    auto config = d.cached_config();
    if (!config) {
        out.data.error = config.error().message;
        return out;
    }
    const auto& parsed = (*config)->parsed;
    auto found = parsed.model.scopes.find(request.scope_id.value);
    if (found == parsed.model.scopes.end()) {
        out.data.error = name() + ": scope " + label + " is not in " + d.options.config_path;
        return out;
    }
    const auto& scope = found->second;
    for (const auto& problem : parsed.problems)
        if (problem.scope == label) out.problems.push_back(with_server(problem, name()));
    if (request.reservations) {
        out.data.reservations = scope.reservations;
        if (auto skipped = parsed.skipped_hosts.find(request.scope_id.value); skipped != parsed.skipped_hosts.end())
            out.data.complete = false;
    }
    if (request.exclusions) out.data.exclusions = scope.exclusions;
    if (request.leases) {
        auto leases = d.cached_leases();
        if (!leases) {
            out.data.error = leases.error().message;
        } else {
            auto& file = (*leases)->file;
            auto network = *Ipv4Network::from_mask(scope.scope.scope_id, scope.scope.subnet_mask);
            auto first = std::lower_bound(file.active.begin(), file.active.end(), network.network,
                                          [](const engine::DhcpLease& l, Ipv4Address a) { return l.ip < a; });
            std::vector<engine::DhcpLease> list;
            for (auto it = first; it != file.active.end() && network.contains(it->ip); ++it) list.push_back(*it);
            out.data.leases = std::move(list);
            if (file.malformed > 0) {
                out.data.complete = false;  // a skipped block may be one of this scope's addresses
                if (!(*leases)->problems_reported) {
                    for (const auto& what : file.problems) out.problems.push_back({name(), label, what});
                    (*leases)->problems_reported = true;
                }
            }
        }
    }
    return out;
}

Expected<engine::ParsedList<engine::DhcpReservation>> DhcpdServer::list_all_reservations() {
    auto config = impl_->cached_config();
    if (!config) return config.error();
    engine::ParsedList<engine::DhcpReservation> out;
    for (const auto& [key, scope] : (*config)->parsed.model.scopes)
        out.items.insert(out.items.end(), scope.reservations.begin(), scope.reservations.end());
    for (const auto& [key, count] : (*config)->parsed.skipped_hosts) out.skipped += count;
    return out;
}

Expected<engine::ParsedList<engine::DhcpFailover>> DhcpdServer::list_failovers() {
    auto config = impl_->cached_config();
    if (!config) return config.error();
    engine::ParsedList<engine::DhcpFailover> out;
    for (const auto& peer : (*config)->parsed.failover_peers) out.items.push_back(to_failover(peer, (*config)->parsed.model));
    return out;
}

Expected<engine::ParsedList<engine::DhcpOptionValue>> DhcpdServer::list_scope_options(Ipv4Address scope_id) {
    auto config = impl_->cached_config();
    if (!config) return config.error();
    const auto& scopes = (*config)->parsed.model.scopes;
    auto found = scopes.find(scope_id.value);
    if (found == scopes.end())
        return Error{make_error_code(errc::not_found), name() + ": scope " + scope_id.to_string() + " is not in " +
                                                           impl_->options.config_path};
    engine::ParsedList<engine::DhcpOptionValue> out;
    const auto& scope = found->second.scope;
    // As Windows lists them: the router (3) and the lease time (51) are options there.
    if (scope.router) out.items.push_back({3, "routers", {scope.router->to_string()}, "IPv4Address", ""});
    out.items.push_back({51, "dhcp-lease-time", {std::to_string(scope.lease_duration_seconds)}, "DWord", ""});
    out.items.insert(out.items.end(), found->second.options.begin(), found->second.options.end());
    return out;
}

backend::ApplyResult DhcpdServer::apply(const std::vector<engine::DhcpWrite>& writes, const CancelState& cancel) {
    auto& d = *impl_;
    backend::ApplyResult result;
    auto all = [&](backend::WriteStatus status, const std::string& why) {
        result.outcomes.assign(writes.size(), backend::WriteOutcome{status, why});
    };
    // One push per server file at a time; waiting ends when the run is cancelled.
    std::unique_lock<std::timed_mutex> guard(*d.lock, std::defer_lock);
    while (!guard.try_lock_for(std::chrono::milliseconds(200)))
        if (cancel.any()) {
            all(backend::WriteStatus::skipped, "the run was stopped while another push to this server was running");
            return result;
        }
    if (cancel.any()) {
        all(backend::WriteStatus::skipped, "the run was stopped before the push");
        return result;
    }
    d.config.reset();  // read the file as it is now, not as the run's reads found it
    d.leases.reset();
    auto current = d.read_config();
    if (!current) {
        all(backend::WriteStatus::failed, current.error().message);
        result.problems.push_back(d.problem(engine::Severity::error, "not pushed: " + current.error().message));
        return result;
    }
    auto desired = d.desired(*current, writes);
    result.outcomes = desired.outcomes;
    result.problems = desired.rendered.problems;

    auto outcome = push_config(d.remote, d.push_settings(), current->file, desired.rendered.text, cancel);
    const std::string old_text = current->file ? current->file->content : std::string();
    auto diff = unified_diff(old_text, desired.rendered.text, d.options.config_path, d.options.config_path + " (new)");

    if (outcome.result == PushOutcome::Result::pushed) {
        result.problems.push_back(d.problem(engine::Severity::warning,
                                            "pushed (+" + std::to_string(diff.added) + " -" + std::to_string(diff.removed) +
                                                " lines) and restarted the server:\n" + report_lines(diff.text)));
    } else if (outcome.result == PushOutcome::Result::failed) {
        std::string summary = "push failed at step '" + outcome.failed_step + "': " + outcome.error->message;
        if (outcome.file_replaced)
            summary += outcome.backed_out ? "; backed out: the previous file is back and the server runs it"
                                          : "; the back-out did not complete (see its steps): check the server";
        else
            summary += "; the previous file was not touched";
        result.problems.push_back(d.problem(engine::Severity::error, summary));
        for (const auto& step : outcome.steps) {
            std::string text = "step '" + step.step + "'";
            if (!step.command.empty()) text += " '" + step.command + "'";
            text += step.ok ? " ok" : " failed";
            if (step.exit_status >= 0) text += " (exit " + std::to_string(step.exit_status) + ")";
            if (!step.output.empty()) text += ": " + step.output;
            result.problems.push_back(d.problem(step.ok ? engine::Severity::warning : engine::Severity::error, text));
        }
        for (auto& o : result.outcomes)
            if (o.status == backend::WriteStatus::applied) o = {backend::WriteStatus::failed, summary};
    }
    d.config.reset();  // the next read sees what is on the server now
    return result;
}

Expected<std::string> DhcpdServer::preview(const std::vector<engine::DhcpWrite>& writes) {
    auto& d = *impl_;
    auto current = d.read_config();
    if (!current) return current.error();
    auto desired = d.desired(*current, writes);
    std::string out;
    for (std::size_t i = 0; i < writes.size(); ++i)
        if (desired.outcomes[i].status == backend::WriteStatus::failed)
            out += "# would fail: " + writes[i].note.object + ": " + desired.outcomes[i].error + "\n";
    for (const auto& problem : desired.rendered.problems)
        out += "# not in the file: " + (problem.note.scope.empty() ? "" : problem.note.scope + ": ") + problem.note.reason + "\n";
    const std::string old_text = current->file ? current->file->content : std::string();
    auto diff = unified_diff(old_text, desired.rendered.text, d.options.config_path, d.options.config_path + " (new)");
    if (diff.text.empty()) return out;
    return out + diff.text;
}

}  // namespace nds::dhcpd
