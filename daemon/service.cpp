#include "daemon/service.hpp"

#include "daemon/check_command.hpp"

#include "daemon/client_options.hpp"
#include "daemon/import_command.hpp"
#include "daemon/journal_writer.hpp"
#include "daemon/log_messages.hpp"
#include "daemon/plan_executor.hpp"
#include "daemon/sd_notify.hpp"
#include "daemon/sync_runner.hpp"
#include "http/url.hpp"
#include "netbox_client/netbox_client.hpp"
#include "sync_engine/change_scope.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>

namespace nds::daemon {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr auto kReadyCacheTime = 5s;
/// Connections beyond service.max_connections kept for /healthz and /readyz (one request each).
constexpr std::size_t kProbeConnections = 8;
/// How long an API or webhook job waits for a server another process is syncing (docs/coordination.md).
constexpr auto kLockWait = std::chrono::minutes(5);

/// Scheduled runs leave busy and recently synced servers to the process that has them; API and webhook jobs
/// carry a change that may be newer than what the holder read, so they wait for the lock instead.
LockPolicy lock_policy(JobOrigin origin, const Config& config) {
    LockPolicy policy;
    policy.synced_valid_for = recently_synced_window(config.sync.interval);
    if (origin == JobOrigin::schedule) policy.skip_recently_synced = true;
    else policy.max_wait = kLockWait;
    return policy;
}

http::Response json_answer(unsigned status, json::object body) {
    return http::json_response(status, json::serialize(body));
}

std::string strip_scheme(std::string token) {
    auto lower = [](std::string s) {
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    auto head = lower(token.substr(0, 7));
    if (head.rfind("token ", 0) == 0) token = token.substr(6);
    else if (head.rfind("bearer ", 0) == 0) token = token.substr(7);
    while (!token.empty() && token.front() == ' ') token.erase(token.begin());
    while (!token.empty() && token.back() == ' ') token.pop_back();
    return token;
}

std::string join(const std::vector<std::string>& names, const char* empty = "all") {
    if (names.empty()) return empty;
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

/// Rethrows nothing: a task root that logs what escaped it.
auto log_failure(Logger& log, const char* what) {
    return [&log, what](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            log.error(msg::SERVICE_STOPPED, std::string("internal error in ") + what + ": " + e.what());
        } catch (...) {
            log.error(msg::SERVICE_STOPPED, std::string("internal error in ") + what);
        }
    };
}

std::string describe(const std::vector<WebhookEvent>& events) {
    std::string text = events.front().object_type + " " + events.front().event;
    if (!events.front().username.empty()) text += " by " + events.front().username;
    if (events.size() > 1) text += " (+" + std::to_string(events.size() - 1) + " more changes)";
    return "webhook: " + text;
}

}  // namespace

std::optional<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) return std::nullopt;
    auto host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    auto port_text = listen.substr(colon + 1);
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    auto port = std::stoi(port_text);
    if (port > 65535 || host.empty()) return std::nullopt;
    return std::make_pair(host, static_cast<std::uint16_t>(port));
}

Service::Service(std::string config_path, Config config, Logger& log)
    : config_path_(std::move(config_path)),
      config_(std::make_shared<const Config>(std::move(config))),
      log_(log),
      queue_(limits()),
      api_(queue_,
           [this](std::string token, std::vector<std::string> servers) { return check_token(std::move(token), std::move(servers)); },
           [this] { return service_token(); },
           [this](const JobPtr& job, bool coalesced) {
               log_queued(job, coalesced);
               pump();
           },
           {"sync", "import"}),
      webhooks_(io_.get_executor(), log_, &metrics_,
                [this](std::vector<WebhookEvent> events) {
                    asio::co_spawn(io_, webhook_sync(std::move(events)), log_failure(log_, "webhook sync"));
                }),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      schedule_timer_(io_),
      shutdown_timer_(io_) {
    webhooks_.configure(config_->service.webhook_secret, config_->service.webhook_debounce,
                        static_cast<std::size_t>(config_->service.webhook_max_pending));
}

