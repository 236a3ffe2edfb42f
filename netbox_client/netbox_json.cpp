// NetBox JSON <-> engine types (see netbox_json.hpp).
#include "netbox_client/netbox_json.hpp"

#include "netbox_client/netbox_error.hpp"
#include "sync_engine/client_id.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace nds::netbox::json_codec {
namespace json = boost::json;
using engine::Ipv4Address;
using engine::ObjectId;

namespace {

std::string quoted(const json::value& v) {
    if (v.is_string()) return "'" + std::string(v.get_string()) + "'";
    return json::serialize(v);
}

std::optional<std::int64_t> as_integer(const json::value& v) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_double()) {
        double d = v.get_double();
        if (d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

/// Reads the fields of one record. The first fatal problem makes the record unusable (`problem`);
/// `notes` are problems with a part of the record that was dropped while the record itself is kept.
class RecordReader {
public:
    explicit RecordReader(const json::object& object, std::map<std::string, ObjectId>* tag_ids = nullptr)
        : o_(object), tag_ids_(tag_ids) {}

    bool ok() const { return problem_.empty(); }
    const std::string& problem() const { return problem_; }
    std::vector<std::string>& notes() { return notes_; }
    void fail(std::string why) {
        if (problem_.empty()) problem_ = std::move(why);
    }

    const json::value* get(std::string_view key) const { return o_.if_contains(key); }
    const json::object& object() const { return o_; }

    /// Required positive integer.
    ObjectId id(std::string_view key = "id") {
        const auto* v = get(key);
        if (!v) {
            fail(std::string(key) + " is missing");
            return 0;
        }
        auto n = as_integer(*v);
        if (!n || *n <= 0) {
            fail(std::string(key) + " " + quoted(*v) + " is not an object id");
            return 0;
        }
        return *n;
    }

    /// A reference to another object: null/missing -> nullopt, {"id": N, ...} or a bare N -> N.
    std::optional<ObjectId> ref(std::string_view key) {
        const auto* v = get(key);
        if (!v || v->is_null()) return std::nullopt;
        const json::value* idv = v;
        if (v->is_object()) {
            idv = v->get_object().if_contains("id");
            if (!idv) {
                fail(std::string(key) + " has no id");
                return std::nullopt;
            }
        }
        auto n = as_integer(*idv);
        if (!n || *n <= 0) {
            fail(std::string(key) + " " + quoted(*v) + " is not an object reference");
            return std::nullopt;
        }
        return *n;
    }

    /// A string; null/missing -> "".
    std::string str(std::string_view key) {
        const auto* v = get(key);
        if (!v || v->is_null()) return {};
        if (!v->is_string()) {
            fail(std::string(key) + " " + quoted(*v) + " is not a string");
            return {};
        }
        return std::string(v->get_string());
    }

    bool boolean(std::string_view key, bool fallback) {
        const auto* v = get(key);
        if (!v || v->is_null()) return fallback;
        if (!v->is_bool()) {
            fail(std::string(key) + " " + quoted(*v) + " is not a boolean");
            return fallback;
        }
        return v->get_bool();
    }

    std::int64_t integer(std::string_view key, std::int64_t fallback) {
        const auto* v = get(key);
        if (!v || v->is_null()) return fallback;
        auto n = as_integer(*v);
        if (!n) {
            fail(std::string(key) + " " + quoted(*v) + " is not an integer");
            return fallback;
        }
        return *n;
    }

    Ipv4Address address(std::string_view key) {
        const auto* v = get(key);
        if (!v || v->is_null()) {
            fail(std::string(key) + " is missing");
            return {};
        }
        if (v->is_string()) {
            if (auto a = Ipv4Address::parse(v->get_string())) return *a;
        }
        fail(std::string(key) + " " + quoted(*v) + " is not an IPv4 address");
        return {};
    }

    /// Tag slugs from [{"slug": ...}, ...]; bare strings are accepted too.
    std::vector<std::string> tags() {
        std::vector<std::string> out;
        const auto* v = get("tags");
        if (!v || v->is_null()) return out;
        if (!v->is_array()) {
            fail("tags " + quoted(*v) + " is not a list");
            return out;
        }
        for (const auto& t : v->get_array()) {
            if (t.is_string()) {
                out.emplace_back(t.get_string());
            } else if (t.is_object()) {
                const auto* slug = t.get_object().if_contains("slug");
                if (slug && slug->is_string()) {
                    out.emplace_back(slug->get_string());
                    if (tag_ids_) {
                        const auto* id = t.get_object().if_contains("id");
                        if (auto n = id ? as_integer(*id) : std::nullopt; n && *n > 0) tag_ids_->emplace(out.back(), *n);
                    }
                } else {
                    notes_.push_back("a tag without slug was ignored: " + json::serialize(t));
                }
            } else {
                notes_.push_back("a tag that is not an object was ignored: " + json::serialize(t));
            }
        }
        return out;
    }

    /// Choice fields read as {"value", "label"}; a raw string is accepted too.
    std::string choice(std::string_view key) {
        const auto* v = get(key);
        if (!v || v->is_null()) return {};
        if (v->is_string()) return std::string(v->get_string());
        if (v->is_object()) {
            const auto* value = v->get_object().if_contains("value");
            if (value && value->is_string()) return std::string(value->get_string());
        }
        fail(std::string(key) + " " + quoted(*v) + " is not a choice value");
        return {};
    }

private:
    const json::object& o_;
    std::map<std::string, ObjectId>* tag_ids_ = nullptr;
    std::string problem_;
    std::vector<std::string> notes_;
};

/// "scope 12" or "ip_address #3" (when the record has no usable id), for messages.
std::string record_label(const char* kind, const json::object& o, std::size_t position) {
    if (const auto* id = o.if_contains("id")) {
        if (auto n = as_integer(*id)) return std::string(kind) + " " + std::to_string(*n);
    }
    return std::string(kind) + " #" + std::to_string(position);
}

bool is_ipv6_record(const json::object& o, std::string_view address_key) {
    if (const auto* family = o.if_contains("family")) {
        const json::value* value = family;
        if (family->is_object()) value = family->get_object().if_contains("value");
        if (value) {
            if (auto n = as_integer(*value); n && *n == 6) return true;
        }
    }
    const auto* address = o.if_contains(address_key);
    return address && address->is_string() && address->get_string().find(':') != json::string::npos;
}

Error parse_error(std::string_view what, std::string_view body) {
    return Error{make_error_code(errc::malformed), std::string(what) + ": " + shorten(body, 200)};
}

/// `storage`: where the DOM lives. A page parser passes a monotonic_resource that it outlives: the DOM is
/// only read, and allocating and freeing it node by node was half of a large sync's CPU (measured with bench/).
Expected<json::value> parse_json(std::string_view body, json::storage_ptr storage = {}) {
    boost::system::error_code ec;
    json::value doc = json::parse(json::string_view(body.data(), body.size()), ec, std::move(storage));
    if (ec) return parse_error("response is not JSON (" + ec.message() + ")", body);
    return doc;
}

/// Parses {"count","next","results"} and each result with `parse_record(reader, label) -> optional<T>`.
/// parse_record returns nullopt with reader.ok() to skip a record silently (IPv6).
template <class T, class F>
Expected<Page<T>> parse_page(std::string_view body, const char* kind, F parse_record) {
    json::monotonic_resource arena(body.size());  // declared before the DOM: outlives it
    auto doc = parse_json(body, &arena);
    if (!doc) return doc.error();
    const auto* root = doc->if_object();
    const json::value* results = root ? root->if_contains("results") : nullptr;
    if (!results || !results->is_array()) return parse_error("response is not a NetBox list page", body);

    Page<T> page;
    if (const auto* count = root->if_contains("count")) page.count = as_integer(*count);
    if (const auto* next = root->if_contains("next"); next && next->is_string())
        page.next = next_target(next->get_string());

    const auto& arr = results->get_array();
    page.results.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
        if (!arr[i].is_object()) {
            page.problems.push_back(std::string(kind) + " #" + std::to_string(i) + " is not an object: " +
                                    shorten(json::serialize(arr[i]), 100) + " (skipped)");
            continue;
        }
        const auto& o = arr[i].get_object();
        RecordReader reader(o, &page.tag_ids);
        std::string label = record_label(kind, o, i);
        std::optional<T> record = parse_record(reader);
        for (const auto& note : reader.notes()) page.problems.push_back(label + ": " + note);
        if (!reader.ok()) {
            page.problems.push_back(label + ": " + reader.problem() + " (skipped)");
            continue;
        }
        if (record) page.results.push_back(std::move(*record));
    }
    return page;
}

json::value ref_or_null(const std::optional<ObjectId>& id) {
    if (id) return json::value(*id);
    return nullptr;
}

json::array tag_list(const std::vector<ObjectId>& ids) {
    json::array tags;
    for (ObjectId id : ids) tags.push_back(id);
    return tags;
}

void add_changelog(json::object& o, const std::string& message) {
    if (!message.empty()) o["changelog_message"] = message;
}

}  // namespace

