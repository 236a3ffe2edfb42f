// Keeps unauthenticated POST /v1/jobs cheap for NetBox: each token check costs NetBox one or two requests,
// so answers are remembered briefly (both "valid" and "refused"; NetBox being unreachable is not), and a
// client address that keeps presenting refused tokens gets 429 for a while instead of more NetBox requests.
// No I/O and no Asio: the caller passes the time.
#pragma once

#include "util/expected.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nds::daemon {

class TokenGate {
public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        std::chrono::seconds answer_ttl{30};     ///< how long a check's answer is reused (a revoked token: this long)
        std::size_t refusals_per_window = 10;    ///< refused checks per address before 429
        std::chrono::seconds refusal_window{60};
        std::size_t max_cached = 1024;           ///< remembered answers at most (oldest dropped)
    };
    TokenGate() = default;
    explicit TokenGate(Limits limits) : limits_(limits) {}

    /// Seconds to wait when `address` has had too many refused tokens within the window; nullopt: go on.
    std::optional<std::chrono::seconds> retry_after(const std::string& address, Clock::time_point now);
    /// A remembered answer for this token and server list.
    std::optional<Expected<std::string>> cached(const std::string& token, const std::vector<std::string>& servers,
                                                Clock::time_point now);
    /// Records a check's answer: a user or a 403 is remembered (a 403 also counts against `address`); other
    /// failures (NetBox unreachable: 503) are not, so the next request asks NetBox again.
    void record(const std::string& address, const std::string& token, const std::vector<std::string>& servers,
                const Expected<std::string>& answer, Clock::time_point now);

private:
    struct Answer {
        Expected<std::string> result;
        Clock::time_point expires;
    };
    static std::string key(const std::string& token, std::vector<std::string> servers);

    Limits limits_;
    std::map<std::string, Answer> answers_;
    std::map<std::string, std::deque<Clock::time_point>> refusals_;  // by address, oldest first
};

}  // namespace nds::daemon
