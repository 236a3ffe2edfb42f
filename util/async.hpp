// Coroutine helpers for results that are not default-constructible (Expected<T> has no "empty" state):
// asio::co_spawn and the awaitable operators hand a default-constructed value to a handler when the
// coroutine throws, so results travel through std::optional here instead.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>

namespace nds {

namespace detail {
template <class T>
boost::asio::awaitable<void> store_result(boost::asio::awaitable<T> operation, std::optional<T>& out) {
    out.emplace(co_await std::move(operation));
}
}  // namespace detail

/// Runs the operations at once and returns all results. When one throws, the others are cancelled (terminal
/// cancellation) and awaited before the exception leaves: nothing outlives the caller's frame.
template <class A, class B>
boost::asio::awaitable<std::tuple<A, B>> when_all(boost::asio::awaitable<A> a, boost::asio::awaitable<B> b) {
    using namespace boost::asio::experimental::awaitable_operators;
    std::optional<A> ra;
    std::optional<B> rb;
    co_await (detail::store_result(std::move(a), ra) && detail::store_result(std::move(b), rb));
    co_return std::tuple<A, B>{std::move(*ra), std::move(*rb)};
}

/// The same for operations without a result.
inline boost::asio::awaitable<void> when_all(boost::asio::awaitable<void> a, boost::asio::awaitable<void> b) {
    using namespace boost::asio::experimental::awaitable_operators;
    co_await (std::move(a) && std::move(b));
}

template <class A, class B, class C>
boost::asio::awaitable<std::tuple<A, B, C>> when_all(boost::asio::awaitable<A> a, boost::asio::awaitable<B> b,
                                                     boost::asio::awaitable<C> c) {
    using namespace boost::asio::experimental::awaitable_operators;
    std::optional<A> ra;
    std::optional<B> rb;
    std::optional<C> rc;
    co_await (detail::store_result(std::move(a), ra) && detail::store_result(std::move(b), rb) &&
              detail::store_result(std::move(c), rc));
    co_return std::tuple<A, B, C>{std::move(*ra), std::move(*rb), std::move(*rc)};
}

/// co_spawn for a result that has no default: `handler(std::exception_ptr, std::optional<T>)` gets either the
/// exception or the value.
template <class Executor, class T, class Handler>
void co_spawn_result(Executor&& executor, boost::asio::awaitable<T> operation, Handler handler) {
    auto result = std::make_shared<std::optional<T>>();
    boost::asio::co_spawn(std::forward<Executor>(executor), detail::store_result(std::move(operation), *result),
                          [result, handler = std::move(handler)](std::exception_ptr error) mutable {
                              handler(error, std::move(*result));
                          });
}

/// Runs `io` until `operation` is done and returns its result; its exception is rethrown. Other work on `io`
/// (a server's accept loop) stays pending for the next run. For main() and tests.
template <class T>
T run_to_completion(boost::asio::io_context& io, boost::asio::awaitable<T> operation) {
    std::optional<T> result;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, detail::store_result(std::move(operation), result), [&](std::exception_ptr error) {
        failure = error;
        io.stop();
    });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*result);
}

}  // namespace nds