std::optional<std::string> peek_next_target(std::string_view body) {
    auto consume = [&](std::string_view token) {
        if (body.substr(0, token.size()) != token) return false;
        body.remove_prefix(token.size());
        return true;
    };
    if (!consume("{\"count\":")) return std::nullopt;
    if (!consume("null")) {
        std::size_t digits = 0;
        while (digits < body.size() && std::isdigit(static_cast<unsigned char>(body[digits]))) ++digits;
        if (digits == 0) return std::nullopt;
        body.remove_prefix(digits);
    }
    if (!consume(",\"next\":")) return std::nullopt;
    if (consume("null,")) return std::string();
    if (!consume("\"")) return std::nullopt;
    auto end = body.find_first_of("\"\\");
    if (end == std::string_view::npos || body[end] != '"' || body.substr(end + 1, 1) != ",") return std::nullopt;
    std::string_view url = body.substr(0, end);
    if (url.empty()) return std::nullopt;
    return next_target(url);
}

std::string next_target(std::string_view next_url) {
    if (next_url.empty()) return {};
    auto scheme = next_url.find("://");
    if (scheme == std::string_view::npos) return std::string(next_url);  // already a path
    auto path = next_url.find_first_of("/?", scheme + 3);
    if (path == std::string_view::npos) return "/";
    if (next_url[path] == '?') return "/" + std::string(next_url.substr(path));
    return std::string(next_url.substr(path));
}