Service::~Service() = default;

JobQueue::Limits Service::limits() const {
    JobQueue::Limits l;
    const auto& s = config_->service;
    l.max_queued = static_cast<std::size_t>(s.max_queued_jobs);
    l.history = static_cast<std::size_t>(s.job_history);
    l.retention = s.job_retention;
    l.log_lines = static_cast<std::size_t>(s.job_log_lines);
    return l;
}

std::string Service::service_token() const { return strip_scheme(config_->netbox.token); }

void Service::observe_http(const std::string& target, unsigned status, std::chrono::steady_clock::duration elapsed) {
    metrics_.record_http(target, status, elapsed);
}

int Service::run() {
    const auto& service = config_->service;
    auto listen = parse_listen(service.listen);
    if (!listen) {
        log_.error(msg::SERVICE_START_FAILED, "service.listen: expected HOST:PORT, got '" + service.listen + "'");
        return 2;
    }
    http::ServerOptions options;
    options.max_body_bytes = service.max_body_bytes;
    options.idle_timeout = service.idle_timeout;
    options.max_connections = static_cast<std::size_t>(service.max_connections);
    options.header_timeout = service.header_timeout;
    options.max_connections_per_address = static_cast<std::size_t>(service.max_connections_per_client);
    // Liveness and readiness probes still get an answer when other clients hold every connection: a
    // Kubernetes probe that times out restarts a pod that is healthy.
    options.reserved_connections = kProbeConnections;
    options.reserved_paths = {"/healthz", "/readyz"};
    try {
        server_ = std::make_unique<http::Server>(
            io_.get_executor(), listen->first, listen->second,
            [this](http::Request request) { return route(std::move(request)); }, options);
    } catch (const std::exception& e) {
        log_.error(msg::SERVICE_START_FAILED, "cannot listen on " + service.listen + ": " + e.what());
        return 1;
    }
    coordination::LockServiceOptions lock_options;
    lock_options.redis = config_->coordination.redis;
    auto locks = coordination::make_server_lock_service(io_.get_executor(), lock_options);
    if (!locks) {
        log_.error(msg::SERVICE_START_FAILED, "coordination: " + locks.error().message);
        return 2;
    }
    locks_ = std::move(*locks);
    if (locks_->shared())
        log_.info(msg::SERVICE_LISTENING, "servers are locked in " + locks_->describe() + " before each sync",
                  {{"holder", locks_->process_id()}});
    server_->start();
    configured_listen_ = service.listen;
    listening_on_ = listen->first + ":" + std::to_string(server_->port());
    log_.info(msg::SERVICE_LISTENING, "listening", {{"address", listen->first}, {"port", std::to_string(server_->port())},
                                                    {"interval", std::to_string(config_->sync.interval.count()) + "s"}});
    if (!config_->netbox.verify_tls)
        log_.warning(msg::TLS_VERIFY_OFF, "TLS verification of NetBox is off (netbox.verify_tls: false)");
    if (const char* test_interval = std::getenv("NETBOX_DHCP_SYNC_TEST_INTERVAL_MS"); test_interval && *test_interval) {
        auto ms = std::strtoll(test_interval, nullptr, 10);
        if (ms >= 10) {
            test_interval_ = std::chrono::milliseconds(ms);
            log_.warning(msg::SERVICE_TEST_INTERVAL, "NETBOX_DHCP_SYNC_TEST_INTERVAL_MS is set: scheduled runs every " +
                                                     std::to_string(ms) + "ms instead of sync.interval (testing only)");
        }
    }
    if (service.webhook_secret.empty())
        log_.warning(msg::WEBHOOK_REFUSED, "no service.webhook_secret: every webhook will be refused");

    asio::co_spawn(io_, signal_loop(), log_failure(log_, "signal handling"));
    asio::co_spawn(io_, resolve_service_user(), log_failure(log_, "service user lookup"));
    asio::co_spawn(io_, warn_of_plugin_sync_job(), log_failure(log_, "plugin sync job check"));
    asio::co_spawn(io_, schedule_loop(), log_failure(log_, "schedule"));
    sd_notify("READY=1\nSTATUS=listening on " + service.listen);

    io_.run();
    log_.info(msg::SERVICE_STOPPED, "stopped", {{"exit_code", std::to_string(exit_code_)}});
    return exit_code_;
}

