#include "daemon/journal_writer.hpp"

#include "daemon/log_messages.hpp"
#include "daemon/client_options.hpp"
#include "netbox_client/netbox_client.hpp"

#include <algorithm>
#include <sstream>

namespace nds::daemon {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxProblemLines = 10;

}  // namespace

JournalWriter::JournalWriter(asio::any_io_executor executor, const Config& config, std::string token, Logger& log)
    : executor_(std::move(executor)), config_(config), token_(std::move(token)), log_(log) {}

const char* JournalWriter::kind(const std::string& server, const RunReport& report) {
    if (!report.fatal_error.empty()) return "danger";
    for (const auto& action : report.actions)
        if (action.note.server == server && action.status == ActionStatus::failed) return "warning";
    for (const auto& problem : report.problems)
        if (problem.note.server == server && problem.severity == engine::Severity::error) return "warning";
    return "success";
}

std::string JournalWriter::comments(const Job& job, const std::string& server, const RunReport& report) {
    std::ostringstream out;
    out << "netbox-dhcp-sync job `" << job.id() << "` (" << to_string(job.spec().origin);
    if (!job.spec().user.empty()) out << ", requested by " << job.spec().user;
    out << ")";
    if (!report.fatal_error.empty()) {
        out << ": failed: " << report.fatal_error << "\n";
        return out.str();
    }
    auto all = report.counts();
    const auto& kinds = all[server];
    bool any = false;
    std::ostringstream counts;
    for (const auto& [kind, c] : kinds) {
        if (!c.created && !c.updated && !c.deleted && !c.failed) continue;
        any = true;
        counts << "\n- " << engine::to_string(kind) << ": " << c.created << " created, " << c.updated << " updated, "
               << c.deleted << " deleted";
        if (c.failed) counts << ", **" << c.failed << " failed**";
    }
    out << (any ? ":" : ": no changes") << counts.str();
    std::size_t shown = 0;
    for (const auto& problem : report.problems) {
        if (problem.note.server != server) continue;
        if (shown++ == kMaxProblemLines) {
            out << "\n- ...";
            break;
        }
        out << "\n- " << (problem.severity == engine::Severity::error ? "error" : "warning") << ": ";
        if (!problem.note.scope.empty()) out << problem.note.scope << ": ";
        out << problem.note.reason;
    }
    out << "\n";
    auto text = out.str();
    return text;
}

asio::awaitable<std::size_t> JournalWriter::write(const Job& job, const RunReport& report) {
    if (report.servers.empty()) co_return 0;
    netbox::NetBoxClient netbox(executor_, netbox_client_options(config_, token_));
    auto servers = co_await netbox.list_servers();
    if (!servers) {
        log_.warning(msg::JOURNAL_FAILED, "cannot write journal entries: " + servers.error().message);
        co_return 0;
    }
    std::size_t written = 0;
    for (const auto& name : report.servers) {
        auto server = std::find_if(servers->begin(), servers->end(), [&](const auto& s) { return s.name == name; });
        if (server == servers->end()) continue;
        auto done = co_await netbox.write_server_journal(server->id, kind(name, report), comments(job, name, report));
        if (done) {
            ++written;
            log_.debug(msg::JOURNAL_WRITTEN, "journal entry written", {{"server", name}});
        } else {
            log_.warning(msg::JOURNAL_FAILED, "cannot write journal entry: " + done.error().message, {{"server", name}});
        }
    }
    co_return written;
}

}  // namespace nds::daemon