Expected<Page<engine::NetBoxServer>> parse_server_page(std::string_view body) {
    return parse_page<engine::NetBoxServer>(body, "server", [](RecordReader& r) -> std::optional<engine::NetBoxServer> {
        engine::NetBoxServer s;
        s.id = r.id();
        s.name = r.str("name");
        s.hostname = r.str("hostname");
        s.port = static_cast<int>(r.integer("port", 443));
        s.use_https = r.boolean("use_https", true);
        s.verify_ssl = r.boolean("verify_ssl", true);
        s.sync_standalone_scopes = r.boolean("sync_standalone_scopes", true);
        s.tags = r.tags();
        if (r.ok() && s.name.empty()) r.fail("name is empty");
        return s;
    });
}

Expected<Page<engine::NetBoxFailover>> parse_failover_page(std::string_view body) {
    return parse_page<engine::NetBoxFailover>(body, "failover", [](RecordReader& r) -> std::optional<engine::NetBoxFailover> {
        engine::NetBoxFailover f;
        f.id = r.id();
        f.name = r.str("name");
        auto primary = r.ref("primary_server");
        auto secondary = r.ref("secondary_server");
        if (r.ok() && !primary) r.fail("primary_server is missing");
        if (r.ok() && !secondary) r.fail("secondary_server is missing");
        f.primary_server_id = primary.value_or(0);
        f.secondary_server_id = secondary.value_or(0);
        std::string mode = r.choice("mode");
        if (!mode.empty()) f.mode = mode;
        f.sync_enabled = r.boolean("sync_enabled", true);
        f.max_client_lead_time = r.integer("max_client_lead_time", 3600);
        f.max_response_delay = r.integer("max_response_delay", 30);
        if (const auto* interval = r.get("state_switchover_interval"); interval && !interval->is_null())
            f.state_switchover_interval = r.integer("state_switchover_interval", 0);
        f.enable_auth = r.boolean("enable_auth", false);
        f.tags = r.tags();
        return f;
    });
}

