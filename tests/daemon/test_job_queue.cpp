#include "daemon/job_queue.hpp"

#include <doctest/doctest.h>

using namespace nds::daemon;
using namespace std::chrono_literals;

namespace {

JobSpec spec(std::vector<std::string> servers, std::string token = "", JobOrigin origin = JobOrigin::api) {
    JobSpec s;
    s.servers = std::move(servers);
    s.token = std::move(token);
    s.origin = origin;
    return s;
}

std::function<std::string()> counter_ids() {
    auto n = std::make_shared<int>(0);
    return [n] { return "job" + std::to_string(++*n); };
}

std::vector<std::string> ids(const std::vector<JobPtr>& jobs) {
    std::vector<std::string> out;
    for (const auto& j : jobs) out.push_back(j->id());
    return out;
}

const auto t0 = Job::Clock::time_point(std::chrono::hours(1000));

}  // namespace

TEST_CASE("job queue: jobs on different servers run in parallel, one job per server at a time") {
    JobQueue queue({}, counter_ids());
    auto a = queue.submit(spec({"dhcp01"}, "alice"), t0);
    auto b = queue.submit(spec({"dhcp02"}, "bob"), t0);
    auto c = queue.submit(spec({"dhcp01", "dhcp03"}, "carol"), t0);
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
    CHECK(ids(queue.start_runnable(t0)) == std::vector<std::string>{"job1", "job2"});
    CHECK(a->job->state() == JobState::running);
    CHECK(c->job->state() == JobState::queued);
    CHECK(queue.start_runnable(t0).empty());  // dhcp01 busy
    queue.finish(a->job, JobState::succeeded, t0 + 1s);
    CHECK(ids(queue.start_runnable(t0 + 1s)) == std::vector<std::string>{"job3"});
    CHECK(queue.running() == 2);
    CHECK(queue.queued() == 0);
}

TEST_CASE("job queue: a job for all servers conflicts with everything, order is kept") {
    JobQueue queue({}, counter_ids());
    auto one = queue.submit(spec({"dhcp01"}, "alice"), t0);
    auto all = queue.submit(spec({}, ""), t0);
    auto two = queue.submit(spec({"dhcp02"}, "bob"), t0);
    // dhcp02 does not conflict with the running dhcp01 job, but it must not overtake the queued "all" job.
    CHECK(ids(queue.start_runnable(t0)) == std::vector<std::string>{"job1"});
    queue.finish(one->job, JobState::succeeded, t0);
    CHECK(ids(queue.start_runnable(t0)) == std::vector<std::string>{"job2"});
    CHECK(queue.start_runnable(t0).empty());
    queue.finish(all->job, JobState::succeeded, t0);
    CHECK(ids(queue.start_runnable(t0)) == std::vector<std::string>{"job3"});
    (void)two;
}

TEST_CASE("job queue: requests for a busy server coalesce into one follow-up run") {
    JobQueue queue({}, counter_ids());
    auto running = queue.submit(spec({"dhcp01"}, "", JobOrigin::webhook), t0);
    queue.start_runnable(t0);
    auto first = queue.submit(spec({"dhcp01"}, "", JobOrigin::webhook), t0);
    auto second = queue.submit(spec({"dhcp01"}, "", JobOrigin::webhook), t0);
    auto third = queue.submit(spec({"dhcp02", "dhcp01"}, "", JobOrigin::webhook), t0);
    REQUIRE(first);
    REQUIRE(second);
    REQUIRE(third);
    CHECK_FALSE(first->coalesced);
    CHECK(second->coalesced);
    CHECK(third->coalesced);
    CHECK(second->job == first->job);
    CHECK(third->job == first->job);
    CHECK(first->job->requests() == 3);
    CHECK(first->job->spec().servers == std::vector<std::string>{"dhcp01", "dhcp02"});
    CHECK(queue.queued() == 1);
    // A scheduled full run (same service token) absorbs it: "all".
    auto scheduled = queue.submit(spec({}, "", JobOrigin::schedule), t0);
    CHECK(scheduled->coalesced);
    CHECK(first->job->spec().all_servers());
    queue.finish(running->job, JobState::succeeded, t0);
    CHECK(queue.start_runnable(t0).size() == 1);
}

