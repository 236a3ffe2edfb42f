// The project's error codes: one std::error_code category for every failure an outside system can cause.
// Code that decides (retry? split the batch? delete nothing?) tests the code; the message is for people.
#pragma once

#include <string>
#include <system_error>

namespace nds {

enum class errc {
    transport = 1,     ///< no answer at all: connect, TLS, reset, timeout after retries
    http_status,       ///< an HTTP answer with an error status (Error::http_status says which)
    malformed,         ///< an answer that could not be parsed (not JSON, wrong shape)
    refused,           ///< the other side understood and refused (a Kea result 1, a failing config test)
    unsupported,       ///< the other side cannot do this (Kea result 2, a PSU script version without it)
    not_found,         ///< the object is not there
    conflict,          ///< someone else changed the object between our read and our write
    cancelled,         ///< the run was stopped before this was done
    command_failed,    ///< a command on a server exited non-zero (dhcpd: config test, start, stop)
    host_key,          ///< an SSH host key unknown or changed
    authentication,    ///< credentials refused
    io,                ///< a local or remote file could not be read or written
    config,            ///< the configuration is not usable
};

const std::error_category& error_category();

inline std::error_code make_error_code(errc value) { return {static_cast<int>(value), error_category()}; }

}  // namespace nds

template <>
struct std::is_error_code_enum<nds::errc> : std::true_type {};