Expected<Page<engine::NetBoxScope>> parse_scope_page(std::string_view body) {
    return parse_page<engine::NetBoxScope>(body, "scope", [](RecordReader& r) -> std::optional<engine::NetBoxScope> {
        engine::NetBoxScope s;
        s.id = r.id();
        s.name = r.str("name");
        auto prefix = r.ref("prefix");
        if (r.ok() && !prefix) r.fail("prefix is missing");
        s.prefix_id = prefix.value_or(0);
        s.start_ip = r.address("start_ip");
        s.end_ip = r.address("end_ip");
        if (const auto* router = r.get("router");
            router && !router->is_null() && !(router->is_string() && router->get_string().empty()))
            s.router = r.address("router");
        s.lease_lifetime = r.integer("lease_lifetime", 86400);
        s.server_id = r.ref("server");
        s.failover_id = r.ref("failover");
        s.tags = r.tags();
        if (const auto* values = r.get("option_values"); values && values->is_array()) {
            for (const auto& item : values->get_array()) {
                // Nested (brief) objects with an id, or bare ids: both are NetBox's forms.
                if (item.is_object()) {
                    RecordReader vr(item.get_object());
                    auto id = vr.id();
                    if (vr.ok()) s.option_value_ids.push_back(id);
                } else if (auto id = as_integer(item); id && *id > 0) {
                    s.option_value_ids.push_back(*id);
                }
            }
        }
        if (const auto* ranges = r.get("exclusion_ranges"); ranges && !ranges->is_null()) {
            if (!ranges->is_array()) {
                r.fail("exclusion_ranges is not a list");
            } else {
                // A bad range is dropped with a note; the scope itself is still usable.
                for (const auto& item : ranges->get_array()) {
                    if (!item.is_object()) {
                        r.notes().push_back("exclusion range " + shorten(json::serialize(item), 80) +
                                            " is not an object (ignored)");
                        continue;
                    }
                    RecordReader er(item.get_object());
                    engine::NetBoxExclusionRange range;
                    range.id = er.id();
                    range.scope_id = s.id;
                    range.start_ip = er.address("start_ip");
                    range.end_ip = er.address("end_ip");
                    if (!er.ok()) {
                        r.notes().push_back("exclusion range " + shorten(json::serialize(item), 120) + ": " +
                                            er.problem() + " (ignored)");
                        continue;
                    }
                    s.exclusion_ranges.push_back(range);
                }
            }
        }
        return s;
    });
}

Expected<Page<engine::NetBoxPrefix>> parse_prefix_page(std::string_view body) {
    return parse_page<engine::NetBoxPrefix>(body, "prefix", [](RecordReader& r) -> std::optional<engine::NetBoxPrefix> {
        engine::NetBoxPrefix p;
        p.id = r.id();
        if (is_ipv6_record(r.object(), "prefix")) return std::nullopt;  // IPv6: not ours, not a fault
        const auto* text = r.get("prefix");
        std::optional<engine::Ipv4Network> network;
        if (text && text->is_string()) network = engine::Ipv4Network::parse(text->get_string());
        if (!network) {
            r.fail(text ? "prefix " + quoted(*text) + " is not an IPv4 network" : "prefix is missing");
            return std::nullopt;
        }
        p.prefix = *network;
        p.vrf_id = r.ref("vrf");
        p.tags = r.tags();
        return p;
    });
}

Expected<Page<engine::NetBoxIpAddress>> parse_ip_address_page(std::string_view body) {
    return parse_page<engine::NetBoxIpAddress>(body, "ip_address", [](RecordReader& r) -> std::optional<engine::NetBoxIpAddress> {
        engine::NetBoxIpAddress ip;
        ip.id = r.id();
        if (!r.ok()) return std::nullopt;
        if (is_ipv6_record(r.object(), "address")) return std::nullopt;  // IPv6: not ours, not a fault
        const auto* text = r.get("address");
        std::optional<engine::Ipv4Interface> address;
        if (text && text->is_string()) address = engine::Ipv4Interface::parse(text->get_string());
        if (!address) {
            r.fail(text ? "address " + quoted(*text) + " is not an IPv4 address with mask" : "address is missing");
            return std::nullopt;
        }
        ip.address = address->address;
        ip.prefix_length = address->length;
        ip.vrf_id = r.ref("vrf");
        ip.status = r.choice("status");
        ip.dns_name = r.str("dns_name");
        ip.description = r.str("description");
        ip.tags = r.tags();
        if (const auto* cf = r.get("custom_fields"); cf && cf->is_object()) {
            RecordReader cr(cf->get_object());
            ip.client_id = engine::normalize_client_id(cr.str("dhcp_client_id"));
            if (!cr.ok()) r.fail("custom_fields." + cr.problem());
        }
        return ip;
    });
}