//------------------------------------------------------------------------------
// HTTP

asio::awaitable<http::Response> Service::route(http::Request request) {
    auto path = http::Target::parse(request.target).path;
    const auto& method = request.method;
    http::Response response;
    if (path == "/healthz") {
        response = json_answer(200, {{"status", "ok"}});
    } else if (path == "/readyz") {
        response = co_await readyz();
    } else if (path == "/metrics") {
        response.status = 200;
        response.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        if (server_)
            metrics_.set("netbox_dhcp_sync_api_connections_refused_total", {},
                         static_cast<double>(server_->connections_refused()));
        if (locks_) metrics_.record_locks(locks_->counters());
        response.body = metrics_.exposition();
    } else if (path == "/v1/webhooks/netbox") {
        if (method != "POST") {
            response = json_answer(405, {{"error", "use POST"}});
            response.headers.emplace_back("Allow", "POST");
        } else {
            response = webhooks_.handle(request);
        }
    } else if (JobApi::handles(path)) {
        if (stopping_) {
            response = json_answer(503, {{"error", "the service is stopping"}});
        } else {
            bool post = method == "POST";
            response = co_await api_.handle(std::move(request), path);
            if (post && response.status >= 400)
                log_.warning(msg::JOB_REFUSED, "job refused", {{"status", std::to_string(response.status)},
                                                               {"reason", response.body}});
        }
    } else {
        response = json_answer(404, {{"error", "not found"}});
    }
    if ((path == "/healthz" || path == "/readyz" || path == "/metrics") && method != "GET" && method != "HEAD") {
        response = json_answer(405, {{"error", "use GET"}});
        response.headers.emplace_back("Allow", "GET");
    }
    log_.debug(msg::API_REQUEST, "api request", {{"method", method}, {"path", path}, {"status", std::to_string(response.status)}});
    co_return response;
}

asio::awaitable<http::Response> Service::readyz() {
    if (stopping_) co_return json_answer(503, {{"status", "stopping"}});
    if (locks_ && locks_->shared()) {
        // A replica that cannot reach Redis syncs nothing (it fails closed), so it must get no requests.
        auto pong = co_await locks_->ping();
        auto detail = pong ? std::string() : "coordination unreachable: " + pong.error().message;
        if (!detail.empty() && detail != coordination_detail_) log_.warning(msg::NOT_READY, detail);
        coordination_detail_ = detail;
        if (!detail.empty()) co_return json_answer(503, {{"status", "not ready"}, {"detail", detail}});
    }
    auto now = std::chrono::steady_clock::now();
    if (ready_checked_ == std::chrono::steady_clock::time_point{} || now - ready_checked_ > kReadyCacheTime) {
        auto config = config_;
        auto options = netbox_client_options(*config, "");
        options.http.max_retries = 0;
        options.http.timeout = std::min<std::chrono::milliseconds>(config->netbox.timeout, 10s);
        netbox::NetBoxClient netbox(io_.get_executor(), options);
        auto status = co_await netbox.status();
        ready_checked_ = std::chrono::steady_clock::now();
        bool was_ready = ready_;
        if (!status) {
            ready_ = false;
            ready_detail_ = "NetBox unreachable: " + status.error().message;
        } else if (!status->plugin_installed) {
            ready_ = false;
            ready_detail_ = "NetBox " + status->netbox_version + " has no netbox-windows-dhcp plugin";
        } else {
            ready_ = true;
            ready_detail_ = "NetBox " + status->netbox_version + ", plugin " + status->plugin_version;
        }
        if (!ready_ && (was_ready || ready_detail_ != "not checked yet")) log_.warning(msg::NOT_READY, ready_detail_);
    }
    co_return json_answer(ready_ ? 200 : 503, {{"status", ready_ ? "ready" : "not ready"}, {"detail", ready_detail_}});
}

