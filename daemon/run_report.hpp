// What a run did (or, with --dry-run, would do): every action with its outcome, every problem, and the
// per-server counts printed as text or JSON (README, "Usage").
#pragma once

#include "sync_engine/plan.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace nds::daemon {

enum class ActionStatus { planned, applied, failed, skipped };

/// Why a skipped action was skipped: a rule of the engine decided so, or the run was stopped before it.
enum class SkipCause { decided, stopped };

struct ReportedAction {
    engine::ObjectKind kind = engine::ObjectKind::ip_address;
    engine::Verb verb = engine::Verb::create;
    ActionStatus status = ActionStatus::planned;
    engine::ActionNote note;
    std::string error;
    SkipCause skip_cause = SkipCause::decided;  ///< for status skipped

    /// Recorded as skipped because the run was stopped (its reason is kStoppedReason).
    static ReportedAction stopped(engine::ObjectKind kind, engine::Verb verb, engine::ActionNote note);
    bool was_stopped() const { return status == ActionStatus::skipped && skip_cause == SkipCause::stopped; }
};

struct Counts {
    int created = 0;
    int updated = 0;
    int deleted = 0;
    int skipped = 0;
    int failed = 0;
    bool any() const { return created || updated || deleted || skipped || failed; }
};

struct RunReport {
    bool dry_run = false;
    std::vector<std::string> servers;  ///< every server the run looked at, sorted by name
    std::vector<ReportedAction> actions;
    std::vector<engine::Problem> problems;
    std::string fatal_error;  ///< NetBox unreachable or token rejected: nothing was done
    bool stopped = false;     ///< the run was stopped (the service is stopping) before all its changes were applied
    /// --dry-run: what a server's backend would change, for people (a dhcpd server's unified diff), by server.
    std::map<std::string, std::string> previews;
    double duration_seconds = 0;

    /// Records every action of `plan` with `status`, and its skips and problems.
    void add_plan(const engine::Plan& plan, ActionStatus status);
    void add_problem(engine::Severity severity, const std::string& server, const std::string& scope,
                     const std::string& message);
    /// A record of a server or of NetBox that could not be used and was left out (a warning).
    void add_skipped_record(const std::string& server, const std::string& scope, const std::string& message);
    void note_server(const std::string& server);

    /// 0 success; 1 some server or object failed; 3 NetBox unreachable or token rejected.
    int exit_code() const;

    std::map<std::string, std::map<engine::ObjectKind, Counts>> counts() const;
    std::string to_text(bool verbose) const;
    std::string to_json() const;
};

}  // namespace nds::daemon
