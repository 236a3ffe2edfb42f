// PSU client: the I/O half. JSON parsing and body building are sans-IO (psu_json); this file sends the
// requests of the plugin's behaviour and turns statuses into Errors.
#include "psu_client/psu_client.hpp"

#include "http/url.hpp"
#include "psu_client/psu_json.hpp"

#include <cctype>
#include <exception>

namespace nds::psu {
namespace asio = boost::asio;
namespace codec = json_codec;
using asio::awaitable;

namespace {

std::string trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return std::string(text);
}

/// The body text for an error message: at most 300 characters, never cutting a UTF-8 sequence.
std::string body_excerpt(std::string_view body) {
    std::string t = trim(body);
    if (t.size() <= 300) return t;
    std::size_t cut = 300;
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
    return t.substr(0, cut) + "...";
}

}  // namespace

struct PsuClient::Impl {
    PsuOptions options;
    std::string token;
    std::string origin;
    std::string api;           ///< path prefix + "/api/dhcp/"
    std::string config_error;
    std::unique_ptr<http::Client> http;

    Impl(asio::any_io_executor executor, PsuOptions opts) : options(std::move(opts)) {
        token = trim(options.token);
        auto url = http::Url::parse(options.base_url);
        if (!url) {
            config_error = options.server_name + ": PSU URL '" + options.base_url + "' is not an http(s) URL";
            return;
        }
        origin = url->origin();
        std::string path = http::Target::parse(url->target).path;
        while (!path.empty() && path.back() == '/') path.pop_back();
        api = path + "/api/dhcp/";
        try {
            http = std::make_unique<http::Client>(std::move(executor), options.base_url, options.http);
        } catch (const std::exception& e) {
            // e.g. an unreadable CA file: every call reports it instead of the constructor throwing.
            config_error = options.server_name + ": PSU client for " + origin + " cannot be set up: " + e.what();
        }
    }

    std::string target(std::string_view endpoint, const http::QueryParams& params = {}) const {
        return http::make_target(api + std::string(endpoint), params);
    }
    /// "<endpoint>?scope_id=<id>". (A helper rather than braced lists inside co_await expressions, which
    /// GCC 12 miscompiles.)
    std::string scope_target(std::string_view endpoint, engine::Ipv4Address scope_id) const {
        http::QueryParams params;
        params.emplace_back("scope_id", scope_id.to_string());
        return target(endpoint, params);
    }

    codec::Source source(const std::string& method, const std::string& target, std::string scope = {}) const {
        return codec::Source{options.server_name, method + " " + origin + target, std::move(scope)};
    }

    /// Sends and checks the status: 2xx -> the response; else Error "<METHOD> <url> returned HTTP <code>: <body>".
    awaitable<Expected<http::Response>> send(std::string method, std::string target, std::string body = {}) {
        if (!http) co_return Error{make_error_code(errc::config), config_error};
        http::Request request;
        request.method = method;
        request.target = target;
        if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
        request.headers.emplace_back("Accept", "application/json");
        request.headers.emplace_back("Content-Type", "application/json");
        request.body = std::move(body);
        auto response = co_await http->send(std::move(request));
        std::string url = origin + target;
        if (!response)  // the transport's message already names the method and URL
            co_return Error{response.error().http_status, options.server_name + ": " + response.error().message};
        if (!response->ok())
            co_return Error{static_cast<int>(response->status), method + " " + url + " returned HTTP " +
                                                                   std::to_string(response->status) + ": " +
                                                                   body_excerpt(response->body)};
        co_return response;
    }

    template <class Parse>
    auto get_list(std::string target, std::string scope, Parse parse) -> awaitable<decltype(parse(std::string_view{}, codec::Source{}))> {
        auto response = co_await send("GET", target);
        if (!response) co_return response.error();
        co_return parse(response->body, source("GET", target, std::move(scope)));
    }

    /// A write: 204 is done; any other 2xx must carry JSON (the written object).
    awaitable<Expected<Done>> write(std::string method, std::string target, std::string body) {
        auto response = co_await send(method, target, std::move(body));
        if (!response) co_return response.error();
        if (response->status == 204) co_return Done{};
        co_return codec::check_json(response->body, source(method, target));
    }
};