Expected<Page<engine::NetBoxOptionCode>> parse_option_code_page(std::string_view body) {
    return parse_page<engine::NetBoxOptionCode>(body, "option code", [](RecordReader& r) -> std::optional<engine::NetBoxOptionCode> {
        engine::NetBoxOptionCode c;
        c.id = r.id();
        auto code = r.integer("code", -1);
        if (r.ok() && code < 0) r.fail("code is missing");
        c.code = static_cast<int>(code);
        c.name = r.str("name");
        std::string type = r.choice("data_type");
        if (!type.empty()) c.data_type = type;
        c.vendor_class = r.str("vendor_class");
        return c;
    });
}

Expected<Page<engine::NetBoxOptionValue>> parse_option_value_page(std::string_view body) {
    return parse_page<engine::NetBoxOptionValue>(body, "option value", [](RecordReader& r) -> std::optional<engine::NetBoxOptionValue> {
        engine::NetBoxOptionValue v;
        v.id = r.id();
        auto definition = r.ref("option_definition");
        if (r.ok() && !definition) r.fail("option_definition is missing");
        v.definition_id = definition.value_or(0);
        v.value = r.str("value");
        v.friendly_name = r.str("friendly_name");
        return v;
    });
}

Expected<Page<TagRef>> parse_tag_page(std::string_view body) {
    return parse_page<TagRef>(body, "tag", [](RecordReader& r) -> std::optional<TagRef> {
        TagRef t;
        t.id = r.id();
        t.slug = r.str("slug");
        return t;
    });
}

Expected<ObjectId> parse_object_id(std::string_view body) {
    auto doc = parse_json(body);
    if (!doc) return doc.error();
    const auto* root = doc->if_object();
    const json::value* id = root ? root->if_contains("id") : nullptr;
    auto n = id ? as_integer(*id) : std::nullopt;
    if (!n || *n <= 0) return parse_error("response is not an object with an id", body);
    return *n;
}

Expected<Page<engine::NetBoxIpRange>> parse_ip_range_page(std::string_view body) {
    return parse_page<engine::NetBoxIpRange>(body, "ip_range", [](RecordReader& r) -> std::optional<engine::NetBoxIpRange> {
        engine::NetBoxIpRange range;
        range.id = r.id();
        if (!r.ok()) return std::nullopt;
        if (is_ipv6_record(r.object(), "start_address")) return std::nullopt;
        std::optional<engine::Ipv4Interface> start, end;
        const auto* s = r.get("start_address");
        const auto* e = r.get("end_address");
        if (s && s->is_string()) start = engine::Ipv4Interface::parse(s->get_string());
        if (e && e->is_string()) end = engine::Ipv4Interface::parse(e->get_string());
        if (!start || !end) {
            r.fail("start_address/end_address are not IPv4 addresses with mask");
            return std::nullopt;
        }
        range.start = start->address;
        range.end = end->address;
        range.prefix_length = start->length;
        range.vrf_id = r.ref("vrf");
        range.display = r.str("display");
        range.mark_populated = r.boolean("mark_populated", false);
        if (range.display.empty()) range.display = range.start.to_string() + "-" + range.end.to_string();
        return range;
    });
}

Expected<Page<JobRecord>> parse_job_page(std::string_view body) {
    return parse_page<JobRecord>(body, "job", [](RecordReader& r) -> std::optional<JobRecord> {
        JobRecord j;
        j.id = r.id();
        j.name = r.str("name");
        j.status = r.choice("status");
        j.created = r.str("created");
        j.scheduled = r.str("scheduled");
        j.started = r.str("started");
        j.completed = r.str("completed");
        if (const auto* v = r.get("interval"); v && !v->is_null()) j.interval = r.integer("interval", 0);
        if (const auto* entries = r.get("log_entries"); entries && entries->is_array()) {
            for (const auto& entry : entries->get_array()) {
                const auto* o = entry.if_object();
                const json::value* message = o ? o->if_contains("message") : nullptr;
                if (message && message->is_string()) j.log_messages.emplace_back(message->get_string());
            }
        }
        return j;
    });
}