asio::awaitable<Expected<std::string>> Service::check_token(std::string token, std::vector<std::string> servers) {
    auto config = config_;
    auto options = netbox_client_options(*config, token);
    options.http.on_attempt = [this](const http::Request&, unsigned status, std::chrono::steady_clock::duration elapsed) {
        observe_http("netbox", status, elapsed);
    };
    netbox::NetBoxClient netbox(io_.get_executor(), options);
    auto user = co_await netbox.authenticated_user();
    if (!user) {
        auto status = user.error().http_status;
        if (status == 401 || status == 403) co_return Error{403, "NetBox refused the token"};
        co_return Error{503, "cannot check the token with NetBox: " + user.error().message};
    }
    if (!servers.empty()) {
        auto visible = co_await netbox.list_servers();
        if (!visible) {
            auto status = visible.error().http_status;
            if (status == 401 || status == 403) co_return Error{403, "the token cannot read the plugin's DHCP servers"};
            co_return Error{503, "cannot list DHCP servers in NetBox: " + visible.error().message};
        }
        std::set<std::string> names;
        for (const auto& s : *visible) names.insert(s.name);
        std::vector<std::string> missing;
        for (const auto& name : servers)
            if (!names.count(name)) missing.push_back(name);
        if (!missing.empty())
            co_return Error{403, "DHCP server(s) not visible to this token: " + join(missing)};
    }
    co_return *user;
}

//------------------------------------------------------------------------------
// Jobs

void Service::log_queued(const JobPtr& job, bool coalesced) {
    const auto& spec = job->spec();
    log_.info(msg::JOB_QUEUED, coalesced ? "request joined a queued job" : "job queued",
              {{"job", job->id()}, {"server", join(spec.servers)}, {"origin", to_string(spec.origin)},
               {"action", spec.action}, {"user", spec.user}, {"dry_run", spec.dry_run ? "true" : "false"},
               {"reason", spec.reason}});
}

void Service::submit(JobSpec spec) {
    if (stopping_) return;
    auto submitted = queue_.submit(std::move(spec), Job::Clock::now());
    if (!submitted) {
        log_.error(msg::JOB_REFUSED, "job not queued: " + submitted.error().message);
        return;
    }
    log_queued(submitted->job, submitted->coalesced);
    pump();
}

void Service::pump() {
    if (!stopping_) {
        for (auto& job : queue_.start_runnable(Job::Clock::now())) {
            ++running_jobs_;
            auto& signal = job_signals_[job->id()];
            signal = std::make_unique<asio::cancellation_signal>();
            asio::co_spawn(io_, run_job(job), asio::bind_cancellation_slot(signal->slot(), log_failure(log_, "job")));
        }
    }
    queue_.expire(Job::Clock::now());
    update_gauges();
}

void Service::update_gauges() {
    metrics_.set("netbox_dhcp_sync_jobs", {{"state", "queued"}}, static_cast<double>(queue_.queued()));
    metrics_.set("netbox_dhcp_sync_jobs", {{"state", "running"}}, static_cast<double>(queue_.running()));
}

