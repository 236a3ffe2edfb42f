// A NetBox error body, parsed into per-object messages. NetBox answers a rejected write with one of several
// JSON shapes depending on version and operation (NetBox's REST API):
//   single object (any version)   {"address": ["..."], "custom_fields": {"x": ["..."]}, "__all__": ["..."]}
//   bulk create, 4.5 / 4.6        [{}, {"address": ["..."]}, {}]          one dict per element, {} = valid
//   bulk update, 4.5 / 4.6        {"address": ["..."]}                    the first bad object, no index
//   any bulk write, 4.7           {"detail": "k of n ...", "errors": [{"index": 1, "errors": {...}},
//                                                                      {"id": 42, "errors": {...}}]}
//   request-level                 {"detail": "..."}
//   unhandled exception (500)     {"error": "...", "exception": "IntegrityError", "netbox_version", ...}
//                                 (utilities/error_handlers.py handle_rest_api_exception)
// Everything is kept as text in the "field: message; field2: message" form that ends up in reports, so the
// operator sees NetBox's own words.
#pragma once

#include "sync_engine/netbox_snapshot.hpp"

#include <boost/json/fwd.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::netbox {

/// The error of one object in a rejected request. `index` and/or `id` say which object, when NetBox said so.
struct ObjectError {
    std::optional<std::size_t> index;     ///< position in the request array (4.5/4.6 create array, 4.7 "index")
    std::optional<engine::ObjectId> id;   ///< object id (4.7 "id", for updates and deletes)
    std::string message;                  ///< "address: Duplicate IP address ...; dns_name: ..."
};

class NetBoxError {
public:
    /// Never fails: a body that is not JSON becomes `summary` (trimmed, shortened).
    static NetBoxError parse(std::string_view body);

    /// Errors that name their object (by index or id). Empty when the body names none.
    const std::vector<ObjectError>& objects() const { return objects_; }
    /// The whole body as one message: the formatted field errors, the detail, or the raw text.
    const std::string& summary() const { return summary_; }
    /// True when at least one error names its object, so a splitter need not bisect.
    bool names_objects() const { return !objects_.empty(); }
    /// The Python exception class of a 500 answer ("IntegrityError", "DataError"), "" for other bodies.
    const std::string& exception() const { return exception_; }
    /// A database unique constraint refused the request: NetBox rolled the whole request back, so it is safe
    /// to resend its objects in smaller batches to find the one that clashes.
    bool is_integrity_error() const { return exception_ == "IntegrityError"; }

private:
    std::vector<ObjectError> objects_;
    std::string summary_;
    std::string exception_;
};

/// "field: message; field2: message" for a DRF error value: a dict of fields (nested dicts become
/// "custom_fields.x", lists of dicts "tags[1].slug"), a list of messages, or a string. Non-field keys
/// ("__all__", "non_field_errors", "detail") give the message without a field prefix.
std::string format_field_errors(const boost::json::value& errors);

/// At most `limit` characters of `text` (whitespace-trimmed), "..." appended when cut; never splits a UTF-8
/// sequence.
std::string shorten(std::string_view text, std::size_t limit);

}  // namespace nds::netbox
