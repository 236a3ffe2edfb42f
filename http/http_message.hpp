// Plain HTTP request/response values shared by the client, the server and every caller. No Beast here:
// code that only builds or reads messages must not pay for Beast's compile time.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nds::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method = "GET";   ///< "GET", "POST", "PUT", "PATCH", "DELETE"
    std::string target = "/";     ///< path plus query, e.g. "/api/ipam/ip-addresses/?limit=1000"
    Headers headers;
    std::string body;
    /// The client's address as the server saw it ("127.0.0.1"); "" for requests not received by http::Server.
    std::string remote_address;

    /// First header with this name (case-insensitive), or "".
    std::string_view header(std::string_view name) const;
};

struct Response {
    unsigned status = 0;
    Headers headers;
    std::string body;

    std::string_view header(std::string_view name) const;
    bool ok() const { return status >= 200 && status < 300; }
};

/// A JSON response, for handlers.
Response json_response(unsigned status, std::string body);

}  // namespace nds::http
