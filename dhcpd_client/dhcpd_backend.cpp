// The Asio side of the dhcpd backend: each DhcpBackend call becomes one job on the backend's SSH thread
// (DhcpdServer, blocking libssh), and the coroutine waits for its result without blocking the event loop.
// The job's result comes back through the caller's executor; the caller's cancellation reaches the job as a
// CancelState (partial: finish the push in flight; terminal: back out at the next step).
#include "dhcpd_client/dhcpd_backend.hpp"

#include "dhcpd_client/dhcpd_server.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace nds::dhcpd {
namespace {

namespace asio = boost::asio;

/// One thread running jobs in order. Jobs are bounded by the SSH and command timeouts, so the destructor's
/// join ends.
class BlockingWorker {
public:
    BlockingWorker() : thread_([this] { run(); }) {}
    ~BlockingWorker() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }

    void post(std::function<void()> job) {
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back(std::move(job));
        }
        cv_.notify_one();
    }

private:
    void run() {
        while (true) {
            std::function<void()> job;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
                if (jobs_.empty()) return;  // stop_ and nothing left
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            job();
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false;
    std::thread thread_;
};

template <class T>
struct JobState {
    std::optional<T> result;
    std::exception_ptr failure;
    CancelState cancel;
};

template <class T>
using JobResult = std::shared_ptr<JobState<T>>;

/// Starts `job(cancel)` on the worker; the awaitable completes on the caller's executor with the job's state.
/// A plain function, not a coroutine: the lambdas and the job are temporaries of this function, never of a
/// co_await expression (GCC 12 mishandles temporaries with destructors there; the first version of this code
/// lost its result that way).
template <class T, class Job>
asio::awaitable<JobResult<T>> start_job(BlockingWorker& worker, asio::any_io_executor executor, Job job) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(JobResult<T>)>(
        [&worker, executor](auto handler, Job job) {
            auto state = std::make_shared<JobState<T>>();
            auto slot = asio::get_associated_cancellation_slot(handler);
            if (slot.is_connected())
                slot.assign([state](asio::cancellation_type type) {
                    if ((type & asio::cancellation_type::terminal) != asio::cancellation_type::none) state->cancel.request_terminal();
                    else state->cancel.request_partial();
                });
            auto handler_executor = asio::get_associated_executor(handler, executor);
            auto work = asio::make_work_guard(handler_executor);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            worker.post([state, job = std::move(job), shared, work]() mutable {
                try {
                    state->result.emplace(job(state->cancel));
                } catch (...) {
                    state->failure = std::current_exception();
                }
                asio::post(work.get_executor(), [shared, state]() mutable {
                    asio::get_associated_cancellation_slot(*shared).clear();
                    (*shared)(std::move(state));
                });
            });
        },
        asio::use_awaitable, std::move(job));
}

class DhcpdBackend final : public backend::DhcpBackend {
public:
    DhcpdBackend(asio::any_io_executor executor, DhcpdOptions options, backend::ServerContext context)
        : executor_(std::move(executor)), name_(context.server.name),
          endpoint_("ssh://" + options.ssh.user + "@" + options.ssh.host + ":" + std::to_string(options.ssh.port)),
          server_(std::make_unique<DhcpdServer>(std::move(options), std::move(context))) {}

    ~DhcpdBackend() override {
        // The worker finishes its queue (bounded by the timeouts) before the server it uses goes away.
        worker_.reset();
    }

    const std::string& server_name() const override { return name_; }
    std::string endpoint() const override { return endpoint_; }

    // Each call names its job before awaiting it: no lambda is a temporary of a co_await expression.
    backend::Awaitable<Expected<backend::BackendHealth>> health() override {
        const Job<Expected<backend::BackendHealth>> job = [this](const CancelState&) { return server_->health(); };
        co_return co_await run(job);
    }

    engine::BackendCapabilities capabilities() const override { return DhcpdServer::capabilities(); }

    backend::Awaitable<Expected<engine::ParsedList<engine::DhcpScope>>> list_scopes(bool active_only) override {
        const Job<Expected<engine::ParsedList<engine::DhcpScope>>> job = [this, active_only](const CancelState&) {
            return server_->list_scopes(active_only);
        };
        co_return co_await run(job);
    }

    backend::Awaitable<backend::ScopeRead> read_scope(engine::ScopeReadRequest request) override {
        const Job<backend::ScopeRead> job = [this, request](const CancelState&) { return server_->read_scope(request); };
        co_return co_await run(job);
    }

    backend::Awaitable<Expected<engine::ParsedList<engine::DhcpReservation>>> list_all_reservations() override {
        const Job<Expected<engine::ParsedList<engine::DhcpReservation>>> job = [this](const CancelState&) {
            return server_->list_all_reservations();
        };
        co_return co_await run(job);
    }

    backend::Awaitable<Expected<engine::ParsedList<engine::DhcpFailover>>> list_failovers() override {
        const Job<Expected<engine::ParsedList<engine::DhcpFailover>>> job = [this](const CancelState&) {
            return server_->list_failovers();
        };
        co_return co_await run(job);
    }

    backend::Awaitable<Expected<engine::ParsedList<engine::DhcpOptionValue>>> list_scope_options(engine::Ipv4Address scope_id) override {
        const Job<Expected<engine::ParsedList<engine::DhcpOptionValue>>> job = [this, scope_id](const CancelState&) {
            return server_->list_scope_options(scope_id);
        };
        co_return co_await run(job);
    }

    backend::Awaitable<backend::ApplyResult> apply(std::vector<engine::DhcpWrite> writes) override {
        // Partial cancellation must reach the job (it then finishes the push in flight), and the result must
        // come back even when the run was cancelled meanwhile.
        co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
        co_await asio::this_coro::throw_if_cancelled(false);
        // The job owns the writes: it must not depend on this frame, which an event loop that shuts down destroys.
        auto owned = std::make_shared<const std::vector<engine::DhcpWrite>>(std::move(writes));
        const Job<backend::ApplyResult> job = [this, owned](const CancelState& cancel) { return server_->apply(*owned, cancel); };
        co_return co_await run(job);
    }

    backend::Awaitable<Expected<std::string>> preview(std::vector<engine::DhcpWrite> writes) override {
        auto owned = std::make_shared<const std::vector<engine::DhcpWrite>>(std::move(writes));
        const Job<Expected<std::string>> job = [this, owned](const CancelState&) { return server_->preview(*owned); };
        co_return co_await run(job);
    }

private:
    template <class T>
    using Job = std::function<T(const CancelState&)>;

    /// The job on the SSH thread; the caller's executor gets the result. `job` lives in the caller's frame,
    /// which waits for this one.
    template <class T>
    asio::awaitable<T> run(const Job<T>& job) {
        auto executor = co_await asio::this_coro::executor;
        auto started = start_job<T>(*worker_, executor, job);
        JobResult<T> done = co_await std::move(started);
        if (done->failure) std::rethrow_exception(done->failure);
        co_return std::move(*done->result);
    }

    asio::any_io_executor executor_;
    std::string name_;
    std::string endpoint_;
    std::unique_ptr<DhcpdServer> server_;
    std::unique_ptr<BlockingWorker> worker_ = std::make_unique<BlockingWorker>();
};

}  // namespace

std::unique_ptr<backend::DhcpBackend> make_dhcpd_backend(asio::any_io_executor executor, DhcpdOptions options,
                                                         backend::ServerContext context) {
    return std::make_unique<DhcpdBackend>(std::move(executor), std::move(options), std::move(context));
}

}  // namespace nds::dhcpd