asio::awaitable<void> Service::run_job(JobPtr job) {
    auto config = config_;  // a reload during the run does not change it
    const auto& spec = job->spec();
    const std::string origin = to_string(spec.origin);
    Logger job_log(log_, {{"job", job->id()}, {"server", join(spec.servers)}},
                   [job](LogLevel level, std::string_view id, std::string_view message, const LogFields& fields) {
                       job->append_log(level, id, message, fields);
                   });
    job_log.info(msg::JOB_START, "job started", {{"origin", origin}, {"action", spec.action}, {"user", spec.user},
                                                 {"dry_run", spec.dry_run ? "true" : "false"}});
    std::string job_name = "job " + job->id() + " (" + origin + (spec.user.empty() ? "" : " by " + spec.user) + ")";
    JobState state = JobState::failed;
    double seconds = 0;
    int exit_code = 1;
    try {
        if (spec.action == "import") {
            ImportRequest request;
            request.server = spec.servers.empty() ? std::string() : spec.servers.front();
            request.dry_run = spec.dry_run;
            request.token = spec.token;
            request.job_name = "import " + job_name;
            auto started = std::chrono::steady_clock::now();
            ImportCommand command(io_.get_executor(), *config, job_log);
            auto report = co_await command.run(request);
            seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            exit_code = report.exit_code();
            boost::system::error_code ec;
            auto parsed = json::parse(report.to_json(), ec);
            job->set_import_result(exit_code, seconds, ec ? json::value(nullptr) : std::move(parsed));
            metrics_.increment("netbox_dhcp_sync_runs_total",
                               {{"origin", origin}, {"outcome", exit_code == 0 ? "success" : exit_code == 1 ? "failed" : "error"}});
            state = exit_code == 0 ? JobState::succeeded : JobState::failed;
        } else {
            RunRequest request;
            request.servers = spec.servers;
            request.dry_run = spec.dry_run;
            request.token = spec.token;
            request.job_name = job_name;
            request.waves_per_batch = 1;  // a stop is honoured after every wave of NetBox writes
            request.locking = lock_policy(spec.origin, *config);
            SyncRunner runner(io_.get_executor(), *config, job_log,
                              [this](const std::string& target, unsigned status, std::chrono::steady_clock::duration elapsed) {
                                  observe_http(target, status, elapsed);
                              });
            runner.coordinate_with(locks_.get());
            auto report = co_await runner.run(request);
            seconds = report.duration_seconds;
            exit_code = report.exit_code();
            job->set_result(report);
            metrics_.record_run(origin, report, std::chrono::system_clock::now());
            if (config->netbox.journal && !spec.dry_run) {
                JournalWriter journal(io_.get_executor(), *config, spec.token, job_log);
                co_await journal.write(*job, report);
            }
            state = report.stopped       ? JobState::cancelled
                    : exit_code == 0      ? JobState::succeeded
                                          : JobState::failed;
        }
    } catch (const std::exception& e) {
        job->set_error(std::string("internal error: ") + e.what());
        job_log.error(msg::JOB_DONE, std::string("job failed with an internal error: ") + e.what());
        state = JobState::failed;
    }
    queue_.finish(job, state, Job::Clock::now());
    job_log.info(msg::JOB_DONE, "job finished", {{"state", to_string(state)}, {"exit_code", std::to_string(exit_code)},
                                                 {"seconds", std::to_string(seconds)}});
    --running_jobs_;
    // The signal outlives this coroutine's frame by a moment: erased after the completion handler ran.
    asio::post(io_, [this, id = job->id()] { job_signals_.erase(id); });
    pump();
    maybe_stopped();
}

//------------------------------------------------------------------------------
// Schedule, webhooks, service user

asio::awaitable<void> Service::schedule_loop() {
    while (!stopping_) {
        JobSpec spec;
        spec.origin = JobOrigin::schedule;
        spec.reason = "scheduled full sync";
        spec.user = service_user_;
        last_scheduled_ = std::chrono::steady_clock::now();
        submit(std::move(spec));
        for (;;) {
            // Re-read on every wake-up: a reload may change the interval (it cancels the timer).
            schedule_timer_.expires_at(last_scheduled_ + (test_interval_ ? *test_interval_ : config_->sync.interval));
            auto [ec] = co_await schedule_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
            if (stopping_) co_return;
            if (!ec) break;
        }
    }
}

