// A value or an error message. Used for every call to the outside (NetBox, PSU): transport failures,
// HTTP errors and parse errors all end up as an Error that names what failed.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace nds {

struct Error {
    int http_status = 0;   ///< 0 when no HTTP response was received (connect, TLS, timeout)
    std::string message;   ///< complete, human readable ("GET https://.../leases?scope_id=10.0.1.0: HTTP 500: ...")
};

template <class T>
class Expected {
public:
    /// An error ("no value"). Exists because asio::co_spawn needs a default-constructible result type for
    /// awaitable<Expected<T>>; do not rely on it otherwise.
    Expected() : state_(std::in_place_index<1>, Error{0, "no value"}) {}
    Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Expected(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { check(); return std::get<0>(state_); }
    const T& value() const& { check(); return std::get<0>(state_); }
    T&& value() && { check(); return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(state_); }

private:
    void check() const {
        if (!has_value()) throw std::logic_error("Expected holds an error: " + std::get<1>(state_).message);
    }
    std::variant<T, Error> state_;
};

/// For calls that return nothing on success.
struct Done {};

}  // namespace nds
