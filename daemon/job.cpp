#include "daemon/job.hpp"

#include <boost/json/array.hpp>

#include <ctime>

namespace nds::daemon {

namespace json = boost::json;

namespace {

constexpr std::size_t kProblemsShown = 50;

}  // namespace

const char* to_string(JobState state) {
    switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::succeeded: return "succeeded";
    case JobState::failed: return "failed";
    case JobState::cancelled: return "cancelled";
    }
    return "queued";
}

const char* to_string(JobOrigin origin) {
    switch (origin) {
    case JobOrigin::schedule: return "schedule";
    case JobOrigin::api: return "api";
    case JobOrigin::webhook: return "webhook";
    }
    return "api";
}

std::string format_time(Job::Clock::time_point time) {
    auto seconds = Job::Clock::to_time_t(time);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(millis));
    return out;
}

Job::Job(std::string id, JobSpec spec, Clock::time_point created, std::size_t max_log_lines)
    : id_(std::move(id)), spec_(std::move(spec)), created_(created), max_log_lines_(max_log_lines) {}

void Job::append_log(LogLevel level, std::string_view id, std::string_view message, const LogFields& fields) {
    if (log_.size() >= max_log_lines_) {
        ++dropped_;
        return;
    }
    log_.push_back(JobLogLine{format_time(Clock::now()), level, std::string(id), std::string(message), fields});
}

void Job::set_result(const RunReport& report) {
    has_result_ = true;
    exit_code_ = report.exit_code();
    duration_seconds_ = report.duration_seconds;
    counts_ = report.counts();
    for (const auto& server : report.servers) counts_[server];  // servers without actions still show
    errors_ = warnings_ = 0;
    problems_.clear();
    for (const auto& problem : report.problems) {
        (problem.severity == engine::Severity::error ? errors_ : warnings_)++;
        if (problems_.size() < kProblemsShown) {
            std::string text = problem.severity == engine::Severity::error ? "error: " : "warning: ";
            if (!problem.note.server.empty()) text += problem.note.server + (problem.note.scope.empty() ? "" : "/" + problem.note.scope) + ": ";
            if (!problem.note.object.empty()) text += problem.note.object + ": ";
            problems_.push_back(text + problem.note.reason);
        }
    }
    if (!report.fatal_error.empty()) error_ = report.fatal_error;
}

void Job::set_import_result(int exit_code, double duration_seconds, json::value report) {
    has_result_ = true;
    exit_code_ = exit_code;
    duration_seconds_ = duration_seconds;
    import_ = std::move(report);
}

json::object Job::to_json() const {
    json::object out;
    out["id"] = id_;
    out["action"] = spec_.action;
    out["state"] = to_string(state_);
    out["origin"] = to_string(spec_.origin);
    json::array servers;
    for (const auto& s : spec_.servers) servers.push_back(json::value(s));
    out["servers"] = std::move(servers);  // [] = all
    out["dry_run"] = spec_.dry_run;
    if (!spec_.user.empty()) out["user"] = spec_.user;
    if (!spec_.reason.empty()) out["reason"] = spec_.reason;
    out["requests"] = requests_;
    out["created"] = format_time(created_);
    out["started"] = started_ == Clock::time_point{} ? json::value(nullptr) : json::value(format_time(started_));
    out["finished"] = finished_ == Clock::time_point{} ? json::value(nullptr) : json::value(format_time(finished_));
    if (has_result_ && !import_.is_null()) {
        out["exit_code"] = exit_code_;
        out["duration_seconds"] = duration_seconds_;
        out["import"] = import_;
    } else if (has_result_) {
        out["exit_code"] = exit_code_;
        out["duration_seconds"] = duration_seconds_;
        json::object totals_json;
        json::object per_server;
        std::map<engine::ObjectKind, Counts> totals;
        for (const auto& [server, kinds] : counts_) {
            json::object server_json;
            for (const auto& [kind, c] : kinds) {
                auto& t = totals[kind];
                t.created += c.created;
                t.updated += c.updated;
                t.deleted += c.deleted;
                t.skipped += c.skipped;
                t.failed += c.failed;
                if (c.any())
                    server_json[engine::to_string(kind)] = json::object{{"created", c.created}, {"updated", c.updated},
                                                                        {"deleted", c.deleted}, {"skipped", c.skipped},
                                                                        {"failed", c.failed}};
            }
            per_server[server] = std::move(server_json);
        }
        for (const auto& [kind, c] : totals)
            if (c.any())
                totals_json[engine::to_string(kind)] = json::object{{"created", c.created}, {"updated", c.updated},
                                                                    {"deleted", c.deleted}, {"skipped", c.skipped},
                                                                    {"failed", c.failed}};
        out["summary"] = json::object{{"totals", std::move(totals_json)}, {"servers", std::move(per_server)},
                                      {"errors", errors_}, {"warnings", warnings_}};
        json::array problems;
        for (const auto& p : problems_) problems.push_back(json::value(p));
        out["problems"] = std::move(problems);
    }
    if (!error_.empty()) out["error"] = error_;
    json::array log;
    for (const auto& line : log_) {
        json::object entry{{"time", line.time}, {"level", to_string(line.level)}, {"id", line.id},
                           {"message", line.message}};
        for (const auto& [key, value] : line.fields)
            if (key != "job") entry[key] = value;
        log.push_back(std::move(entry));
    }
    out["log"] = std::move(log);
    if (dropped_) out["log_lines_dropped"] = dropped_;
    return out;
}

}  // namespace nds::daemon
