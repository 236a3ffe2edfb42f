#include "daemon/token_gate.hpp"

#include <algorithm>

namespace nds::daemon {

std::string TokenGate::key(const std::string& token, std::vector<std::string> servers) {
    std::sort(servers.begin(), servers.end());
    std::string out = token;
    for (const auto& server : servers) out += '\n' + server;  // a token has no newline (refused at parse)
    return out;
}

std::optional<std::chrono::seconds> TokenGate::retry_after(const std::string& address, Clock::time_point now) {
    auto it = refusals_.find(address);
    if (it == refusals_.end()) return std::nullopt;
    auto& times = it->second;
    while (!times.empty() && now - times.front() >= limits_.refusal_window) times.pop_front();
    if (times.empty()) {
        refusals_.erase(it);
        return std::nullopt;
    }
    if (times.size() < limits_.refusals_per_window) return std::nullopt;
    auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + limits_.refusal_window - now);
    return std::max(wait, std::chrono::seconds(1));
}

std::optional<Expected<std::string>> TokenGate::cached(const std::string& token, const std::vector<std::string>& servers,
                                                       Clock::time_point now) {
    auto it = answers_.find(key(token, servers));
    if (it == answers_.end()) return std::nullopt;
    if (now >= it->second.expires) {
        answers_.erase(it);
        return std::nullopt;
    }
    return it->second.result;
}

void TokenGate::record(const std::string& address, const std::string& token, const std::vector<std::string>& servers,
                       const Expected<std::string>& answer, Clock::time_point now) {
    bool refused = !answer && answer.error().http_status == 403;
    if (!answer && !refused) return;
    if (refused) {
        if (refusals_.size() >= limits_.max_cached)  // many addresses: forget those whose window has passed
            std::erase_if(refusals_, [&](const auto& entry) {
                return entry.first != address && now - entry.second.back() >= limits_.refusal_window;
            });
        refusals_[address].push_back(now);
    }
    if (answers_.size() >= limits_.max_cached) {
        // Drop what has expired; when nothing has, the entry closest to expiry.
        std::erase_if(answers_, [&](const auto& entry) { return now >= entry.second.expires; });
        if (answers_.size() >= limits_.max_cached)
            answers_.erase(std::min_element(answers_.begin(), answers_.end(), [](const auto& a, const auto& b) {
                return a.second.expires < b.second.expires;
            }));
    }
    answers_.insert_or_assign(key(token, servers), Answer{answer, now + limits_.answer_ttl});
}

}  // namespace nds::daemon
