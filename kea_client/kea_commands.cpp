#include "kea_client/kea_commands.hpp"

#include "sync_engine/client_id.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <ctime>

namespace nds::kea {
namespace {

/// At most 300 characters of a text for a message, never cutting a UTF-8 sequence.
std::string excerpt(std::string_view text) {
    if (text.size() <= 300) return std::string(text);
    std::size_t cut = 300;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "...";
}

Error malformed(const CommandContext& context, const std::string& why) {
    return Error{make_error_code(errc::malformed), context.what() + ": " + why};
}

const json::value* member(const json::object& object, std::string_view key) { return object.if_contains(key); }

std::string string_member(const json::object& object, std::string_view key) {
    const json::value* v = member(object, key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<std::int64_t> integer_member(const json::object& object, std::string_view key) {
    const json::value* v = member(object, key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
}

bool bool_member(const json::object& object, std::string_view key) {
    const json::value* v = member(object, key);
    return v && v->is_bool() && v->get_bool();
}

std::string utc_timestamp(std::int64_t seconds) {
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    if (!::gmtime_r(&t, &tm)) return {};
    char buffer[32];
    if (std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return {};
    return buffer;
}

/// Kea's answer text after the name of the command ("config-test: Kea said ...").
std::string kea_said(const KeaAnswer& answer) {
    return "Kea answered result " + std::to_string(answer.result) +
           (answer.text.empty() ? std::string() : ": " + excerpt(answer.text));
}

/// States that need a person: the pair is not serving as configured, and will not get there by itself.
/// The transitional ones (waiting, syncing, ready, communication-recovery) follow every restart and every
/// config-set (which reloads the ha hook), so they are not reported.
bool troubled_ha_state(std::string_view state) {
    return state == "terminated" || state == "in-maintenance" || state == "partner-in-maintenance" ||
           state == "partner-down";
}

}  // namespace

std::string CommandContext::what() const {
    return server + ": Kea " + command + (endpoint.empty() ? std::string() : " (" + endpoint + ")");
}

std::string command_body(std::string_view command, std::string_view service, const json::object* arguments) {
    json::object body;
    body["command"] = command;
    if (!service.empty()) body["service"] = json::array{json::string(service)};
    if (arguments) body["arguments"] = *arguments;
    return json::serialize(body);
}

std::string basic_authorization(std::string_view user, std::string_view password) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string plain = std::string(user) + ":" + std::string(password);
    std::string out;
    out.reserve((plain.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < plain.size(); i += 3) {
        std::uint32_t chunk = static_cast<unsigned char>(plain[i]) << 16;
        if (i + 1 < plain.size()) chunk |= static_cast<unsigned char>(plain[i + 1]) << 8;
        if (i + 2 < plain.size()) chunk |= static_cast<unsigned char>(plain[i + 2]);
        out += alphabet[(chunk >> 18) & 63];
        out += alphabet[(chunk >> 12) & 63];
        out += i + 1 < plain.size() ? alphabet[(chunk >> 6) & 63] : '=';
        out += i + 2 < plain.size() ? alphabet[chunk & 63] : '=';
    }
    return "Basic " + out;
}

Expected<KeaAnswer> parse_answer(const CommandContext& context, unsigned http_status, std::string_view body) {
    boost::system::error_code ec;
    json::value parsed = json::parse(body, ec);
    if (http_status < 200 || http_status >= 300) {
        // The Control Agent refuses with one object: {"result": 401, "text": "Unauthorized"}.
        std::string text = excerpt(body);
        if (!ec && parsed.is_object()) {
            auto t = string_member(parsed.get_object(), "text");
            if (!t.empty()) text = t;
        }
        std::string message = context.what() + ": HTTP " + std::to_string(http_status) + (text.empty() ? "" : ": " + text);
        if (http_status == 401 || http_status == 403)
            return Error{make_error_code(errc::authentication), message + " (check username and password)",
                         static_cast<int>(http_status)};
        return Error{make_error_code(errc::http_status), message, static_cast<int>(http_status)};
    }
    if (ec) return malformed(context, "the answer is not JSON (" + ec.message() + "): " + excerpt(body));
    if (!parsed.is_array())
        return malformed(context, "the answer is not a JSON array (one element per service): " + excerpt(body));
    const auto& list = parsed.get_array();
    if (list.empty()) return malformed(context, "the answer is an empty array");
    if (!list[0].is_object()) return malformed(context, "the answer's first element is not an object");
    const auto& first = list[0].get_object();
    auto result = integer_member(first, "result");
    if (!result) return malformed(context, "the answer has no integer \"result\": " + excerpt(body));
    KeaAnswer answer;
    answer.result = static_cast<int>(*result);
    answer.text = string_member(first, "text");
    if (const json::value* args = member(first, "arguments")) answer.arguments = *args;
    return answer;
}

Expected<json::value> expect_result(const CommandContext& context, const KeaAnswer& answer, bool empty_ok) {
    switch (answer.result) {
    case static_cast<int>(KeaResult::success):
        return answer.arguments;
    case static_cast<int>(KeaResult::empty):
        if (empty_ok) return answer.arguments;
        return Error{make_error_code(errc::not_found), context.what() + ": " + kea_said(answer)};
    case static_cast<int>(KeaResult::error):
        return Error{make_error_code(errc::refused), context.what() + ": " + kea_said(answer)};
    case static_cast<int>(KeaResult::unsupported):
        return Error{make_error_code(errc::unsupported),
                     context.what() + ": " + kea_said(answer) + " (is the hook library that provides it loaded?)"};
    default:
        return malformed(context, "unknown result code: " + kea_said(answer));
    }
}

Expected<std::set<std::string>> parse_command_list(const CommandContext& context, const json::value& arguments) {
    if (!arguments.is_array()) return malformed(context, "\"arguments\" is not a list of command names");
    std::set<std::string> out;
    for (const auto& v : arguments.get_array())
        if (v.is_string()) out.emplace(v.get_string());
    return out;
}

Expected<std::vector<HaLocalStatus>> parse_ha_status(const CommandContext& context, const json::value& arguments) {
    std::vector<HaLocalStatus> out;
    if (!arguments.is_object()) return malformed(context, "\"arguments\" is not an object");
    const json::value* ha = member(arguments.get_object(), "high-availability");
    if (!ha) return out;
    if (!ha->is_array()) return malformed(context, "\"high-availability\" is not a list");
    for (const auto& rel : ha->get_array()) {
        if (!rel.is_object()) return malformed(context, "a \"high-availability\" entry is not an object");
        const auto& r = rel.get_object();
        HaLocalStatus s;
        s.mode = string_member(r, "ha-mode");
        const json::value* servers = member(r, "ha-servers");
        if (servers && servers->is_object()) {
            const auto& sv = servers->get_object();
            if (const json::value* local = member(sv, "local"); local && local->is_object()) {
                s.role = string_member(local->get_object(), "role");
                s.state = string_member(local->get_object(), "state");
            }
            if (const json::value* remote = member(sv, "remote"); remote && remote->is_object()) {
                const auto& rm = remote->get_object();
                s.has_remote = true;
                s.remote_role = string_member(rm, "role");
                s.remote_last_state = string_member(rm, "last-state");
                s.remote_in_touch = bool_member(rm, "in-touch");
                s.communication_interrupted = bool_member(rm, "communication-interrupted");
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::string> ha_warnings(const std::string& server, const std::vector<HaLocalStatus>& relationships) {
    std::vector<std::string> out;
    for (const auto& r : relationships) {
        std::string prefix = server + ": Kea HA (" + r.mode + ", this server " + r.role + "): ";
        if (r.state == "partner-down")
            out.push_back(prefix + "this server reports its partner (" + r.remote_role +
                          ") DOWN and serves all clients alone (state partner-down); changes pushed now reach this "
                          "server only");
        else if (troubled_ha_state(r.state))
            out.push_back(prefix + "state '" + r.state + "' (not serving as configured; see Kea's HA states)");
        if (r.has_remote && r.communication_interrupted && r.state != "partner-down")
            out.push_back(prefix + "communication with the partner (" + r.remote_role + ") is interrupted");
        else if (r.has_remote && r.remote_in_touch && troubled_ha_state(r.remote_last_state) && r.state != "partner-down")
            out.push_back(prefix + "the partner (" + r.remote_role + ") reports state '" + r.remote_last_state + "'");
    }
    return out;
}

bool partner_down(const std::vector<HaLocalStatus>& relationships) {
    for (const auto& r : relationships)
        if (r.state == "partner-down" || (r.has_remote && r.communication_interrupted)) return true;
    return false;
}

json::object lease_page_arguments(std::optional<engine::Ipv4Address> from, std::size_t limit) {
    json::object args;
    args["from"] = from ? from->to_string() : std::string("start");
    args["limit"] = static_cast<std::uint64_t>(limit);
    return args;
}

json::object lease_get_all_arguments(std::int64_t subnet_id) {
    json::object args;
    args["subnets"] = json::array{subnet_id};
    return args;
}

Expected<LeaseBatch> parse_leases(const CommandContext& context, const json::value& arguments) {
    LeaseBatch out;
    if (arguments.is_null()) return out;  // result 3 may come without arguments
    if (!arguments.is_object()) return malformed(context, "\"arguments\" is not an object");
    const json::value* leases = member(arguments.get_object(), "leases");
    if (!leases) return out;
    if (!leases->is_array()) return malformed(context, "\"leases\" is not a list");
    for (const auto& record : leases->get_array()) {
        ++out.records;
        if (!record.is_object()) {
            out.problems.push_back({std::nullopt, "a lease record is not an object: " + excerpt(json::serialize(record))});
            continue;
        }
        const auto& r = record.get_object();
        std::string ip_text = string_member(r, "ip-address");
        auto ip = engine::Ipv4Address::parse(ip_text);
        auto subnet_id = integer_member(r, "subnet-id");
        if (!ip) {
            out.problems.push_back({subnet_id, "lease ip-address '" + ip_text + "' is not an IPv4 address"});
            continue;
        }
        out.last_address = *ip;
        if (!subnet_id) {
            out.problems.push_back({std::nullopt, "lease " + ip_text + " has no subnet-id"});
            continue;
        }
        KeaLease lease;
        lease.ip = *ip;
        lease.subnet_id = *subnet_id;
        lease.state = static_cast<int>(integer_member(r, "state").value_or(0));
        std::string hw = string_member(r, "hw-address");
        lease.client_id = engine::normalize_client_id(hw.empty() ? string_member(r, "client-id") : hw);
        lease.hostname = string_member(r, "hostname");
        auto cltt = integer_member(r, "cltt");
        auto valid = integer_member(r, "valid-lft");
        if (cltt && valid) lease.expiry = utc_timestamp(*cltt + *valid);
        out.leases.push_back(std::move(lease));
    }
    return out;
}

json::object reservation_get_page_arguments(std::int64_t subnet_id, std::size_t limit,
                                            std::optional<HostPageCursor> next) {
    json::object args;
    args["subnet-id"] = subnet_id;
    args["limit"] = static_cast<std::uint64_t>(limit);
    if (next) {
        args["from"] = next->from;
        args["source-index"] = next->source_index;
    }
    return args;
}

Expected<HostPage> parse_host_page(const CommandContext& context, const json::value& arguments) {
    HostPage out;
    if (arguments.is_null()) return out;
    if (!arguments.is_object()) return malformed(context, "\"arguments\" is not an object");
    const auto& a = arguments.get_object();
    if (const json::value* hosts = member(a, "hosts")) {
        if (!hosts->is_array()) return malformed(context, "\"hosts\" is not a list");
        for (const auto& h : hosts->get_array()) {
            if (!h.is_object()) return malformed(context, "a host record is not an object");
            out.hosts.push_back(h.get_object());
        }
    }
    if (const json::value* next = member(a, "next"); next && next->is_object() && !out.hosts.empty()) {
        auto from = integer_member(next->get_object(), "from");
        auto source = integer_member(next->get_object(), "source-index");
        if (!from || !source) return malformed(context, "\"next\" lacks integer \"from\" and \"source-index\"");
        out.next = HostPageCursor{*from, *source};
    }
    return out;
}

json::object reservation_add_arguments(std::int64_t subnet_id, const json::object& reservation) {
    json::object host = reservation;
    host["subnet-id"] = subnet_id;
    json::object args;
    args["reservation"] = std::move(host);
    return args;
}

json::object reservation_del_arguments(std::int64_t subnet_id, std::string_view identifier_type,
                                       std::string_view identifier) {
    json::object args;
    args["subnet-id"] = subnet_id;
    args["identifier-type"] = identifier_type;
    args["identifier"] = identifier;
    return args;
}

}  // namespace nds::kea
