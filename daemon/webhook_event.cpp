#include "daemon/webhook_event.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cmath>

namespace nds::daemon {

namespace json = boost::json;
using engine::ChangedObject;
using engine::ChangedType;
using engine::ObjectId;

namespace {

std::string string_at(const json::object& object, const char* key) {
    auto* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

/// An integer id, or a nested object's "id" (REST form: {"id": 3, ...}; changelog form: 3).
std::optional<ObjectId> id_of(const json::value* value) {
    if (!value) return std::nullopt;
    if (value->is_int64()) return value->as_int64();
    if (value->is_uint64()) return static_cast<ObjectId>(value->as_uint64());
    if (value->is_double()) {
        // Only a whole number that fits: casting 1e300 (or NaN) to an integer is undefined behaviour.
        double d = value->as_double();
        if (!(d >= -9.0e15 && d <= 9.0e15) || std::floor(d) != d) return std::nullopt;
        return static_cast<ObjectId>(d);
    }
    if (value->is_object()) return id_of(value->as_object().if_contains("id"));
    return std::nullopt;
}

std::optional<ObjectId> id_at(const json::object& object, const char* key) { return id_of(object.if_contains(key)); }

/// Fills what `source` says about the object of type `type` into `out` (fields already set are kept).
void read_object(ChangedType type, const json::object& source, ChangedObject& out) {
    auto fill = [](std::optional<ObjectId>& field, std::optional<ObjectId> value) {
        if (!field) field = value;
    };
    fill(out.id, id_at(source, "id"));
    switch (type) {
    case ChangedType::server:
        if (out.name.empty()) out.name = string_at(source, "name");
        break;
    case ChangedType::failover:
        fill(out.primary_server_id, id_at(source, "primary_server"));
        fill(out.secondary_server_id, id_at(source, "secondary_server"));
        break;
    case ChangedType::scope:
        fill(out.server_id, id_at(source, "server"));
        fill(out.failover_id, id_at(source, "failover"));
        fill(out.prefix_id, id_at(source, "prefix"));
        break;
    case ChangedType::exclusion_range:
        fill(out.scope_id, id_at(source, "scope"));
        break;
    case ChangedType::ip_address:
        if (!out.address)
            if (auto iface = engine::Ipv4Interface::parse(string_at(source, "address"))) out.address = iface->address;
        break;
    case ChangedType::prefix:
        if (!out.network) out.network = engine::Ipv4Network::parse(string_at(source, "prefix"));
        break;
    case ChangedType::other: break;
    }
    if ((type == ChangedType::ip_address || type == ChangedType::prefix) && !out.vrf_known) {
        if (auto* vrf = source.if_contains("vrf")) {
            out.vrf_known = true;
            out.vrf_id = vrf->is_null() ? std::nullopt : id_of(vrf);
        }
    }
}

const json::object* object_at(const json::object& parent, const char* key) {
    auto* value = parent.if_contains(key);
    return value && value->is_object() ? &value->as_object() : nullptr;
}

}  // namespace

bool WebhookEvent::relevant() const {
    if (event != "created" && event != "updated" && event != "deleted") return false;
    return engine::changed_type_from_object_type(object_type) != ChangedType::other;
}

Expected<WebhookEvent> parse_webhook_event(const std::string& body) {
    boost::system::error_code ec;
    auto root = json::parse(body, ec);
    if (ec) return Error{400, "webhook body is not JSON: " + ec.message()};
    if (!root.is_object()) return Error{400, "webhook body is not a JSON object"};
    const auto& top = root.as_object();

    WebhookEvent event;
    event.event = string_at(top, "event");
    if (event.event.empty()) return Error{400, "webhook body has no 'event'"};
    event.object_type = string_at(top, "object_type");
    if (event.object_type.empty()) {
        // Before 4.5 the body named the model only ("model": "ipaddress"); not supported, but say so.
        if (top.contains("model")) return Error{400, "webhook body has 'model' but no 'object_type' (NetBox before 4.5)"};
        return Error{400, "webhook body has no 'object_type'"};
    }
    event.timestamp = string_at(top, "timestamp");
    // 4.5/4.6: top-level username and request_id; 4.6/4.7: request{id, user}.
    event.username = string_at(top, "username");
    event.request_id = string_at(top, "request_id");
    if (const auto* request = object_at(top, "request")) {
        if (event.username.empty()) {
            event.username = string_at(*request, "user");
            if (event.username.empty())
                if (const auto* user = object_at(*request, "user")) event.username = string_at(*user, "username");
        }
        if (event.request_id.empty()) event.request_id = string_at(*request, "id");
    }

    auto type = engine::changed_type_from_object_type(event.object_type);
    if (type == ChangedType::other) return event;

    const auto* data = object_at(top, "data");
    const auto* snapshots = object_at(top, "snapshots");
    const auto* postchange = snapshots ? object_at(*snapshots, "postchange") : nullptr;
    const auto* prechange = snapshots ? object_at(*snapshots, "prechange") : nullptr;
    if (!data && !postchange && !prechange) return Error{400, "webhook body has neither 'data' nor 'snapshots'"};

    ChangedObject current;
    current.type = type;
    if (data) read_object(type, *data, current);
    if (postchange) read_object(type, *postchange, current);
    if (!postchange && prechange && event.event == "deleted") read_object(type, *prechange, current);
    event.objects.push_back(current);

    if (prechange) {
        ChangedObject before;
        before.type = type;
        before.id = current.id;
        read_object(type, *prechange, before);
        event.objects.push_back(before);
    }
    return event;
}

}  // namespace nds::daemon
