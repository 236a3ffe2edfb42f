// How a run is stopped, with Asio's cancellation (docs/architecture.md, "Stopping"):
//
// - partial cancellation = "the service is stopping": what is in flight finishes (the HTTP request, the
//   NetBox write batch, a DHCP server's transaction); nothing new is started; later writes are reported as
//   skipped with kStoppedReason. It travels down the run's coroutines (the runner, bounded_parallel workers)
//   to the places that check it between batches (stop_requested()).
// - terminal cancellation = "stop now" (service.shutdown_timeout passed, or a second signal): requests in
//   flight are aborted, nothing more is sent.
//
// Every I/O operation (an HTTP exchange, an SSH command, a Redis command) runs in a thread of execution of
// its own that honours terminal cancellation only, so a partial cancellation never cuts a request in half.
//
// Whoever stops a run emits on its signal from outside the run (a signal handler, a lock's renewal loop),
// posted to the executor: with Asio 1.26 an emission made synchronously from inside one of the run's own
// bounded_parallel workers reaches the run but not the workers (seen here; tests/util covers the posted path).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/this_coro.hpp>

namespace nds {

/// The reason given to every action not applied because the run was stopped.
inline constexpr const char* kStoppedReason = "not applied: the service is stopping";

/// Makes the calling coroutine's thread of execution (a run) record partial as well as terminal
/// cancellation and pass both on to the operations it awaits (bounded_parallel's workers, and I/O, which
/// ignores partial), without throwing at the next co_await: the code checks stop_requested() where
/// stopping is safe.
inline boost::asio::awaitable<void> accept_partial_cancellation() {
    namespace asio = boost::asio;
    co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation(),
                                                       asio::enable_partial_cancellation());
    co_await asio::this_coro::throw_if_cancelled(false);
}

/// For a worker of bounded_parallel: records partial cancellation (stop_requested() sees it) but passes only
/// terminal cancellation on to what it awaits, so a timer or a read in a worker is never cut short by a stop.
inline boost::asio::awaitable<void> record_partial_cancellation() {
    namespace asio = boost::asio;
    co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation(),
                                                       asio::enable_terminal_cancellation());
    co_await asio::this_coro::throw_if_cancelled(false);
}

/// True once this thread of execution was cancelled (partially or terminally): start nothing new.
inline boost::asio::awaitable<bool> stop_requested() {
    auto state = co_await boost::asio::this_coro::cancellation_state;
    co_return state.cancelled() != boost::asio::cancellation_type::none;
}

/// True once this thread of execution was cancelled terminally: abandon what is in flight too.
inline boost::asio::awaitable<bool> abort_requested() {
    auto state = co_await boost::asio::this_coro::cancellation_state;
    co_return (state.cancelled() & boost::asio::cancellation_type::terminal) != boost::asio::cancellation_type::none;
}

}  // namespace nds
