// One job of the service: a sync (or import) of some or all DHCP servers, asked for by the schedule, a
// NetBox webhook or a user through POST /v1/jobs. Holds what GET /v1/jobs/{id} shows: state, timestamps,
// summary counts and the job's own log lines. The token the job runs with is kept here and never shown.
#pragma once

#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace nds::daemon {

enum class JobState { queued, running, succeeded, failed, cancelled };
enum class JobOrigin { schedule, api, webhook };

const char* to_string(JobState state);
const char* to_string(JobOrigin origin);

/// What was asked for. Two specs with the same token, action and dry_run can be merged into one run.
struct JobSpec {
    std::string action = "sync";        ///< "sync" | "import"
    std::vector<std::string> servers;   ///< sorted, unique; empty = all servers
    bool dry_run = false;
    std::string token;                  ///< NetBox token to run with (value only); "" = the service token
    std::string user;                   ///< NetBox user of the token, when known (for logs and the journal)
    JobOrigin origin = JobOrigin::api;
    std::string reason;                 ///< e.g. "ipam.ipaddress updated by bob" (webhooks)

    bool all_servers() const { return servers.empty(); }
};

struct JobLogLine {
    std::string time;
    LogLevel level = LogLevel::info;
    std::string id;
    std::string message;
    LogFields fields;
};

class Job {
public:
    using Clock = std::chrono::system_clock;

    Job(std::string id, JobSpec spec, Clock::time_point created, std::size_t max_log_lines);

    const std::string& id() const { return id_; }
    const JobSpec& spec() const { return spec_; }
    JobState state() const { return state_; }
    bool finished() const { return state_ != JobState::queued && state_ != JobState::running; }
    Clock::time_point created() const { return created_; }
    Clock::time_point started() const { return started_; }
    Clock::time_point finished_at() const { return finished_; }
    int requests() const { return requests_; }

    /// The job's log (bounded; lines beyond the bound are counted in dropped_log_lines()).
    void append_log(LogLevel level, std::string_view id, std::string_view message, const LogFields& fields);
    const std::vector<JobLogLine>& log() const { return log_; }
    std::size_t dropped_log_lines() const { return dropped_; }

    /// The run's outcome: exit code, counts per server and object type, problems, fatal error.
    void set_result(const RunReport& report);
    /// An import's outcome: exit code and ImportReport::to_json(), shown as "import".
    void set_import_result(int exit_code, double duration_seconds, boost::json::value report);
    void set_error(std::string error) { error_ = std::move(error); }
    int exit_code() const { return exit_code_; }

    /// JSON for GET /v1/jobs/{id} (never the token).
    boost::json::object to_json() const;

private:
    friend class JobQueue;

    std::string id_;
    JobSpec spec_;
    JobState state_ = JobState::queued;
    Clock::time_point created_;
    Clock::time_point started_{};
    Clock::time_point finished_{};
    int requests_ = 1;  ///< requests merged into this job (coalescing)
    std::size_t max_log_lines_;
    std::vector<JobLogLine> log_;
    std::size_t dropped_ = 0;
    bool has_result_ = false;
    int exit_code_ = -1;
    double duration_seconds_ = 0;
    std::map<std::string, std::map<engine::ObjectKind, Counts>> counts_;
    int errors_ = 0;
    int warnings_ = 0;
    std::vector<std::string> problems_;  ///< first problems, for the summary
    std::string error_;
    boost::json::value import_;  ///< null unless an import
};

/// "2026-01-02T03:04:05.678Z"
std::string format_time(Job::Clock::time_point time);

}  // namespace nds::daemon
