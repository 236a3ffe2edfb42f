// A value or an error. Every call to the outside (NetBox, a DHCP server, a file, a command) returns one:
// transport failures, HTTP errors, refused commands and parse errors all end up as an Error that carries a
// typed code (util/error.hpp, for decisions) and a complete message naming what failed (for people).
#pragma once

#include "util/error.hpp"

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace nds {

struct Error {
    std::error_code code;  ///< what kind of failure (errc below); decisions read this, never the message
    int http_status = 0;   ///< the HTTP status when a response was received, else 0
    std::string message;   ///< complete, human readable ("GET https://.../leases?scope_id=10.0.1.0: HTTP 500: ...")

    Error(std::error_code error_code, std::string text, int status = 0)
        : code(error_code), http_status(status), message(std::move(text)) {}
    /// An HTTP answer (status > 0: errc::http_status) or a failure without one (0: errc::transport).
    Error(int status, std::string text)
        : code(make_error_code(status > 0 ? errc::http_status : errc::transport)), http_status(status),
          message(std::move(text)) {}

    bool is(errc value) const { return code == make_error_code(value); }
};

template <class T>
class Expected {
public:
    Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Expected(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { check(); return std::get<0>(state_); }
    const T& value() const& { check(); return std::get<0>(state_); }
    T&& value() && { check(); return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
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
