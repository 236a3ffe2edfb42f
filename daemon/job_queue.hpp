// The service's jobs: the queue, who may run now, and the finished ones kept for GET /v1/jobs/{id}.
// No I/O and no timers (the service drives it), so every rule is a unit test:
//
// - One job per DHCP server at a time. A job for all servers conflicts with every job. Queued jobs start
//   in arrival order; a job never overtakes an earlier queued job it conflicts with.
// - Coalescing: a request with the same token, action and dry_run as a job that is still *queued* joins
//   that job (its servers are added; "all" absorbs everything) instead of queueing another run. So while a
//   server is busy, any number of later requests for it become one follow-up run. Scheduled and webhook
//   runs share the service token, so they coalesce with each other; a user's requests coalesce only with
//   that user's (same token) queued job.
// - Bounded: at most `max_queued` jobs wait (submit fails beyond); finished jobs are kept for `retention`
//   and at most `history` of them (oldest dropped first).
#pragma once

#include "daemon/job.hpp"
#include "util/expected.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nds::daemon {

using JobPtr = std::shared_ptr<Job>;

class JobQueue {
public:
    using Clock = Job::Clock;

    struct Limits {
        std::size_t max_queued = 100;
        std::size_t history = 100;
        std::chrono::milliseconds retention{std::chrono::hours(24)};
        std::size_t log_lines = 2000;
    };

    struct Submitted {
        JobPtr job;
        bool coalesced = false;  ///< joined a job that was already queued
    };

    /// `make_id` gives new job ids (default: 128 random bits as hex).
    explicit JobQueue(Limits limits, std::function<std::string()> make_id = {});

    void set_limits(Limits limits) { limits_ = limits; }

    /// Queues a job, or joins a queued one (see above). Error (http_status 503) when the queue is full.
    Expected<Submitted> submit(JobSpec spec, Clock::time_point now);

    /// Marks every job that may run now as running (in arrival order) and returns them.
    std::vector<JobPtr> start_runnable(Clock::time_point now);

    /// A running job ended; its servers become free.
    void finish(const JobPtr& job, JobState state, Clock::time_point now);

    /// Every queued job becomes cancelled (shutdown); returns them.
    std::vector<JobPtr> cancel_queued(Clock::time_point now);

    /// The job with this id (queued, running or kept), or nullptr.
    JobPtr find(const std::string& id) const;

    /// Drops finished jobs older than the retention or beyond the history bound.
    void expire(Clock::time_point now);

    std::size_t queued() const { return queue_.size(); }
    std::size_t running() const { return running_.size(); }
    std::size_t kept() const { return history_.size(); }

private:
    static bool conflict(const JobSpec& a, const JobSpec& b);

    Limits limits_;
    std::function<std::string()> make_id_;
    std::deque<JobPtr> queue_;              ///< arrival order
    std::vector<JobPtr> running_;
    std::deque<JobPtr> history_;            ///< finished, oldest first
    std::map<std::string, JobPtr> by_id_;   ///< every job above
};

/// 32 hex characters from a random device.
std::string random_job_id();

}  // namespace nds::daemon