namespace {
/// The Python repr that follows "<key>=" in `text`: 'value' or "value" (or a bare word such as None).
std::optional<std::string> python_repr_value(std::string_view text, std::string_view key) {
    std::string needle = " " + std::string(key) + "=";
    auto at = text.find(needle);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(at + needle.size());
    if (rest.empty()) return std::nullopt;
    char quote = rest.front();
    if (quote == '\'' || quote == '"') {
        std::string out;
        for (std::size_t i = 1; i < rest.size(); ++i) {
            if (rest[i] == '\\' && i + 1 < rest.size()) {
                out += rest[++i];
                continue;
            }
            if (rest[i] == quote) return out;
            out += rest[i];
        }
        return std::nullopt;  // unterminated
    }
    auto end = rest.find(' ');
    return std::string(rest.substr(0, end));
}
}  // namespace

std::optional<PluginSyncSettings> parse_sync_start_line(std::string_view message) {
    constexpr std::string_view kStart = "Starting DHCP sync:";
    if (message.substr(0, kStart.size()) != kStart) return std::nullopt;
    auto lease = python_repr_value(message, "lease_status");
    auto reservation = python_repr_value(message, "reservation_status");
    if (!lease || !reservation) return std::nullopt;
    return PluginSyncSettings{*lease, *reservation};
}

std::optional<std::string> parse_maintenance_skip_line(std::string_view message) {
    constexpr std::string_view kStart = "Skipping server ";
    constexpr std::string_view kEnd = ": maintenance mode enabled";
    if (message.size() <= kStart.size() + kEnd.size() || message.substr(0, kStart.size()) != kStart ||
        message.substr(message.size() - kEnd.size()) != kEnd)
        return std::nullopt;
    return std::string(message.substr(kStart.size(), message.size() - kStart.size() - kEnd.size()));
}

Expected<Page<ChangeRecord>> parse_object_change_page(std::string_view body) {
    return parse_page<ChangeRecord>(body, "object change", [](RecordReader& r) -> std::optional<ChangeRecord> {
        ChangeRecord c;
        c.id = r.id();
        c.time = r.str("time");
        c.action = r.choice("action");
        c.changed_object_type = r.str("changed_object_type");
        c.changed_object_id = r.integer("changed_object_id", 0);
        return c;
    });
}

std::optional<std::chrono::system_clock::time_point> parse_iso_datetime(std::string_view text) {
    auto number = [&](std::size_t pos, std::size_t count) -> std::optional<int> {
        if (pos + count > text.size()) return std::nullopt;
        int v = 0;
        for (std::size_t i = pos; i < pos + count; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
    if (!year || !month || !day || text.size() < 19 || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
        return std::nullopt;
    auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
    if (!hour || !minute || !second) return std::nullopt;
    std::size_t pos = 19;
    std::chrono::microseconds fraction{0};
    if (pos < text.size() && text[pos] == '.') {
        long long scale = 100000, micros = 0;
        std::size_t digits = 0;
        for (++pos; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])); ++pos, ++digits) {
            micros += (text[pos] - '0') * scale;
            scale /= 10;
        }
        if (digits == 0) return std::nullopt;
        fraction = std::chrono::microseconds(micros);
    }
    std::chrono::seconds offset{0};
    if (pos < text.size()) {
        if (text.substr(pos) == "Z") {
            // UTC
        } else if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 6 && text[pos + 3] == ':') {
            auto oh = number(pos + 1, 2), om = number(pos + 4, 2);
            if (!oh || !om) return std::nullopt;
            offset = std::chrono::seconds((*oh * 3600 + *om * 60) * (text[pos] == '+' ? 1 : -1));
        } else {
            return std::nullopt;
        }
    }
    using namespace std::chrono;
    year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                        std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
    return time_point_cast<system_clock::duration>(sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) +
                                                   fraction - offset);
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
    // "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions.
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (text.size() != 29 || text[3] != ',' || text.substr(25) != " GMT") return std::nullopt;
    auto number = [&](std::size_t pos, std::size_t count) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = pos; i < pos + count; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    auto day = number(5, 2), year = number(12, 4), hour = number(17, 2), minute = number(20, 2), second = number(23, 2);
    int month = -1;
    for (int m = 0; m < 12; ++m)
        if (text.substr(8, 3) == months[m]) month = m + 1;
    if (!day || !year || !hour || !minute || !second || month < 0 || text[19] != ':' || text[22] != ':') return std::nullopt;
    using namespace std::chrono;
    year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(month)),
                        std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
    return sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second);
}

