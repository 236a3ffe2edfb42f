// `netbox-dhcp-sync run`: the long-running service (README, "The service"). Wires, on one single-threaded io_context:
//
// - the schedule: a full sync under the service token at start-up and then every sync.interval;
// - the HTTP API on service.listen: POST /v1/jobs, GET /v1/jobs/{id} (job_api.hpp), POST /v1/webhooks/netbox
//   (webhook_receiver.hpp), GET /healthz, /readyz, /metrics (metrics.hpp);
// - the jobs (job_queue.hpp): each runs as a coroutine (SyncRunner or ImportCommand) with the token it was
//   asked with, one job per DHCP server at a time, jobs on different servers in parallel;
// - signals: SIGTERM/SIGINT stop accepting, cancel queued jobs, let running jobs finish the write batch in
//   flight and skip the rest, then exit 0 (a second signal, or service.shutdown_timeout, stops them at once
//   and exits 1). Both travel as Asio cancellation of the running jobs (util/cancellation.hpp): partial on
//   the first signal, terminal on the second or at the timeout;
//   SIGHUP reloads the config file (a bad one is logged and the running one kept);
// - systemd: READY=1 once listening, RELOADING=1/READY=1 around a reload, STOPPING=1 (sd_notify.hpp).
#pragma once

#include "coordination/server_lock.hpp"

#include "daemon/config.hpp"
#include "daemon/job_api.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/logger.hpp"
#include "daemon/metrics.hpp"
#include "daemon/webhook_receiver.hpp"
#include "http/http_server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <chrono>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace nds::daemon {

class Service {
public:
    /// `config_path` is read again on SIGHUP.
    Service(std::string config_path, Config config, Logger& log);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Runs until SIGTERM/SIGINT. Returns the exit code: 0 after a graceful stop, 1 when the listen address
    /// cannot be used.
    int run();

private:
    boost::asio::awaitable<http::Response> route(http::Request request);
    boost::asio::awaitable<http::Response> readyz();
    boost::asio::awaitable<Expected<std::string>> check_token(std::string token, std::vector<std::string> servers);
    boost::asio::awaitable<void> schedule_loop();
    boost::asio::awaitable<void> signal_loop();
    boost::asio::awaitable<void> shutdown_watchdog();
    boost::asio::awaitable<void> resolve_service_user();
    /// At start-up: warns when the plugin's own sync job writes beside the service (daemon/plugin_coexistence.hpp).
    boost::asio::awaitable<void> warn_of_plugin_sync_job();
    boost::asio::awaitable<void> run_job(JobPtr job);
    boost::asio::awaitable<void> webhook_sync(std::vector<WebhookEvent> events);

    void submit(JobSpec spec);
    void log_queued(const JobPtr& job, bool coalesced);
    void pump();
    void reload();
    void begin_shutdown(int signal);
    /// Cancels every running job: partial (finish the batch in flight) or terminal (stop now).
    void cancel_running_jobs(boost::asio::cancellation_type type);
    void maybe_stopped();
    void update_gauges();
    std::string service_token() const;
    JobQueue::Limits limits() const;
    void observe_http(const std::string& target, unsigned status, std::chrono::steady_clock::duration elapsed);

    std::string config_path_;
    std::shared_ptr<const Config> config_;  ///< replaced whole on SIGHUP; running jobs keep theirs
    std::string configured_listen_;  ///< service.listen as the socket was opened with (a reload cannot change it)
    std::string listening_on_;       ///< the address and port really bound ("127.0.0.1:9595", the port of :0 resolved)
    Logger& log_;
    boost::asio::io_context io_{1};
    Metrics metrics_;
    JobQueue queue_;
    JobApi api_;
    WebhookReceiver webhooks_;
    std::unique_ptr<http::Server> server_;
    /// The per-server locks (coordination.redis: shared with other processes; else in-process). Made once at
    /// start: a reload that changes coordination takes effect after a restart.
    std::unique_ptr<coordination::ServerLockService> locks_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer schedule_timer_;
    boost::asio::steady_timer shutdown_timer_;
    std::chrono::steady_clock::time_point last_scheduled_{};
    /// Test only: $NETBOX_DHCP_SYNC_TEST_INTERVAL_MS replaces sync.interval (the soak test needs hundreds of
    /// scheduled runs in minutes; operators are held to 5m..24h). Logged as a warning when set.
    std::optional<std::chrono::milliseconds> test_interval_;
    /// One cancellation signal per running job, bound to the job's coroutine.
    std::map<std::string, std::unique_ptr<boost::asio::cancellation_signal>> job_signals_;  ///< by job id
    int exit_code_ = 0;
    bool stopping_ = false;
    bool stopped_ = false;
    std::size_t running_jobs_ = 0;
    std::string service_user_;
    std::chrono::steady_clock::time_point ready_checked_{};
    bool ready_ = false;
    std::string ready_detail_ = "not checked yet";
    std::string coordination_detail_;  ///< why /readyz says not ready because of Redis ("" = fine)
};

/// "127.0.0.1:9595" / "[::1]:9595" / "0.0.0.0:0" -> host and port; nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen);

}  // namespace nds::daemon
