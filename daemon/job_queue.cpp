#include "daemon/job_queue.hpp"

#include <algorithm>
#include <random>

namespace nds::daemon {

std::string random_job_id() {
    static thread_local std::mt19937_64 engine = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int word = 0; word < 2; ++word) {
        auto bits = engine();
        for (int i = 0; i < 16; ++i, bits >>= 4) out += hex[bits & 0x0F];
    }
    return out;
}

JobQueue::JobQueue(Limits limits, std::function<std::string()> make_id)
    : limits_(limits), make_id_(make_id ? std::move(make_id) : std::function<std::string()>(random_job_id)) {}

bool JobQueue::conflict(const JobSpec& a, const JobSpec& b) {
    if (a.all_servers() || b.all_servers()) return true;
    // Both sorted: intersect.
    auto i = a.servers.begin();
    auto j = b.servers.begin();
    while (i != a.servers.end() && j != b.servers.end()) {
        if (*i == *j) return true;
        if (*i < *j) ++i;
        else ++j;
    }
    return false;
}

Expected<JobQueue::Submitted> JobQueue::submit(JobSpec spec, Clock::time_point now) {
    std::sort(spec.servers.begin(), spec.servers.end());
    spec.servers.erase(std::unique(spec.servers.begin(), spec.servers.end()), spec.servers.end());

    for (auto& queued : queue_) {
        auto& q = queued->spec_;
        if (q.token != spec.token || q.action != spec.action || q.dry_run != spec.dry_run) continue;
        // Join: the union of the servers ("all" absorbs everything).
        if (!q.all_servers()) {
            if (spec.all_servers()) {
                q.servers.clear();
            } else {
                std::vector<std::string> merged;
                std::set_union(q.servers.begin(), q.servers.end(), spec.servers.begin(), spec.servers.end(),
                               std::back_inserter(merged));
                q.servers = std::move(merged);
            }
        }
        if (q.user.empty()) q.user = spec.user;
        if (!spec.reason.empty() && q.reason.find(spec.reason) == std::string::npos)
            q.reason += (q.reason.empty() ? "" : "; ") + spec.reason;
        ++queued->requests_;
        return Submitted{queued, true};
    }
    if (queue_.size() >= limits_.max_queued)
        return Error{503, "too many queued jobs (" + std::to_string(queue_.size()) + "); try again later"};
    auto id = make_id_();
    while (by_id_.count(id)) id = make_id_();
    auto job = std::make_shared<Job>(id, std::move(spec), now, limits_.log_lines);
    queue_.push_back(job);
    by_id_[id] = job;
    return Submitted{job, false};
}

std::vector<JobPtr> JobQueue::start_runnable(Clock::time_point now) {
    std::vector<JobPtr> started;
    std::vector<const JobSpec*> blocked;  // earlier queued jobs that stay queued
    for (auto it = queue_.begin(); it != queue_.end();) {
        const auto& spec = (*it)->spec_;
        bool busy = std::any_of(running_.begin(), running_.end(), [&](const JobPtr& r) { return conflict(r->spec_, spec); }) ||
                    std::any_of(blocked.begin(), blocked.end(), [&](const JobSpec* b) { return conflict(*b, spec); });
        if (busy) {
            blocked.push_back(&spec);
            ++it;
            continue;
        }
        auto job = *it;
        job->state_ = JobState::running;
        job->started_ = now;
        running_.push_back(job);
        started.push_back(job);
        it = queue_.erase(it);
    }
    return started;
}

void JobQueue::finish(const JobPtr& job, JobState state, Clock::time_point now) {
    auto it = std::find(running_.begin(), running_.end(), job);
    if (it != running_.end()) running_.erase(it);
    job->state_ = state;
    job->finished_ = now;
    history_.push_back(job);
    expire(now);
}

std::vector<JobPtr> JobQueue::cancel_queued(Clock::time_point now) {
    std::vector<JobPtr> cancelled(queue_.begin(), queue_.end());
    queue_.clear();
    for (auto& job : cancelled) {
        job->state_ = JobState::cancelled;
        job->finished_ = now;
        history_.push_back(job);
    }
    return cancelled;
}

JobPtr JobQueue::find(const std::string& id) const {
    auto found = by_id_.find(id);
    return found == by_id_.end() ? nullptr : found->second;
}

void JobQueue::expire(Clock::time_point now) {
    while (!history_.empty() &&
           (history_.size() > limits_.history || history_.front()->finished_ + limits_.retention < now)) {
        by_id_.erase(history_.front()->id());
        history_.pop_front();
    }
}

}  // namespace nds::daemon