std::string iso_utc(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto days = floor<std::chrono::days>(secs);
    year_month_day date(days);
    hh_mm_ss<seconds> time(secs - days);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return buffer;
}

Expected<StatusInfo> parse_status(std::string_view body) {
    auto doc = parse_json(body);
    if (!doc) return doc.error();
    const auto* root = doc->if_object();
    if (!root) return parse_error("status response is not a JSON object", body);
    StatusInfo info;
    if (const auto* v = root->if_contains("netbox-version"); v && v->is_string()) info.netbox_version = v->get_string();
    if (const auto* plugins = root->if_contains("plugins"); plugins && plugins->is_object()) {
        for (const auto& [key, version] : plugins->get_object()) {
            std::string name(key);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            // The map is keyed by plugin name; accept the module name and spellings of it.
            bool match = name == "netbox_windows_dhcp" || name.find("windows_dhcp") != std::string::npos ||
                         name.find("windows-dhcp") != std::string::npos ||
                         name.find("windows dhcp") != std::string::npos;
            if (!match) continue;
            info.plugin_installed = true;
            if (version.is_string()) info.plugin_version = version.get_string();
            if (name == "netbox_windows_dhcp") break;  // the exact name wins over look-alikes
        }
    }
    return info;
}

Expected<std::string> parse_username(std::string_view body) {
    auto doc = parse_json(body);
    if (!doc) return doc.error();
    const auto* root = doc->if_object();
    const json::value* user = root ? root->if_contains("username") : nullptr;
    if (!user || !user->is_string()) return parse_error("authentication-check response has no username", body);
    return std::string(user->get_string());
}

Expected<std::vector<ObjectId>> parse_ids(std::string_view body) {
    auto doc = parse_json(body);
    if (!doc) return doc.error();
    const json::value* arr = &*doc;
    if (!arr->is_array()) return parse_error("bulk response is not a JSON list", body);
    std::vector<ObjectId> ids;
    for (const auto& item : arr->get_array()) {
        ObjectId id = 0;
        if (const auto* o = item.if_object()) {
            if (const auto* v = o->if_contains("id")) id = as_integer(*v).value_or(0);
        }
        ids.push_back(id);
    }
    return ids;
}

// ---- bodies ----

json::object ip_create_element(const engine::IpAddressCreate& c, const std::vector<ObjectId>& tag_ids,
                               const std::string& changelog_message) {
    json::object o;
    o["address"] = c.address.to_string();
    o["vrf"] = ref_or_null(c.vrf_id);
    if (!c.status.empty()) o["status"] = c.status;
    if (!c.dns_name.empty()) o["dns_name"] = c.dns_name;
    if (!tag_ids.empty()) o["tags"] = tag_list(tag_ids);
    if (!c.client_id.empty()) o["custom_fields"] = json::object{{"dhcp_client_id", c.client_id}};
    add_changelog(o, changelog_message);
    return o;
}

json::object ip_update_element(const engine::IpAddressUpdate& u, const std::vector<ObjectId>& tag_ids,
                               const std::string& changelog_message) {
    json::object o;
    o["id"] = u.id;
    if (u.status) o["status"] = *u.status;
    if (u.dns_name) o["dns_name"] = *u.dns_name;
    if (u.tags) o["tags"] = tag_list(tag_ids);  // NetBox replaces the tag set: always the full set
    if (u.client_id) {
        // Custom fields are merged on PATCH; null clears the value.
        json::value value = u.client_id->empty() ? json::value(nullptr) : json::value(*u.client_id);
        o["custom_fields"] = json::object{{"dhcp_client_id", value}};
    }
    add_changelog(o, changelog_message);
    return o;
}

json::object prefix_create_element(const engine::PrefixCreate& c, const std::string& changelog_message) {
    json::object o;
    o["prefix"] = c.prefix.to_string();
    o["vrf"] = ref_or_null(c.vrf_id);
    o["status"] = c.status.empty() ? std::string("active") : c.status;
    add_changelog(o, changelog_message);
    return o;
}

