// Parsing of NetBox error bodies (see netbox_error.hpp for the shapes).
#include "netbox_client/netbox_error.hpp"

#include <boost/json.hpp>

#include <cctype>

namespace nds::netbox {
namespace json = boost::json;

namespace {

/// Keys that hold errors not tied to one field. 4.5/4.6 use DRF's "non_field_errors" for serializer-level
/// errors and Django's "__all__" for model validation; 4.7 uses "__all__" for both. Parse both.
bool is_non_field_key(std::string_view key) {
    return key == "__all__" || key == "non_field_errors" || key == "detail";
}

void add_entry(std::vector<std::string>& out, const std::string& prefix, std::string_view message) {
    if (message.empty()) return;
    if (prefix.empty()) out.emplace_back(message);
    else out.push_back(prefix + ": " + std::string(message));
}

void collect(const json::value& v, const std::string& prefix, std::vector<std::string>& out) {
    switch (v.kind()) {
    case json::kind::string:
        add_entry(out, prefix, v.get_string());
        break;
    case json::kind::array: {
        const auto& arr = v.get_array();
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const auto& item = arr[i];
            // A list of dicts is a list of related objects (e.g. tags): name the element.
            if (item.is_object()) collect(item, prefix + "[" + std::to_string(i) + "]", out);
            else collect(item, prefix, out);
        }
        break;
    }
    case json::kind::object:
        for (const auto& [key, child] : v.get_object()) {
            std::string child_prefix;
            if (is_non_field_key(key)) child_prefix = prefix;
            else if (prefix.empty()) child_prefix = std::string(key);
            else child_prefix = prefix + "." + std::string(key);
            collect(child, child_prefix, out);
        }
        break;
    case json::kind::null:
        break;
    default:
        add_entry(out, prefix, json::serialize(v));
        break;
    }
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

std::optional<std::int64_t> as_integer(const json::value* v) {
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
}

}  // namespace

std::string format_field_errors(const json::value& errors) {
    std::vector<std::string> parts;
    collect(errors, "", parts);
    return join(parts);
}

std::string shorten(std::string_view text, std::size_t limit) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (text.size() <= limit) return std::string(text);
    std::size_t cut = limit;
    // Do not split a multi-byte UTF-8 sequence: back off over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "...";
}

NetBoxError NetBoxError::parse(std::string_view body) {
    NetBoxError out;
    boost::system::error_code ec;
    json::value doc = json::parse(json::string_view(body.data(), body.size()), ec);
    if (ec) {
        // Not JSON: a proxy's HTML page, a plain-text error. Keep the text, shortened.
        out.summary_ = shorten(body, 300);
        if (out.summary_.empty()) out.summary_ = "(empty response body)";
        return out;
    }

    if (doc.is_array()) {
        const auto& arr = doc.get_array();
        bool all_objects = !arr.empty();
        for (const auto& item : arr) all_objects = all_objects && item.is_object();
        if (all_objects) {
            // 4.5/4.6 bulk create: one dict per submitted element, {} for the valid ones.
            std::vector<std::string> parts;
            for (std::size_t i = 0; i < arr.size(); ++i) {
                const auto& item = arr[i].get_object();
                if (item.empty()) continue;
                ObjectError e;
                e.index = i;
                e.message = format_field_errors(arr[i]);
                if (e.message.empty()) e.message = json::serialize(arr[i]);
                parts.push_back(e.message);
                out.objects_.push_back(std::move(e));
            }
            out.summary_ = join(parts);
        } else {
            out.summary_ = format_field_errors(doc);  // e.g. ["Expected a list of items ..."]
        }
    } else if (doc.is_object()) {
        const auto& obj = doc.get_object();
        const json::value* errors = obj.if_contains("errors");
        const json::value* exception = obj.if_contains("exception");
        const json::value* error = obj.if_contains("error");
        if (exception && exception->is_string() && error && error->is_string()) {
            // 500 from NetBox's exception handler: "IntegrityError: duplicate key value ... DETAIL: Key ...".
            out.exception_ = std::string(exception->get_string());
            std::string text;
            for (char c : std::string_view(error->get_string())) {
                if (c == '\n' || c == '\r' || c == '\t') c = ' ';
                if (c == ' ' && !text.empty() && text.back() == ' ') continue;
                text += c;
            }
            out.summary_ = out.exception_ + ": " + shorten(text, 500);
        } else if (errors && errors->is_array()) {
            // 4.7: {"detail": "...", "errors": [{"index"|"id", "errors": {...}}]}
            std::vector<std::string> parts;
            if (const auto* detail = obj.if_contains("detail"); detail && detail->is_string())
                parts.emplace_back(detail->get_string());
            for (const auto& item : errors->get_array()) {
                if (!item.is_object()) {
                    auto text = format_field_errors(item);
                    if (!text.empty()) parts.push_back(text);
                    continue;
                }
                const auto& io = item.get_object();
                ObjectError e;
                if (auto index = as_integer(io.if_contains("index")); index && *index >= 0)
                    e.index = static_cast<std::size_t>(*index);
                e.id = as_integer(io.if_contains("id"));
                if (const auto* inner = io.if_contains("errors")) {
                    e.message = format_field_errors(*inner);
                } else {
                    json::object rest = io;
                    rest.erase("index");
                    rest.erase("id");
                    e.message = format_field_errors(rest);
                }
                if (e.message.empty()) e.message = "rejected by NetBox";
                parts.push_back(e.message);
                if (e.index || e.id) out.objects_.push_back(std::move(e));
            }
            out.summary_ = join(parts);
        } else {
            // A single object's field errors, or {"detail": "..."}.
            out.summary_ = format_field_errors(doc);
        }
    } else {
        out.summary_ = format_field_errors(doc);
    }
    if (out.summary_.empty()) out.summary_ = shorten(body, 300);
    if (out.summary_.empty()) out.summary_ = "(empty response body)";
    return out;
}

}  // namespace nds::netbox
