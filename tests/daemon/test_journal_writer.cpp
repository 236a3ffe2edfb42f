#include "daemon/journal_writer.hpp"

#include "http/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <sstream>

using namespace nds;
using namespace nds::daemon;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

RunReport sample_report() {
    RunReport report;
    report.servers = {"dhcp01", "dhcp03"};
    report.actions.push_back({engine::ObjectKind::ip_address, engine::Verb::create, ActionStatus::applied,
                              {"dhcp01", "Campus A", "10.10.1.20/24", "new lease"}, {}});
    report.actions.push_back({engine::ObjectKind::ip_address, engine::Verb::update, ActionStatus::failed,
                              {"dhcp03", "Branch", "10.20.1.60/24", "hostname changed"}, "dns_name: invalid"});
    report.problems.push_back({engine::Severity::error, {"dhcp03", "Branch", "", "mass-delete guard tripped"}});
    return report;
}

}  // namespace

TEST_CASE("journal writer: kind and text per server") {
    JobSpec spec;
    spec.user = "alice";
    Job job("abc123", spec, Job::Clock::now(), 10);
    auto report = sample_report();
    CHECK(std::string(JournalWriter::kind("dhcp01", report)) == "success");
    CHECK(std::string(JournalWriter::kind("dhcp03", report)) == "warning");
    auto text = JournalWriter::comments(job, "dhcp01", report);
    CHECK(text.find("abc123") != std::string::npos);
    CHECK(text.find("requested by alice") != std::string::npos);
    CHECK(text.find("ip_address: 1 created, 0 updated, 0 deleted") != std::string::npos);
    auto failed = JournalWriter::comments(job, "dhcp03", report);
    CHECK(failed.find("**1 failed**") != std::string::npos);
    CHECK(failed.find("mass-delete guard tripped") != std::string::npos);
    RunReport fatal;
    fatal.fatal_error = "NetBox: HTTP 403";
    CHECK(std::string(JournalWriter::kind("dhcp01", fatal)) == "danger");
}

TEST_CASE("journal writer: posts one entry per server with the job's token") {
    asio::io_context io(1);
    std::vector<http::Request> seen;
    http::Server server(io.get_executor(), "127.0.0.1", 0, [&](http::Request request) -> asio::awaitable<http::Response> {
        seen.push_back(request);
        if (request.method == "GET" && request.target.rfind("/api/plugins/windows-dhcp/servers/", 0) == 0)
            co_return http::json_response(200, R"({"count":2,"next":null,"previous":null,"results":[
                {"id":1,"name":"dhcp01","hostname":"a","port":443,"use_https":true,"verify_ssl":true,"sync_standalone_scopes":true,"tags":[]},
                {"id":3,"name":"dhcp03","hostname":"c","port":443,"use_https":true,"verify_ssl":true,"sync_standalone_scopes":true,"tags":[]}]})");
        if (request.method == "POST" && request.target == "/api/extras/journal-entries/")
            co_return http::json_response(201, R"({"id":1})");
        co_return http::json_response(404, "{}");
    });
    server.start();
    Config config;
    config.netbox.url = "http://127.0.0.1:" + std::to_string(server.port());
    config.netbox.token = "service-token";
    std::ostringstream log_text;
    Logger log(LogLevel::info, LogFormat::text, log_text);
    JournalWriter writer(io.get_executor(), config, "alice-token", log);
    Job job("abc123", JobSpec{}, Job::Clock::now(), 10);
    auto report = sample_report();
    std::size_t written = 0;
    asio::co_spawn(io, writer.write(job, report), [&](std::exception_ptr e, std::size_t n) {
        if (e) std::rethrow_exception(e);
        written = n;
        server.stop();
    });
    io.run();
    CHECK(written == 2);
    std::vector<std::int64_t> ids;
    for (const auto& r : seen) {
        CHECK(r.header("Authorization") == "Token alice-token");
        if (r.method == "POST") ids.push_back(json::parse(r.body).at("assigned_object_id").as_int64());
    }
    CHECK(ids == std::vector<std::int64_t>{1, 3});
}
