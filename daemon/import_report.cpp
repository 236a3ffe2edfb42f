#include "daemon/import_report.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <sstream>

namespace nds::daemon {

using engine::ImportCategory;

namespace {

constexpr ImportCategory kAll[] = {ImportCategory::failovers,    ImportCategory::prefixes,
                                   ImportCategory::scopes,       ImportCategory::option_codes,
                                   ImportCategory::option_values, ImportCategory::exclusion_ranges};

/// "10.0.1.10–10.0.1.19 (scope: Building A)": objects that belong to a scope name it, as the plugin does.
std::string item(const engine::ActionNote& note, ImportCategory category) {
    bool per_scope = category == ImportCategory::exclusion_ranges || category == ImportCategory::option_values;
    if (per_scope && !note.scope.empty()) return note.object + " (scope: " + note.scope + ")";
    return note.object;
}

}  // namespace

std::map<ImportCategory, ImportReport::Category> ImportReport::categories() const {
    std::map<ImportCategory, Category> out;
    for (auto category : kAll) out[category];
    for (const auto& action : run.actions) {
        auto category = engine::import_category(action.kind);
        if (!category) continue;
        auto& c = out[*category];
        switch (action.status) {
        case ActionStatus::planned:
        case ActionStatus::applied: c.created.push_back(item(action.note, *category)); break;
        case ActionStatus::skipped: c.skipped.push_back(item(action.note, *category) + " — " + action.note.reason); break;
        case ActionStatus::failed: c.errors.push_back(item(action.note, *category) + ": " + action.error); break;
        }
    }
    for (const auto& error : errors) {
        std::string text = error.note.reason;
        if (!error.note.scope.empty() && text.find(error.note.scope) == std::string::npos)
            text = "scope '" + error.note.scope + "': " + text;
        out[error.category].errors.push_back(std::move(text));
    }
    return out;
}

int ImportReport::exit_code() const {
    int code = run.exit_code();
    if (code == 0 && !errors.empty()) code = 1;
    return code;
}

std::string ImportReport::to_text(bool verbose) const {
    std::ostringstream out;
    if (!run.fatal_error.empty()) {
        out << "error: " << run.fatal_error << "\n";
        return out.str();
    }
    out << "import " << server << (run.dry_run ? " [dry-run: nothing written]" : "") << "\n";
    for (const auto& [category, c] : categories()) {
        out << engine::label(category) << ": " << c.created.size() << (run.dry_run ? " to create, " : " created, ")
            << c.skipped.size() << " skipped, " << c.errors.size() << " error(s)\n";
        for (const auto& line : c.created) out << "  " << (run.dry_run ? "Create: " : "Created: ") << line << "\n";
        if (verbose)
            for (const auto& line : c.skipped) out << "  Skipped: " << line << "\n";
        for (const auto& line : c.errors) out << "  Error: " << line << "\n";
    }
    for (const auto& problem : run.problems) {
        out << (problem.severity == engine::Severity::error ? "error: " : "warning: ");
        if (!problem.note.scope.empty()) out << problem.note.scope << ": ";
        out << problem.note.reason << "\n";
    }
    out << (run.dry_run ? "Import plan for " : "Import complete for ") << server << "\n";
    return out.str();
}

std::string ImportReport::to_json() const {
    namespace json = boost::json;
    json::object root;
    root["command"] = "import";
    root["server"] = server;
    root["dry_run"] = run.dry_run;
    root["exit_code"] = exit_code();
    root["duration_seconds"] = run.duration_seconds;
    if (!run.fatal_error.empty()) root["error"] = run.fatal_error;
    json::object categories_json;
    for (const auto& [category, c] : categories()) {
        auto list = [](const std::vector<std::string>& items) {
            json::array a;
            for (const auto& i : items) a.emplace_back(i);
            return a;
        };
        categories_json[engine::to_string(category)] =
            json::object{{"created", list(c.created)}, {"skipped", list(c.skipped)}, {"errors", list(c.errors)}};
    }
    root["categories"] = std::move(categories_json);
    json::array actions;
    for (const auto& action : run.actions) {
        json::object a{{"kind", engine::to_string(action.kind)},
                       {"action", action.status == ActionStatus::skipped ? "skip" : engine::to_string(action.verb)},
                       {"status", action.status == ActionStatus::planned   ? "planned"
                                  : action.status == ActionStatus::applied ? "applied"
                                  : action.status == ActionStatus::failed  ? "failed"
                                                                           : "skipped"},
                       {"object", action.note.object},
                       {"scope", action.note.scope},
                       {"reason", action.note.reason}};
        if (!action.error.empty()) a["error"] = action.error;
        actions.push_back(std::move(a));
    }
    root["actions"] = std::move(actions);
    json::array problems;
    for (const auto& problem : run.problems)
        problems.push_back(json::object{{"severity", problem.severity == engine::Severity::error ? "error" : "warning"},
                                        {"scope", problem.note.scope},
                                        {"object", problem.note.object},
                                        {"message", problem.note.reason}});
    root["problems"] = std::move(problems);
    return json::serialize(root) + "\n";
}

}  // namespace nds::daemon
