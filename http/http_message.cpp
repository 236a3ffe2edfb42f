// Plain HTTP message helpers: case-insensitive header lookup and JSON responses.
#include "http/http_message.hpp"

#include <cctype>

namespace nds::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string_view find_header(const Headers& headers, std::string_view name) {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

}  // namespace

std::string_view Request::header(std::string_view name) const { return find_header(headers, name); }

std::string_view Response::header(std::string_view name) const { return find_header(headers, name); }

Response json_response(unsigned status, std::string body) {
    Response res;
    res.status = status;
    res.headers.emplace_back("Content-Type", "application/json");
    res.body = std::move(body);
    return res;
}

}  // namespace nds::http