asio::awaitable<void> Service::webhook_sync(std::vector<WebhookEvent> events) {
    if (stopping_ || events.empty()) co_return;
    auto config = config_;
    auto options = netbox_client_options(*config, "");
    options.http.on_attempt = [this](const http::Request&, unsigned status, std::chrono::steady_clock::duration elapsed) {
        observe_http("netbox", status, elapsed);
    };
    netbox::NetBoxClient netbox(io_.get_executor(), options);
    auto structure = co_await read_netbox_structure(netbox, config->sync.settings);
    if (stopping_) co_return;
    JobSpec spec;
    spec.origin = JobOrigin::webhook;
    spec.user = service_user_;
    spec.reason = describe(events);
    if (!structure) {
        log_.warning(msg::WEBHOOK_SYNC, "cannot read NetBox to find the servers a change concerns; syncing all: " +
                                            structure.error().message);
    } else {
        std::set<std::string> servers;
        for (const auto& event : events)
            for (const auto& object : event.objects)
                for (auto& name : engine::servers_concerned(object, *structure)) servers.insert(name);
        if (servers.empty()) {
            log_.info(msg::WEBHOOK_SYNC, "the changes concern no DHCP server; nothing to sync",
                      {{"changes", std::to_string(events.size())}});
            co_return;
        }
        spec.servers.assign(servers.begin(), servers.end());
        log_.info(msg::WEBHOOK_SYNC, "syncing the servers the changes concern",
                  {{"server", join(spec.servers)}, {"changes", std::to_string(events.size())}});
    }
    submit(std::move(spec));
}

asio::awaitable<void> Service::resolve_service_user() {
    auto config = config_;
    auto options = netbox_client_options(*config, "");
    netbox::NetBoxClient netbox(io_.get_executor(), options);
    auto user = co_await netbox.authenticated_user();
    if (config != config_) co_return;  // reloaded meanwhile; the reload looks it up again
    if (!user) {
        log_.warning(msg::SERVICE_USER, "cannot find the NetBox user of the service token: " + user.error().message);
        co_return;
    }
    service_user_ = *user;
    webhooks_.set_own_user(*user);
    log_.info(msg::SERVICE_USER, "service token belongs to NetBox user '" + *user + "'; webhooks for its changes are ignored");
}

asio::awaitable<void> Service::warn_of_plugin_sync_job() {
    auto config = config_;
    netbox::NetBoxClient netbox(io_.get_executor(), netbox_client_options(*config, ""));
    auto snapshot = co_await read_netbox_objects(netbox);
    if (!snapshot) co_return;  // the first run reports NetBox's failure
    auto jobs = co_await netbox.plugin_sync_jobs();
    report_plugin_coexistence(assess_plugin_coexistence(jobs, *snapshot, config->sync.settings), log_, nullptr);
}

//------------------------------------------------------------------------------
// Signals

asio::awaitable<void> Service::signal_loop() {
    for (;;) {
        auto [ec, signal] = co_await signals_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;  // cancelled: the service has stopped
        if (signal == SIGHUP) reload();
        else begin_shutdown(signal);
        if (stopped_) co_return;  // nothing left to wait for
    }
}

