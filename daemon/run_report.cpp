#include "daemon/run_report.hpp"

#include "util/cancellation.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <sstream>

namespace nds::daemon {

using engine::ObjectKind;
using engine::Verb;

ReportedAction ReportedAction::stopped(ObjectKind kind, Verb verb, engine::ActionNote note) {
    note.reason = kStoppedReason;
    return ReportedAction{kind, verb, ActionStatus::skipped, std::move(note), {}, SkipCause::stopped};
}

void RunReport::note_server(const std::string& server) {
    if (server.empty()) return;
    auto position = std::lower_bound(servers.begin(), servers.end(), server);
    if (position == servers.end() || *position != server) servers.insert(position, server);
}

void RunReport::add_plan(const engine::Plan& plan, ActionStatus status) {
    engine::for_each_write(plan, [&](ObjectKind kind, Verb verb, const engine::ActionNote& note) {
        note_server(note.server);
        actions.push_back(ReportedAction{kind, verb, status, note, {}});
    });
    for (const auto& skip : plan.skips) {
        note_server(skip.note.server);
        actions.push_back(ReportedAction{skip.kind, Verb::update, ActionStatus::skipped, skip.note, {}});
    }
    for (const auto& problem : plan.problems) {
        note_server(problem.note.server);
        problems.push_back(problem);
    }
}

void RunReport::add_problem(engine::Severity severity, const std::string& server, const std::string& scope,
                            const std::string& message) {
    note_server(server);
    problems.push_back(engine::Problem{severity, engine::ActionNote{server, scope, "", message}});
}

void RunReport::add_skipped_record(const std::string& server, const std::string& scope, const std::string& message) {
    add_problem(engine::Severity::warning, server, scope, message);
    problems.back().kind = engine::ProblemKind::skipped_record;
}

int RunReport::exit_code() const {
    if (!fatal_error.empty()) return 3;
    bool failed = std::any_of(actions.begin(), actions.end(), [](const auto& a) { return a.status == ActionStatus::failed; }) ||
                  std::any_of(problems.begin(), problems.end(), [](const auto& p) { return p.severity == engine::Severity::error; });
    return failed ? 1 : 0;
}

std::map<std::string, std::map<ObjectKind, Counts>> RunReport::counts() const {
    std::map<std::string, std::map<ObjectKind, Counts>> result;
    for (const auto& server : servers) result[server];
    for (const auto& action : actions) {
        auto& c = result[action.note.server][action.kind];
        switch (action.status) {
        case ActionStatus::failed: ++c.failed; break;
        case ActionStatus::skipped: ++c.skipped; break;
        case ActionStatus::planned:
        case ActionStatus::applied:
            if (action.verb == Verb::create) ++c.created;
            else if (action.verb == Verb::update) ++c.updated;
            else ++c.deleted;
            break;
        }
    }
    return result;
}

namespace {

const char* status_name(ActionStatus status) {
    switch (status) {
    case ActionStatus::planned: return "planned";
    case ActionStatus::applied: return "applied";
    case ActionStatus::failed: return "failed";
    case ActionStatus::skipped: return "skipped";
    }
    return "planned";
}

std::string verb_word(const ReportedAction& action) {
    if (action.status == ActionStatus::skipped) return "skip";
    return engine::to_string(action.verb);
}

}  // namespace

std::string RunReport::to_text(bool verbose) const {
    std::ostringstream out;
    if (!fatal_error.empty()) {
        out << "error: " << fatal_error << "\n";
        return out.str();
    }
    auto all = counts();
    for (const auto& server : servers) {
        const auto& kinds = all[server];
        out << server << ":";
        Counts total;
        bool any = false;
        for (const auto& [kind, c] : kinds) {
            total.skipped += c.skipped;
            if (!c.created && !c.updated && !c.deleted && !c.failed) continue;
            any = true;
            out << " " << engine::to_string(kind) << " +" << c.created << " ~" << c.updated << " -" << c.deleted;
            if (c.failed) out << " failed " << c.failed;
        }
        if (!any) out << " no changes";
        if (total.skipped) out << " (skipped " << total.skipped << ")";
        auto errors = std::count_if(problems.begin(), problems.end(), [&](const auto& p) {
            return p.note.server == server && p.severity == engine::Severity::error;
        });
        if (errors) out << " errors " << errors;
        out << (dry_run ? " [dry-run]" : "") << "\n";
    }
    for (const auto& action : actions) {
        bool show = verbose || action.status == ActionStatus::failed;
        if (!show || (action.status == ActionStatus::skipped && !verbose)) continue;
        out << "  " << (action.status == ActionStatus::skipped ? "skip" : std::string(status_name(action.status)) + " " + verb_word(action))
            << " " << engine::to_string(action.kind)
            << " " << action.note.object;
        if (!action.note.scope.empty()) out << " [" << action.note.server << "/" << action.note.scope << "]";
        else if (!action.note.server.empty()) out << " [" << action.note.server << "]";
        if (!action.note.reason.empty()) out << ": " << action.note.reason;
        if (!action.error.empty()) out << " -- " << action.error;
        out << "\n";
    }
    for (const auto& problem : problems) {
        out << (problem.severity == engine::Severity::error ? "error: " : "warning: ");
        if (!problem.note.server.empty()) out << problem.note.server;
        if (!problem.note.scope.empty()) out << "/" << problem.note.scope;
        if (!problem.note.server.empty()) out << ": ";
        if (!problem.note.object.empty()) out << problem.note.object << ": ";
        out << problem.note.reason << "\n";
    }
    for (const auto& [server, text] : previews) {
        out << server << ": would change:\n" << text;
        if (!text.empty() && text.back() != '\n') out << "\n";
    }
    return out.str();
}

std::string RunReport::to_json() const {
    namespace json = boost::json;
    json::object root;
    root["dry_run"] = dry_run;
    root["exit_code"] = exit_code();
    root["duration_seconds"] = duration_seconds;
    if (!fatal_error.empty()) root["error"] = fatal_error;
    json::object servers_json;
    auto all = counts();
    for (const auto& server : servers) {
        json::object server_json;
        json::object counts_json;
        for (const auto& [kind, c] : all[server]) {
            if (!c.any()) continue;
            counts_json[engine::to_string(kind)] = json::object{{"created", c.created}, {"updated", c.updated},
                                                                {"deleted", c.deleted}, {"skipped", c.skipped},
                                                                {"failed", c.failed}};
        }
        server_json["counts"] = std::move(counts_json);
        json::array actions_json;
        for (const auto& action : actions) {
            if (action.note.server != server) continue;
            json::object a{{"kind", engine::to_string(action.kind)}, {"action", verb_word(action)},
                           {"status", status_name(action.status)}, {"object", action.note.object},
                           {"scope", action.note.scope}, {"reason", action.note.reason}};
            if (!action.error.empty()) a["error"] = action.error;
            actions_json.push_back(std::move(a));
        }
        server_json["actions"] = std::move(actions_json);
        json::array problems_json;
        for (const auto& problem : problems) {
            if (problem.note.server != server) continue;
            problems_json.push_back(json::object{
                {"severity", problem.severity == engine::Severity::error ? "error" : "warning"},
                {"scope", problem.note.scope}, {"object", problem.note.object}, {"message", problem.note.reason}});
        }
        server_json["problems"] = std::move(problems_json);
        if (auto preview = previews.find(server); preview != previews.end()) server_json["preview"] = preview->second;
        servers_json[server] = std::move(server_json);
    }
    root["servers"] = std::move(servers_json);
    json::array general;
    for (const auto& problem : problems)
        if (problem.note.server.empty())
            general.push_back(json::object{{"severity", problem.severity == engine::Severity::error ? "error" : "warning"},
                                           {"message", problem.note.reason}});
    root["problems"] = std::move(general);
    return json::serialize(root) + "\n";
}

}  // namespace nds::daemon
