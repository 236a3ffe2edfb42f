#include "daemon/job_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

namespace nds::daemon {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

http::Response error(unsigned status, const std::string& message) {
    return http::json_response(status, json::serialize(json::object{{"error", message}}));
}

http::Response unauthorized() {
    auto response = error(401, "a NetBox token is required: 'Authorization: Token <token>' or 'Authorization: Bearer nbt_<key>.<token>'");
    response.headers.emplace_back("WWW-Authenticate", "Token");
    return response;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

constexpr std::string_view kJobsPath = "/v1/jobs";

}  // namespace

bool same_token(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;  // the length of a token is no secret
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

JobApi::JobApi(JobQueue& queue, TokenCheck check, std::function<std::string()> service_token,
               Queued on_queued, std::set<std::string> actions, TokenGate::Limits gate)
    : queue_(queue), check_(std::move(check)), gate_(gate), service_token_(std::move(service_token)), on_queued_(std::move(on_queued)),
      actions_(std::move(actions)) {}

bool JobApi::handles(const std::string& path) {
    return path == kJobsPath || path == "/v1/jobs/" || path.rfind("/v1/jobs/", 0) == 0;
}

std::optional<std::string> JobApi::caller_token(const http::Request& request) {
    auto header = trim(request.header("Authorization"));
    std::string_view value;
    if (starts_with_ci(header, "token ")) value = trim(header.substr(6));
    else if (starts_with_ci(header, "bearer ")) value = trim(header.substr(7));
    else return std::nullopt;
    if (value.empty() || value.find(' ') != std::string_view::npos) return std::nullopt;
    return std::string(value);
}

asio::awaitable<http::Response> JobApi::handle(http::Request request, std::string path) {
    if (path == kJobsPath || path == "/v1/jobs/") {
        if (request.method != "POST") {
            auto response = error(405, "use POST to queue a job");
            response.headers.emplace_back("Allow", "POST");
            co_return response;
        }
        co_return co_await post_job(std::move(request));
    }
    auto id = path.substr(std::string("/v1/jobs/").size());
    if (!id.empty() && id.back() == '/') id.pop_back();
    if (id.empty() || id.find('/') != std::string::npos) co_return error(404, "not found");
    if (request.method != "GET" && request.method != "HEAD") {
        auto response = error(405, "use GET to read a job");
        response.headers.emplace_back("Allow", "GET");
        co_return response;
    }
    co_return get_job(request, id);
}

asio::awaitable<http::Response> JobApi::post_job(http::Request request) {
    auto token = caller_token(request);
    if (!token) co_return unauthorized();
    const auto now = TokenGate::Clock::now();
    if (auto wait = gate_.retry_after(request.remote_address, now)) {
        auto response = error(429, "too many refused tokens from " + request.remote_address + "; retry in " +
                                       std::to_string(wait->count()) + " s");
        response.headers.emplace_back("Retry-After", std::to_string(wait->count()));
        co_return response;
    }

    boost::system::error_code ec;
    auto body = json::parse(request.body.empty() ? std::string("{}") : request.body, ec);
    if (ec || !body.is_object()) co_return error(400, "the body must be a JSON object");
    JobSpec spec;
    spec.origin = JobOrigin::api;
    for (const auto& [key, value] : body.as_object()) {
        if (key == "action") {
            if (!value.is_string()) co_return error(400, "action: expected a string");
            spec.action = std::string(value.as_string());
        } else if (key == "servers") {
            if (!value.is_array()) co_return error(400, "servers: expected a list of DHCP server names");
            for (const auto& name : value.as_array()) {
                if (!name.is_string() || name.as_string().empty())
                    co_return error(400, "servers: expected a list of DHCP server names");
                spec.servers.emplace_back(name.as_string());
            }
        } else if (key == "dry_run") {
            if (!value.is_bool()) co_return error(400, "dry_run: expected true or false");
            spec.dry_run = value.as_bool();
        } else {
            co_return error(400, std::string(key) + ": unknown field (expected action, servers, dry_run)");
        }
    }
    if (!actions_.count(spec.action)) {
        std::string known;
        for (const auto& a : actions_) known += (known.empty() ? "" : ", ") + a;
        co_return error(400, "action: '" + spec.action + "' is not available (available: " + known + ")");
    }
    if (spec.action == "import" && spec.servers.size() != 1) co_return error(400, "servers: import takes exactly one server");

    Expected<std::string> user = Error{503, "token not checked"};
    if (auto remembered = gate_.cached(*token, spec.servers, now)) {
        user = std::move(*remembered);
    } else {
        auto servers = spec.servers;
        auto checked = co_await check_(*token, std::move(servers));
        gate_.record(request.remote_address, *token, spec.servers, checked, TokenGate::Clock::now());
        user = std::move(checked);
    }
    if (!user) {
        auto status = user.error().http_status;
        co_return error(status == 401 || status == 403 || status == 503 ? status : 503, user.error().message);
    }
    spec.token = *token;
    spec.user = *user;
    auto submitted = queue_.submit(std::move(spec), JobQueue::Clock::now());
    if (!submitted) {
        auto response = error(503, submitted.error().message);
        response.headers.emplace_back("Retry-After", "30");
        co_return response;
    }
    if (on_queued_) on_queued_(submitted->job, submitted->coalesced);
    const auto& job = *submitted->job;
    json::object out{{"id", job.id()}, {"state", to_string(job.state())}, {"coalesced", submitted->coalesced},
                     {"url", "/v1/jobs/" + job.id()}};
    auto response = http::json_response(202, json::serialize(out));
    response.headers.emplace_back("Location", "/v1/jobs/" + job.id());
    co_return response;
}

http::Response JobApi::get_job(const http::Request& request, const std::string& id) {
    auto token = caller_token(request);
    if (!token) return unauthorized();
    auto job = queue_.find(id);
    if (!job) return error(404, "no such job");
    auto owner = job->spec().token.empty() ? (service_token_ ? service_token_() : std::string()) : job->spec().token;
    if (!same_token(*token, owner)) return error(404, "no such job");
    return http::json_response(200, json::serialize(job->to_json()));
}

}  // namespace nds::daemon