void Service::reload() {
    sd_notify("RELOADING=1");
    auto loaded = load_config(config_path_);
    if (loaded && loaded->netbox.token.empty())
        loaded = Error{make_error_code(errc::config), "config: netbox.token: is empty (set $NETBOX_TOKEN, netbox.token or netbox.token_file)"};
    if (!loaded) {
        log_.error(msg::CONFIG_ERROR, "reload rejected, the running configuration stays: " + loaded.error().message);
        metrics_.increment("netbox_dhcp_sync_config_reloads_total", {{"result", "rejected"}});
        sd_notify("READY=1");
        return;
    }
    auto next = std::make_shared<const Config>(std::move(*loaded));
    auto previous = config_;
    if (next->service.listen != configured_listen_)
        log_.warning(msg::CONFIG_ERROR, "service.listen changed to '" + next->service.listen +
                                            "': takes effect after a restart; still listening on " + listening_on_);
    if (next->service.max_body_bytes != previous->service.max_body_bytes)
        log_.warning(msg::CONFIG_ERROR, "service.max_body_bytes changed: takes effect after a restart");
    if (next->service.max_connections != previous->service.max_connections ||
        next->service.idle_timeout != previous->service.idle_timeout ||
        next->service.header_timeout != previous->service.header_timeout ||
        next->service.max_connections_per_client != previous->service.max_connections_per_client)
        log_.warning(msg::CONFIG_ERROR, "service.max_connections / max_connections_per_client / idle_timeout / "
                                        "header_timeout changed: take effect after a restart");
    config_ = next;
    log_.set_level(next->log.level);
    log_.set_format(next->log.format);
    queue_.set_limits(limits());
    webhooks_.configure(next->service.webhook_secret, next->service.webhook_debounce,
                        static_cast<std::size_t>(next->service.webhook_max_pending));
    ready_checked_ = {};
    if (next->sync.interval != previous->sync.interval) schedule_timer_.cancel();
    if (next->netbox.token != previous->netbox.token || next->netbox.url != previous->netbox.url) {
        service_user_.clear();
        webhooks_.set_own_user("");
        asio::co_spawn(io_, resolve_service_user(), log_failure(log_, "service user lookup"));
    }
    metrics_.increment("netbox_dhcp_sync_config_reloads_total", {{"result", "ok"}});
    log_.info(msg::CONFIG_RELOADED, "configuration reloaded", {{"path", config_path_}});
    sd_notify("READY=1");
}

void Service::begin_shutdown(int signal) {
    const char* name = signal == SIGINT ? "SIGINT" : "SIGTERM";
    if (stopping_) {
        log_.error(msg::SERVICE_STOPPED, std::string("second ") + name + ": exiting now, a write batch may be cut off",
                   {{"exit_code", "1"}});
        cancel_running_jobs(asio::cancellation_type::terminal);
        exit_code_ = 1;
        io_.stop();
        return;
    }
    stopping_ = true;
    cancel_running_jobs(asio::cancellation_type::partial);
    sd_notify("STOPPING=1");
    log_.info(msg::SERVICE_STOPPING, std::string(name) + ": stopping; running jobs finish their write batch in flight",
              {{"running_jobs", std::to_string(running_jobs_)}});
    if (server_) server_->stop();
    webhooks_.stop();
    schedule_timer_.cancel();
    for (const auto& job : queue_.cancel_queued(Job::Clock::now())) {
        log_.info(msg::JOB_CANCELLED, "queued job cancelled: the service is stopping", {{"job", job->id()}});
        metrics_.record_cancelled(to_string(job->spec().origin));
    }
    update_gauges();
    asio::co_spawn(io_, shutdown_watchdog(), log_failure(log_, "shutdown"));
    maybe_stopped();
}

asio::awaitable<void> Service::shutdown_watchdog() {
    if (stopped_) co_return;  // everything stopped before this coroutine began
    shutdown_timer_.expires_after(config_->service.shutdown_timeout);
    auto [ec] = co_await shutdown_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopped_) co_return;
    log_.error(msg::SERVICE_STOPPED, "jobs still running after service.shutdown_timeout: stopping them now",
               {{"exit_code", "1"}});
    exit_code_ = 1;
    cancel_running_jobs(asio::cancellation_type::terminal);
    // Aborted requests end the jobs within moments; a job that still hangs does not hold the process.
    shutdown_timer_.expires_after(std::chrono::seconds(2));
    std::tie(ec) = co_await shutdown_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!stopped_) io_.stop();
}

void Service::cancel_running_jobs(asio::cancellation_type type) {
    // Posted, never emitted from inside a job's own coroutines: Asio 1.26 loses a cancellation that a
    // thread of execution emits into its own chain (util/cancellation.hpp).
    asio::post(io_, [this, type] {
        for (auto& [job, signal] : job_signals_) signal->emit(type);
    });
}

void Service::maybe_stopped() {
    if (!stopping_ || stopped_ || running_jobs_ > 0) return;
    stopped_ = true;
    shutdown_timer_.cancel();
    schedule_timer_.cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
}

}  // namespace nds::daemon
