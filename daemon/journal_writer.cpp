#include "daemon/journal_writer.hpp"

#include "daemon/log_messages.hpp"
#include "daemon/sync_runner.hpp"
#include "http/http_client.hpp"
#include "http/url.hpp"
#include "netbox_client/netbox_client.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <sstream>

namespace nds::daemon {

namespace asio = boost::asio;
namespace json = boost::json;

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

std::string JournalWriter::body(engine::ObjectId server_id, const std::string& kind, const std::string& comments) {
    return json::serialize(json::object{{"assigned_object_type", "netbox_windows_dhcp.dhcpserver"},
                                        {"assigned_object_id", server_id},
                                        {"kind", kind},
                                        {"comments", comments}});
}

asio::awaitable<std::size_t> JournalWriter::write(const Job& job, const RunReport& report) {
    if (report.servers.empty()) co_return 0;
    auto options = netbox_client_options(config_, token_);
    netbox::NetBoxClient netbox(executor_, options);
    auto servers = co_await netbox.list_servers();
    if (!servers) {
        log_.warning(msg::JOURNAL_FAILED, "cannot write journal entries: " + servers.error().message);
        co_return 0;
    }
    auto url = http::Url::parse(config_.netbox.url);
    if (!url) co_return 0;
    auto base = http::Target::parse(url->target).path;
    while (!base.empty() && base.back() == '/') base.pop_back();
    http::Client client(executor_, config_.netbox.url, options.http);
    std::size_t written = 0;
    for (const auto& name : report.servers) {
        const engine::NetBoxServer* server = nullptr;
        for (const auto& s : *servers)
            if (s.name == name) server = &s;
        if (!server) continue;
        http::Request request;
        request.method = "POST";
        request.target = base + "/api/extras/journal-entries/";
        request.headers = {{"Authorization", netbox::NetBoxClient::authorization_header(options.token)},
                           {"Content-Type", "application/json"},
                           {"Accept", "application/json"}};
        request.body = body(server->id, kind(name, report), comments(job, name, report));
        auto response = co_await client.send(request);
        if (response && response->ok()) {
            ++written;
            log_.debug(msg::JOURNAL_WRITTEN, "journal entry written", {{"server", name}});
        } else {
            log_.warning(msg::JOURNAL_FAILED,
                         "cannot write journal entry: " +
                             (response ? "HTTP " + std::to_string(response->status) + " " + response->body.substr(0, 300)
                                       : response.error().message),
                         {{"server", name}});
        }
    }
    co_return written;
}

}  // namespace nds::daemon