PsuClient::PsuClient(asio::any_io_executor executor, PsuOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {}

PsuClient::~PsuClient() = default;

const std::string& PsuClient::server_name() const { return impl_->options.server_name; }

awaitable<Expected<Health>> PsuClient::health() {
    auto target = impl_->target("health");
    auto response = co_await impl_->send("GET", target);
    if (!response) co_return response.error();
    co_return codec::parse_health(response->body, impl_->source("GET", target));
}

awaitable<Expected<Done>> PsuClient::check_write_access() {
    co_return co_await impl_->write("POST", impl_->target("health"), "{}");
}

awaitable<Expected<ParsedList<engine::DhcpScope>>> PsuClient::list_scopes(bool active_only) {
    http::QueryParams params;
    if (active_only) params.emplace_back("active_only", "true");
    co_return co_await impl_->get_list(impl_->target("scopes", params), "", codec::parse_scopes);
}

awaitable<Expected<ParsedList<engine::DhcpLease>>> PsuClient::list_leases(engine::Ipv4Address scope_id) {
    co_return co_await impl_->get_list(impl_->scope_target("leases", scope_id), scope_id.to_string(),
                                       codec::parse_leases);
}

awaitable<Expected<ParsedList<engine::DhcpReservation>>> PsuClient::list_reservations(engine::Ipv4Address scope_id) {
    co_return co_await impl_->get_list(impl_->scope_target("reservations", scope_id),
                                       scope_id.to_string(), codec::parse_reservations);
}

awaitable<Expected<ParsedList<engine::DhcpReservation>>> PsuClient::list_all_reservations() {
    co_return co_await impl_->get_list(impl_->target("reservations"), "", codec::parse_reservations);
}

awaitable<Expected<ParsedList<engine::DhcpExclusion>>> PsuClient::list_exclusions(engine::Ipv4Address scope_id) {
    co_return co_await impl_->get_list(impl_->scope_target("exclusions", scope_id),
                                       scope_id.to_string(), codec::parse_exclusions);
}

awaitable<Expected<ParsedList<Failover>>> PsuClient::list_failovers() {
    co_return co_await impl_->get_list(impl_->target("failover"), "", codec::parse_failovers);
}

awaitable<Expected<ParsedList<OptionValue>>> PsuClient::list_scope_options(engine::Ipv4Address scope_id) {
    co_return co_await impl_->get_list(impl_->target("options/scope/" + scope_id.to_string()), scope_id.to_string(),
                                       codec::parse_options);
}

// The write methods take references but are not coroutines themselves: they build the target and body
// right away and return the coroutine of Impl::write, which owns copies. So a caller may pass temporaries
// and co_await the result later.

awaitable<Expected<Done>> PsuClient::create_scope(const engine::DhcpScope& scope) {
    return impl_->write("POST", impl_->target("scopes"), codec::scope_create_body(scope));
}

awaitable<Expected<Done>> PsuClient::update_scope(const engine::DhcpScope& scope) {
    return impl_->write("PUT", impl_->target("scopes/" + scope.scope_id.to_string()), codec::scope_update_body(scope));
}

awaitable<Expected<Done>> PsuClient::create_reservation(engine::Ipv4Address scope_id, const engine::DhcpReservation& reservation) {
    return impl_->write("POST", impl_->target("reservations"), codec::reservation_create_body(scope_id, reservation));
}

awaitable<Expected<Done>> PsuClient::update_reservation(const engine::DhcpReservation& reservation) {
    return impl_->write("PUT", impl_->target("reservations/" + http::percent_encode(reservation.client_id)),
                        codec::reservation_update_body(reservation));
}

awaitable<Expected<Done>> PsuClient::delete_reservation(const std::string& client_id) {
    return impl_->write("DELETE", impl_->target("reservations/" + http::percent_encode(client_id)), {});
}

awaitable<Expected<Done>> PsuClient::create_exclusion(engine::Ipv4Address scope_id, const engine::DhcpExclusion& exclusion) {
    return impl_->write("POST", impl_->target("exclusions"), codec::exclusion_body(scope_id, exclusion));
}

awaitable<Expected<Done>> PsuClient::delete_exclusion(engine::Ipv4Address scope_id, const engine::DhcpExclusion& exclusion) {
    return impl_->write("DELETE", impl_->target("exclusions"), codec::exclusion_body(scope_id, exclusion));
}

}  // namespace nds::psu