TEST_CASE("job queue: only the same token, action and dry_run coalesce, running jobs never absorb requests") {
    JobQueue queue({}, counter_ids());
    auto running = queue.submit(spec({"dhcp01"}, "alice"), t0);
    queue.start_runnable(t0);
    auto again = queue.submit(spec({"dhcp01"}, "alice"), t0);
    CHECK_FALSE(again->coalesced);  // the running job does not take it: it may have read dhcp01 already
    auto bob = queue.submit(spec({"dhcp01"}, "bob"), t0);
    CHECK_FALSE(bob->coalesced);
    auto dry = spec({"dhcp01"}, "alice");
    dry.dry_run = true;
    CHECK_FALSE(queue.submit(dry, t0)->coalesced);
    auto import = spec({"dhcp01"}, "alice");
    import.action = "import";
    CHECK_FALSE(queue.submit(import, t0)->coalesced);
    CHECK(queue.submit(spec({"dhcp01"}, "alice"), t0)->coalesced);
    CHECK(queue.queued() == 4);
    (void)running;
}

TEST_CASE("job queue: the queue is bounded") {
    JobQueue::Limits limits;
    limits.max_queued = 2;
    JobQueue queue(limits, counter_ids());
    REQUIRE(queue.submit(spec({"a"}, "1"), t0));
    REQUIRE(queue.submit(spec({"b"}, "2"), t0));
    auto full = queue.submit(spec({"c"}, "3"), t0);
    REQUIRE_FALSE(full);
    CHECK(full.error().http_status == 503);
    // Joining a queued job is still possible.
    CHECK(queue.submit(spec({"c"}, "1"), t0)->coalesced);
}

TEST_CASE("job queue: finished jobs are kept for the retention time and up to the history bound") {
    JobQueue::Limits limits;
    limits.history = 2;
    limits.retention = 10min;
    JobQueue queue(limits, counter_ids());
    std::vector<JobPtr> jobs;
    for (int i = 0; i < 3; ++i) {
        auto s = queue.submit(spec({"s" + std::to_string(i)}, "t" + std::to_string(i)), t0);
        jobs.push_back(s->job);
    }
    queue.start_runnable(t0);
    queue.finish(jobs[0], JobState::succeeded, t0);
    queue.finish(jobs[1], JobState::failed, t0 + 1min);
    CHECK(queue.find("job1"));
    queue.finish(jobs[2], JobState::succeeded, t0 + 2min);
    CHECK_FALSE(queue.find("job1"));  // beyond the history bound
    CHECK(queue.find("job2"));
    CHECK(queue.find("job3"));
    queue.expire(t0 + 11min + 30s);
    CHECK_FALSE(queue.find("job2"));  // older than the retention
    CHECK(queue.find("job3"));
    queue.expire(t0 + 13min);
    CHECK_FALSE(queue.find("job3"));
    CHECK(queue.kept() == 0);
}

TEST_CASE("job queue: shutdown cancels what is queued, running jobs stay") {
    JobQueue queue({}, counter_ids());
    auto a = queue.submit(spec({"dhcp01"}, "x"), t0);
    queue.start_runnable(t0);
    auto b = queue.submit(spec({"dhcp01"}, "y"), t0);
    auto cancelled = queue.cancel_queued(t0);
    REQUIRE(cancelled.size() == 1);
    CHECK(cancelled[0] == b->job);
    CHECK(b->job->state() == JobState::cancelled);
    CHECK(a->job->state() == JobState::running);
    CHECK(queue.queued() == 0);
    CHECK(queue.find(b->job->id()));
}

TEST_CASE("job queue: random ids are 32 hex characters and differ") {
    auto a = random_job_id();
    auto b = random_job_id();
    CHECK(a.size() == 32);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(a != b);
}
