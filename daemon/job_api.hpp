// The job routes of the service's HTTP API (README, "The service"):
//
//   POST /v1/jobs       {"action":"sync","servers":["dhcp01"],"dry_run":false} with the caller's NetBox token
//                       in Authorization ("Token <v1>" or "Bearer nbt_..."). The token is checked with NetBox
//                       (and that it sees the named servers) before the job is queued; the job then runs with
//                       it, so NetBox's changelog names the caller. 202 {"id","state","coalesced"};
//                       400 bad body; 401 no token; 403 token refused or server not visible; 503 NetBox
//                       unreachable or queue full.
//   GET  /v1/jobs/{id}  the job (state, timestamps, summary counts, log lines) to the same token only;
//                       401 no token; 404 for an unknown id *and* for another token's job (ids are not
//                       confirmed to strangers).
//
// The NetBox check is injected (TokenCheck) so the routes are unit-tested without NetBox.
#pragma once

#include "daemon/job_queue.hpp"
#include "daemon/token_gate.hpp"
#include "util/expected.hpp"
#include "http/http_message.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nds::daemon {

class JobApi {
public:
    /// Checks `token` with NetBox and that it can see every server in `servers`: the token's username, or an
    /// Error whose http_status is the answer to give (403 refused or not visible, 503 NetBox unreachable).
    using TokenCheck =
        std::function<boost::asio::awaitable<Expected<std::string>>(std::string token, std::vector<std::string> servers)>;

    /// After a job was queued or joined (the service logs it and starts what can run).
    using Queued = std::function<void(const JobPtr& job, bool coalesced)>;

    /// `service_token` gives the token service jobs (token "") run with, so its holder can read them.
    /// `gate` limits how often `check` runs: answers are reused briefly and an address presenting refused
    /// tokens gets 429 (daemon/token_gate.hpp).
    JobApi(JobQueue& queue, TokenCheck check, std::function<std::string()> service_token, Queued on_queued,
           std::set<std::string> actions = {"sync"}, TokenGate::Limits gate = {});

    /// True when the path is one of the job routes.
    static bool handles(const std::string& path);
    boost::asio::awaitable<http::Response> handle(http::Request request, std::string path);

    /// The token value of an "Authorization: Token <v>" or "Bearer <v>" header; nullopt otherwise.
    static std::optional<std::string> caller_token(const http::Request& request);

private:
    boost::asio::awaitable<http::Response> post_job(http::Request request);
    http::Response get_job(const http::Request& request, const std::string& id);

    JobQueue& queue_;
    TokenCheck check_;
    TokenGate gate_;
    std::function<std::string()> service_token_;
    Queued on_queued_;
    std::set<std::string> actions_;
};

/// Equal tokens, compared in time that does not depend on where they differ.
bool same_token(const std::string& a, const std::string& b);

}  // namespace nds::daemon