json::object scope_create_element(const engine::ScopeCreate& c, ObjectId prefix_id, const std::string& changelog_message) {
    json::object o;
    o["name"] = c.name;
    o["prefix_id"] = prefix_id;
    o["start_ip"] = c.start_ip.to_string();
    o["end_ip"] = c.end_ip.to_string();
    o["router"] = c.router ? json::value(c.router->to_string()) : json::value(nullptr);
    o["lease_lifetime"] = c.lease_lifetime;
    o["server_id"] = ref_or_null(c.server_id);
    o["failover_id"] = ref_or_null(c.failover_id);
    if (!c.option_values.empty()) {
        json::array ids;
        for (const auto& ref : c.option_values)
            if (ref.id) ids.push_back(*ref.id);
        o["option_value_ids"] = std::move(ids);
    }
    add_changelog(o, changelog_message);
    return o;
}

json::object failover_create_element(const engine::FailoverCreate& c, const std::string& changelog_message) {
    json::object o;
    o["name"] = c.name;
    o["primary_server_id"] = c.primary_server_id;
    o["secondary_server_id"] = c.secondary_server_id;
    o["mode"] = c.mode;
    o["max_client_lead_time"] = c.max_client_lead_time;
    o["max_response_delay"] = c.max_response_delay;
    o["state_switchover_interval"] =
        c.state_switchover_interval ? json::value(*c.state_switchover_interval) : json::value(nullptr);
    o["sync_enabled"] = true;
    o["enable_auth"] = c.enable_auth;
    add_changelog(o, changelog_message);
    return o;
}

json::object option_code_create_element(const engine::OptionCodeCreate& c, const std::string& changelog_message) {
    json::object o;
    o["code"] = c.code;
    o["name"] = c.name;
    o["data_type"] = c.data_type;
    o["vendor_class"] = c.vendor_class;
    o["is_builtin"] = false;
    add_changelog(o, changelog_message);
    return o;
}

json::object option_value_create_element(const engine::OptionValueCreate& c, ObjectId definition_id,
                                         const std::string& changelog_message) {
    json::object o;
    o["option_definition_id"] = definition_id;
    o["value"] = c.value;
    o["friendly_name"] = "";
    add_changelog(o, changelog_message);
    return o;
}

json::object scope_update_element(const engine::ScopeUpdate& u, const std::string& changelog_message) {
    json::object o;
    o["id"] = u.id;
    if (u.name) o["name"] = *u.name;
    if (u.start_ip) o["start_ip"] = u.start_ip->to_string();
    if (u.end_ip) o["end_ip"] = u.end_ip->to_string();
    if (u.set_router) o["router"] = u.router ? json::value(u.router->to_string()) : json::value(nullptr);
    if (u.lease_lifetime) o["lease_lifetime"] = *u.lease_lifetime;
    add_changelog(o, changelog_message);
    return o;
}

json::object exclusion_create_element(ObjectId scope_id, Ipv4Address start, Ipv4Address end,
                                      const std::string& changelog_message) {
    json::object o;
    o["scope_id"] = scope_id;
    o["start_ip"] = start.to_string();
    o["end_ip"] = end.to_string();
    add_changelog(o, changelog_message);
    return o;
}

json::object delete_element(ObjectId id, const std::string& changelog_message) {
    json::object o;
    o["id"] = id;
    add_changelog(o, changelog_message);
    return o;
}

json::object server_journal_element(engine::ObjectId server_id, const std::string& kind, const std::string& comments) {
    return json::object{{"assigned_object_type", "netbox_windows_dhcp.dhcpserver"},
                        {"assigned_object_id", server_id},
                        {"kind", kind},
                        {"comments", comments}};
}

json::object tag_create_element(const std::string& slug, const std::string& name, const std::string& description) {
    json::object o;
    o["name"] = name.empty() ? slug : name;
    o["slug"] = slug;
    o["description"] = description;
    o["color"] = "9e9e9e";
    return o;
}

std::string join_array(const std::vector<std::string>& serialized, const std::vector<std::size_t>& indexes) {
    std::size_t size = 2;
    for (auto i : indexes) size += serialized[i].size() + 1;
    std::string out;
    out.reserve(size);
    out += '[';
    bool first = true;
    for (auto i : indexes) {
        if (!first) out += ',';
        first = false;
        out += serialized[i];
    }
    out += ']';
    return out;
}

}  // namespace nds::netbox::json_codec
