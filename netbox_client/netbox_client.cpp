// NetBox client: the I/O half. Request targets, JSON and error parsing, and split decisions are sans-IO
// (netbox_query, netbox_json, netbox_error, bulk_splitter); this file only sends requests and strings the
// pieces together.
#include "netbox_client/netbox_client.hpp"

#include "http/url.hpp"
#include "util/bounded_parallel.hpp"
#include "netbox_client/bulk_splitter.hpp"
#include "netbox_client/netbox_error.hpp"
#include "netbox_client/netbox_json.hpp"
#include "netbox_client/netbox_query.hpp"
#include "util/async.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
#include <set>
#include <system_error>
#include <unordered_set>

namespace nds::netbox {
namespace asio = boost::asio;
namespace json = boost::json;
namespace codec = json_codec;
using asio::awaitable;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t kChangelogMessageMax = 200;  // NetBox's limit for changelog_message

std::string trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return std::string(text);
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

/// Cut to NetBox's 200 characters (code points), never inside a UTF-8 sequence: a longer message would
/// make NetBox reject every object of every write.
std::string cut_changelog_message(const std::string& message) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < message.size(); ++i) {
        if ((static_cast<unsigned char>(message[i]) & 0xC0) == 0x80) continue;  // continuation byte
        if (chars == kChangelogMessageMax) return message.substr(0, i);
        ++chars;
    }
    return message;
}

/// One object of a bulk write: its JSON element, its id (0 for creates), and what to call it in reports.
struct BulkObject {
    std::string element;
    engine::ObjectId id = 0;
    engine::ObjectKind kind = engine::ObjectKind::ip_address;
    engine::ActionNote note;
    std::size_t action = 0;  ///< index of the action it was made from (WriteFailure::action)
};

}  // namespace

struct NetBoxClient::Impl {
    asio::any_io_executor executor;
    NetBoxOptions options;
    std::string base;          ///< path prefix of the NetBox URL ("" or "/netbox")
    std::string plugin;        ///< base + plugin path, ends with '/'
    std::string auth;
    std::string origin;
    std::string config_error;  ///< set when the URL cannot be used; every call then fails with it
    std::unique_ptr<http::Client> http;
    /// Where list pages are parsed: a page of 1,000 IP addresses is milliseconds of CPU, and the DHCP reads
    /// that run at the same time (sync_runner) must not wait for it on the I/O thread. Started on the first
    /// list read (clients that only check a token or the status need no thread).
    std::unique_ptr<asio::thread_pool> parser;
    bool parser_failed = false;  ///< no thread could be started: pages are parsed on the I/O thread
    /// slug -> NetBox id of every tag seen (nested in read pages, or by ensure_tag / a tag lookup): writes
    /// refer to tags by id, never by slug.
    std::map<std::string, ObjectId> tag_ids;
    /// NetBox's clock: the Date header of the newest response.
    std::optional<std::chrono::system_clock::time_point> last_date;

    Impl(asio::any_io_executor ex, NetBoxOptions opts) : executor(std::move(ex)), options(std::move(opts)) {
        options.changelog_message = cut_changelog_message(options.changelog_message);
        if (options.page_size <= 0) options.page_size = 1000;
        if (options.ip_write_batch_size <= 0) options.ip_write_batch_size = options.page_size;
        if (options.max_concurrent_writes <= 0) options.max_concurrent_writes = 1;
        auth = authorization_header(options.token);
        auto url = http::Url::parse(options.url);
        if (!url) {
            config_error = "NetBox URL '" + options.url + "' is not an http(s) URL";
            return;
        }
        origin = url->origin();
        base = query::base_path(options.url);
        plugin = base + query::normalize_plugin_path(options.plugin_path);
        try {
            http = std::make_unique<http::Client>(executor, options.url, options.http);
        } catch (const std::exception& e) {
            // e.g. an unreadable CA file: every call reports it instead of the constructor throwing.
            config_error = "NetBox client for " + origin + " cannot be set up: " + e.what();
        }
    }

    std::string core(std::string_view path) const { return base + std::string(path); }

    void problem(const std::string& message) const {
        if (options.on_problem) options.on_problem(message);
    }

    awaitable<Expected<http::Response>> send(std::string method, std::string target, std::string body = {}) {
        if (!http) co_return Error{make_error_code(errc::config), config_error};
        http::Request request;
        request.method = std::move(method);
        request.target = std::move(target);
        if (!auth.empty()) request.headers.emplace_back("Authorization", auth);
        request.headers.emplace_back("Accept", "application/json");
        if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
        request.body = std::move(body);
        // An Error from the transport already names the method and URL.
        auto response = co_await http->send(std::move(request));
        if (response) {
            if (auto date = codec::parse_http_date(response->header("Date"))) last_date = *date;
        }
        co_return response;
    }

    bool is_plugin_target(std::string_view target) const { return target.substr(0, plugin.size()) == plugin; }

    /// NetBox 4.7 answers 404 on every plugin path when it did not load the plugin (v1.3.5 stops at 4.6.99).
    Error plugin_not_loaded(const std::string& method, const std::string& target, const http::Response& response) const {
        std::string version(response.header("API-Version"));
        return Error{make_error_code(errc::unsupported),
                     method + " " + origin + target + " returned HTTP 404: the netbox-windows-dhcp plugin is not loaded by " +
                         (version.empty() ? std::string("this NetBox") : "NetBox " + version) +
                         " (plugin v1.3.5 supports NetBox up to 4.6; NetBox skips a plugin whose max_version it exceeds)",
                     404};
    }

    /// "GET https://netbox/api/...: HTTP 403: Invalid v2 token" from a non-2xx response.
    Error status_error(const std::string& method, const std::string& target, const http::Response& response) const {
        auto parsed = NetBoxError::parse(response.body);
        return Error{static_cast<int>(response.status), method + " " + origin + target + " returned HTTP " +
                                                            std::to_string(response.status) + ": " + parsed.summary()};
    }

    /// GET with a 2xx check; the body on success.
    awaitable<Expected<std::string>> get(std::string target) {
        auto response = co_await send("GET", target);
        if (!response) co_return response.error();
        if (response->status == 404 && is_plugin_target(target)) co_return plugin_not_loaded("GET", target, *response);
        if (!response->ok()) co_return status_error("GET", target, *response);
        co_return std::move(response->body);
    }

    /// Parses a page on the parser thread (see `parser`).
    template <class Parse>
    awaitable<std::invoke_result_t<Parse&, std::string_view>> parse_off_thread(Parse& parse, const std::string& body) {
        if (!parser && !parser_failed) {
            try {
                parser = std::make_unique<asio::thread_pool>(1);
            } catch (const std::system_error&) {
                parser_failed = true;
            }
        }
        if (!parser) co_return parse(body);
        // The page is parsed on the parser thread into `parsed`; the completion comes back here.
        std::optional<std::invoke_result_t<Parse&, std::string_view>> parsed;
        co_await asio::co_spawn(
            *parser, [&]() -> awaitable<void> { parsed.emplace(parse(body)); co_return; }, asio::use_awaitable);
        co_return std::move(*parsed);
    }

    /// Every page of a list, following `next`. `parse` is one of the codec's page parsers. While a page is
    /// parsed the next one is already asked for when its address shows in the page's first bytes
    /// (codec::peek_next_target): still one request in flight per list, but the parse is off the chain.
    template <class T, class Parse>
    awaitable<Expected<std::vector<T>>> read_all(std::string target, Parse parse) {
        std::vector<T> all;
        // A `next` that points back to a page already read would loop forever.
        std::set<std::string> seen{target};
        auto loops = [&] { return Error{make_error_code(errc::malformed), "GET " + origin + target + ": pagination loops (next repeats a page)"}; };
        auto body = co_await get(target);
        while (true) {
            if (!body) co_return body.error();
            auto guess = codec::peek_next_target(*body);
            bool read_ahead = guess && !guess->empty() && seen.insert(*guess).second;
            std::optional<std::invoke_result_t<Parse&, std::string_view>> page;
            Expected<std::string> ahead = std::string();
            if (read_ahead) {
                auto [parsed, next_body] = co_await when_all(parse_off_thread(parse, *body), get(*guess));
                page.emplace(std::move(parsed));
                ahead = std::move(next_body);
            } else {
                page.emplace(co_await parse_off_thread(parse, *body));
            }
            if (!*page) co_return Error{(*page).error().code, "GET " + origin + target + ": " + (*page).error().message};
            for (const auto& p : (*page)->problems) problem("GET " + origin + target + ": " + p);
            for (const auto& [slug, id] : (*page)->tag_ids) tag_ids.emplace(slug, id);
            for (auto& item : (*page)->results) all.push_back(std::move(item));
            std::string next = std::move((*page)->next);
            if (next.empty()) co_return all;
            if (read_ahead && next == *guess) {
                body = std::move(ahead);
            } else {
                if (read_ahead) seen.erase(*guess);  // asked for but not used: a later `next` may still name it
                if (!seen.insert(next).second) co_return loops();
                body = co_await get(next);
            }
            target = std::move(next);
        }
    }

    /// Several list reads (chunks of one filter), max_concurrent_writes of them in flight (the bound on
    /// NetBox requests in flight), merged in target order and de-duplicated by id.
    template <class T, class Parse>
    awaitable<Expected<std::vector<T>>> read_chunks(std::vector<std::string> targets, Parse parse) {
        std::vector<std::optional<Expected<std::vector<T>>>> parts(targets.size());
        co_await bounded_parallel(targets.size(), static_cast<std::size_t>(options.max_concurrent_writes),
                                  [&](std::size_t i) -> awaitable<void> {
            parts[i].emplace(co_await read_all<T>(std::move(targets[i]), parse));
        });
        std::size_t total = 0;
        for (const auto& part : parts) {
            if (!*part) co_return part->error();
            total += (*part)->size();
        }
        std::vector<T> all;
        all.reserve(total);  // no regrowth: at 100,000 IPs each doubling moved 18 MB
        std::unordered_set<engine::ObjectId> ids;
        ids.reserve(total);
        for (auto& part : parts) {
            for (auto& item : **part)
                if (ids.insert(item.id).second) all.push_back(std::move(item));
            part.reset();  // free each part as soon as it is merged
        }
        co_return all;
    }

    struct BulkResult {
        std::size_t applied = 0;
        std::vector<WriteFailure> failures;
        std::vector<engine::ObjectId> created_ids;  // per object, 0 when not created or id unknown
        std::vector<bool> applied_flags;             // per object
    };

    /// Bulk write of `objects` to the list endpoint `path`: page_size objects per request, at most
    /// max_concurrent_writes requests in flight; a 400 is split (BulkSplitter) until the bad objects are
    /// isolated and the others applied.
    awaitable<BulkResult> bulk(std::string method, std::string path, const std::vector<BulkObject>& objects,
                               std::size_t batch_size = 0) {
        BulkResult result;
        result.created_ids.assign(objects.size(), 0);
        result.applied_flags.assign(objects.size(), false);
        if (objects.empty()) co_return result;
        if (!http) {
            for (const auto& o : objects) result.failures.push_back(failure(o, config_error));
            co_return result;
        }
        // The elements are joined straight from `objects`, batch by batch: a copy of every element (30 MB on
        // a 100,000-IP first sync) was the largest allocation of the run (measured with bench/).
        std::vector<engine::ObjectId> ids;
        ids.reserve(objects.size());
        for (const auto& o : objects) ids.push_back(o.id);
        auto join = [&objects](const std::vector<std::size_t>& batch) {
            std::size_t size = 2;
            for (auto i : batch) size += objects[i].element.size() + 1;
            std::string out;
            out.reserve(size);
            out += '[';
            for (std::size_t k = 0; k < batch.size(); ++k) {
                if (k) out += ',';
                out += objects[batch[k]].element;
            }
            out += ']';
            return out;
        };
        std::vector<std::vector<std::size_t>> batches;
        std::size_t page = batch_size > 0 ? batch_size : static_cast<std::size_t>(options.page_size);
        for (std::size_t i = 0; i < objects.size(); i += page) {
            std::vector<std::size_t> batch;
            for (std::size_t j = i; j < std::min(objects.size(), i + page); ++j) batch.push_back(j);
            batches.push_back(std::move(batch));
        }

        co_await bounded_parallel(
            batches.size(), static_cast<std::size_t>(options.max_concurrent_writes),
            [&](std::size_t b) -> awaitable<void> {
                // Resends of a split batch stay with the worker that split it, in order.
                std::deque<std::vector<std::size_t>> queue{batches[b]};
                while (!queue.empty()) {
                    auto batch = std::move(queue.front());
                    queue.pop_front();
                    auto response = co_await send(method, path, join(batch));
                    if (!response) {
                        for (auto i : batch) result.failures.push_back(failure(objects[i], response.error().message));
                        continue;
                    }
                    if (response->ok()) {
                        on_success(method, path, objects, batch, *response, result);
                        continue;
                    }
                    auto parsed = NetBoxError::parse(response->body);
                    // Rejections that commit nothing, so the objects may be resent in smaller batches: 400
                    // (validation), 500 IntegrityError (a unique constraint; NetBox rolls the request back) and
                    // 409 on a delete (a protected object blocks the whole batch).
                    bool splittable = response->status == 400 ||
                                      (response->status == 500 && parsed.is_integrity_error()) ||
                                      (response->status == 409 && method == "DELETE");
                    if (splittable) {
                        auto decision = BulkSplitter::split(batch, ids, parsed);
                        for (const auto& f : decision.failed) result.failures.push_back(failure(objects[f.object], f.message));
                        for (auto it = decision.resend.rbegin(); it != decision.resend.rend(); ++it)
                            queue.push_front(std::move(*it));
                        continue;
                    }
                    // 403, 5xx (after the transport's retries): the whole request failed as one.
                    auto error = status_error(method, path, *response);
                    for (auto i : batch) result.failures.push_back(failure(objects[i], error.message));
                }
            });
        co_return result;
    }

    void on_success(const std::string& method, const std::string& path, const std::vector<BulkObject>& objects,
                    const std::vector<std::size_t>& batch, const http::Response& response, BulkResult& result) const {
        if (method == "DELETE") {  // 204, no body
            mark_applied(batch, result);
            return;
        }
        auto returned = codec::parse_ids(response.body);
        if (method == "POST") {
            mark_applied(batch, result);
            if (returned && returned->size() == batch.size()) {
                for (std::size_t k = 0; k < batch.size(); ++k) result.created_ids[batch[k]] = (*returned)[k];
            } else {
                problem("POST " + origin + path + ": the response does not list the " + std::to_string(batch.size()) +
                        " created objects; their ids are unknown");
            }
            return;
        }
        // PATCH: 4.5/4.6 silently skip ids that do not exist (or are not permitted); the response lacks them.
        if (!returned) {
            mark_applied(batch, result);
            return;
        }
        std::unordered_set<engine::ObjectId> updated(returned->begin(), returned->end());
        for (auto i : batch) {
            if (updated.count(objects[i].id)) {
                mark_applied({i}, result);
            } else {
                result.failures.push_back(failure(objects[i], "NetBox did not update object " + std::to_string(objects[i].id) +
                                                                 " (it does not exist or this token may not change it)"));
            }
        }
    }

    static void mark_applied(const std::vector<std::size_t>& batch, BulkResult& result) {
        result.applied += batch.size();
        for (auto i : batch) result.applied_flags[i] = true;
    }

    static WriteFailure failure(const BulkObject& object, std::string error) {
        return WriteFailure{object.kind, object.action, object.note.object, object.note.server, object.note.scope,
                            std::move(error)};
    }

    template <class Action>
    static BulkObject object_of(const Action& action, engine::ObjectKind kind, json::object element, engine::ObjectId id = 0) {
        return BulkObject{json::serialize(element), id, kind, action.note};
    }

    /// Takes everything by value: the public write methods build the objects eagerly and return this
    /// coroutine, so their callers may pass temporaries and co_await later.
    /// Creates whose payload needs the NetBox id of another object (a scope's prefix, an option value's
    /// definition): `ids[i]`, else `fallback(creates[i])`. Those without one fail with `missing(c)`; the
    /// rest are serialised for one bulk POST, and merge() maps the ids NetBox returns back to `creates`.
    struct ReferencedBatch {
        WriteReport report;
        std::vector<BulkObject> objects;
        std::vector<std::size_t> sent;  ///< objects[k] is creates[sent[k]]

        void merge(BulkResult& result) {
            report.applied = result.applied;
            for (auto& f : result.failures) report.failures.push_back(std::move(f));
            for (std::size_t k = 0; k < sent.size(); ++k) report.created_ids[sent[k]] = result.created_ids[k];
        }
    };

    template <class Create, class Fallback, class Element, class Missing>
    ReferencedBatch referenced_batch(const std::vector<Create>& creates, const std::vector<ObjectId>& ids,
                                     engine::ObjectKind kind, Fallback fallback, Element element, Missing missing) {
        ReferencedBatch batch;
        batch.report.created_ids.assign(creates.size(), 0);
        for (std::size_t i = 0; i < creates.size(); ++i) {
            const auto& c = creates[i];
            ObjectId id = i < ids.size() && ids[i] > 0 ? ids[i] : fallback(c);
            if (id <= 0) {
                batch.report.failures.push_back({kind, i, c.note.object, c.note.server, c.note.scope, missing(c)});
                continue;
            }
            batch.objects.push_back(object_of(c, kind, element(c, id)));
            batch.objects.back().action = i;
            batch.sent.push_back(i);
        }
        return batch;
    }

    awaitable<WriteReport> write(std::string method, std::string path, std::vector<BulkObject> objects,
                                 std::size_t batch_size = 0) {
        for (std::size_t i = 0; i < objects.size(); ++i) objects[i].action = i;  // one object per action, in order
        auto result = co_await bulk(method, std::move(path), objects, batch_size);
        WriteReport report;
        report.applied = result.applied;
        report.failures = std::move(result.failures);
        if (method == "POST") report.created_ids = std::move(result.created_ids);
        co_return report;
    }

    awaitable<WriteReport> create_scopes(std::vector<engine::ScopeCreate> creates, std::vector<ObjectId> prefix_ids);

    // ---- tags by id ----

    /// The ids of `slugs` from the cache; nullopt when one is unknown.
    std::optional<std::vector<ObjectId>> known_tag_ids(const std::vector<std::string>& slugs) const {
        std::vector<ObjectId> ids;
        ids.reserve(slugs.size());
        for (const auto& slug : slugs) {
            auto it = tag_ids.find(slug);
            if (it == tag_ids.end()) return std::nullopt;
            ids.push_back(it->second);
        }
        return ids;
    }

    /// Looks the slugs up (GET /api/extras/tags/?slug=..) and caches what NetBox shows. A failed lookup (a
    /// token that may not view tags gets 403) leaves them unknown: their objects then fail without a request.
    awaitable<void> look_up_tags(std::set<std::string> slugs) {
        std::vector<std::string> list(slugs.begin(), slugs.end());
        for (std::size_t i = 0; i < list.size(); i += query::kNetworksPerRequest) {
            std::vector<std::pair<std::string, std::string>> filters;
            for (std::size_t j = i; j < std::min(list.size(), i + query::kNetworksPerRequest); ++j)
                filters.emplace_back("slug", list[j]);
            auto tags = co_await read_all<codec::TagRef>(
                query::list_target(core("/api/extras/tags/"), options.page_size, filters, query::fields::kTag),
                codec::parse_tag_page);
            if (!tags) {
                problem("cannot look up tags by slug: " + tags.error().message);
                continue;
            }
            for (const auto& t : *tags) tag_ids[t.slug] = t.id;
        }
    }

    static std::string unknown_tags_message(const std::vector<std::string>& slugs) {
        std::string names;
        for (const auto& slug : slugs) names += (names.empty() ? "'" : ", '") + slug + "'";
        return "tag " + names + " has no known NetBox id (not found, or this token may not view tags): tags are written by id";
    }

    /// IP creates/updates with their tags as ids: those whose tags are all known become objects; the others
    /// fail. `index[k]` is the position in `actions` of objects[k].
    template <class Action, class Tags, class Element>
    ReferencedBatch ip_batch(const std::vector<Action>& actions, Tags tags_of, Element element, bool creates) const {
        ReferencedBatch batch;
        if (creates) batch.report.created_ids.assign(actions.size(), 0);
        for (std::size_t i = 0; i < actions.size(); ++i) {
            const auto& a = actions[i];
            const std::vector<std::string>* slugs = tags_of(a);
            std::vector<ObjectId> ids;
            if (slugs) {
                auto known = known_tag_ids(*slugs);
                if (!known) {
                    batch.report.failures.push_back({engine::ObjectKind::ip_address, i, a.note.object, a.note.server,
                                                     a.note.scope, unknown_tags_message(*slugs)});
                    continue;
                }
                ids = std::move(*known);
            }
            batch.objects.push_back(element(a, ids));
            batch.objects.back().action = i;
            batch.sent.push_back(i);
        }
        return batch;
    }

    template <class Action, class Tags>
    std::set<std::string> missing_tags(const std::vector<Action>& actions, Tags tags_of) const {
        std::set<std::string> missing;
        for (const auto& a : actions)
            if (const std::vector<std::string>* slugs = tags_of(a))
                for (const auto& slug : *slugs)
                    if (!tag_ids.count(slug)) missing.insert(slug);
        return missing;
    }

    awaitable<WriteReport> send_ip_batch(std::string method, ReferencedBatch batch) {
        auto result = co_await bulk(method, core("/api/ipam/ip-addresses/"), batch.objects,
                                    static_cast<std::size_t>(options.ip_write_batch_size));
        if (method == "POST") {
            batch.merge(result);
        } else {
            batch.report.applied = result.applied;
            for (auto& f : result.failures) batch.report.failures.push_back(std::move(f));
        }
        co_return std::move(batch.report);
    }

    awaitable<WriteReport> create_ips(std::vector<engine::IpAddressCreate> creates, std::set<std::string> missing) {
        co_await look_up_tags(std::move(missing));
        co_return co_await send_ip_batch("POST", ip_create_batch(creates));
    }

    awaitable<WriteReport> update_ips(std::vector<engine::IpAddressUpdate> updates, std::set<std::string> missing) {
        co_await look_up_tags(std::move(missing));
        co_return co_await send_ip_batch("PATCH", ip_update_batch(updates));
    }

    static const std::vector<std::string>* create_tags(const engine::IpAddressCreate& c) { return &c.tags; }
    static const std::vector<std::string>* update_tags(const engine::IpAddressUpdate& u) {
        return u.tags ? &*u.tags : nullptr;
    }

    ReferencedBatch ip_create_batch(const std::vector<engine::IpAddressCreate>& creates) const {
        return ip_batch(creates, create_tags, [this](const engine::IpAddressCreate& c, const std::vector<ObjectId>& ids) {
            return object_of(c, engine::ObjectKind::ip_address, codec::ip_create_element(c, ids, options.changelog_message));
        }, true);
    }

    ReferencedBatch ip_update_batch(const std::vector<engine::IpAddressUpdate>& updates) const {
        return ip_batch(updates, update_tags, [this](const engine::IpAddressUpdate& u, const std::vector<ObjectId>& ids) {
            return object_of(u, engine::ObjectKind::ip_address, codec::ip_update_element(u, ids, options.changelog_message), u.id);
        }, false);
    }
    awaitable<WriteReport> create_option_values(std::vector<engine::OptionValueCreate> creates,
                                                std::vector<ObjectId> definition_ids);
};

NetBoxClient::NetBoxClient(asio::any_io_executor executor, NetBoxOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {}

NetBoxClient::~NetBoxClient() = default;

std::string NetBoxClient::authorization_header(const std::string& token) {
    std::string value = trim(token);
    // Accept a value pasted with its scheme; the scheme is chosen from the token itself.
    if (starts_with_ci(value, "token ")) value = trim(value.substr(6));
    else if (starts_with_ci(value, "bearer ")) value = trim(value.substr(7));
    if (value.empty()) return {};
    return (value.rfind("nbt_", 0) == 0 ? "Bearer " : "Token ") + value;
}

awaitable<Expected<std::string>> NetBoxClient::authenticated_user() {
    std::string target = impl_->core("/api/authentication-check/");
    auto body = co_await impl_->get(target);
    if (!body) co_return body.error();
    auto user = codec::parse_username(*body);
    if (!user) co_return Error{user.error().code, "GET " + impl_->origin + target + ": " + user.error().message};
    co_return user;
}

awaitable<Expected<NetBoxClient::Status>> NetBoxClient::status() {
    std::string target = impl_->core("/api/status/");
    auto body = co_await impl_->get(target);
    if (!body) co_return body.error();
    auto info = codec::parse_status(*body);
    if (!info) co_return Error{info.error().code, "GET " + impl_->origin + target + ": " + info.error().message};
    Status status{info->netbox_version, info->plugin_installed, info->plugin_version, {}};
    if (!status.plugin_installed) {
        bool v47_or_later = false;
        int major = 0, minor = 0;
        if (std::sscanf(status.netbox_version.c_str(), "%d.%d", &major, &minor) == 2)
            v47_or_later = major > 4 || (major == 4 && minor >= 7);
        status.plugin_problem =
            v47_or_later ? "NetBox " + status.netbox_version + " does not load the netbox-windows-dhcp plugin: plugin "
                               "v1.3.5 supports NetBox up to 4.6 (max_version 4.6.99) and NetBox skips a plugin whose "
                               "max_version it exceeds; install a plugin release that supports this NetBox version"
                         : "the netbox-windows-dhcp plugin is not installed in NetBox " + status.netbox_version +
                               " (GET /api/status/ lists no such plugin)";
    }
    co_return status;
}

awaitable<Expected<NetBoxClient::Status>> NetBoxClient::plugin_status() {
    auto status = co_await this->status();
    if (!status) co_return status.error();
    if (!status->plugin_installed) co_return Error{make_error_code(errc::unsupported), status->plugin_problem};
    co_return status;
}

std::optional<std::chrono::system_clock::time_point> NetBoxClient::netbox_date() const { return impl_->last_date; }

awaitable<Expected<std::vector<engine::NetBoxIpRange>>> NetBoxClient::list_populated_ranges(
    std::vector<engine::PrefixToRead> prefixes) {
    std::map<std::optional<ObjectId>, std::vector<engine::Ipv4Network>> by_vrf;
    for (const auto& p : prefixes) by_vrf[p.vrf_id].push_back(p.prefix);
    std::vector<std::string> targets;
    for (const auto& [vrf, networks] : by_vrf) {
        std::vector<std::pair<std::string, std::string>> filters;
        filters.emplace_back("mark_populated", "true");
        filters.emplace_back("vrf_id", vrf ? std::to_string(*vrf) : std::string("null"));
        targets.push_back(query::list_target(impl_->core("/api/ipam/ip-ranges/"), impl_->options.page_size, filters,
                                             query::fields::kIpRange));
    }
    auto ranges = co_await impl_->read_chunks<engine::NetBoxIpRange>(std::move(targets), codec::parse_ip_range_page);
    if (!ranges) co_return ranges.error();
    std::vector<engine::NetBoxIpRange> overlapping;
    for (auto& range : *ranges) {
        if (!range.mark_populated) continue;  // the filter said so; a proxy or another version might not
        auto it = by_vrf.find(range.vrf_id);
        if (it == by_vrf.end()) continue;
        bool overlaps = std::any_of(it->second.begin(), it->second.end(), [&](const engine::Ipv4Network& n) {
            return range.start <= n.broadcast() && n.network <= range.end;
        });
        if (overlaps) overlapping.push_back(std::move(range));
    }
    co_return overlapping;
}

awaitable<Expected<NetBoxClient::PluginSyncJobs>> NetBoxClient::plugin_sync_jobs(std::chrono::minutes recent) {
    const std::string path = impl_->core("/api/core/jobs/");
    auto to_job = [](const codec::JobRecord& r) {
        return PluginSyncJob{r.id, r.status, r.scheduled, r.started, r.completed, r.interval};
    };
    auto read = [&](std::vector<std::pair<std::string, std::string>> filters) -> awaitable<Expected<std::vector<codec::JobRecord>>> {
        filters.emplace(filters.begin(), "name", "Windows DHCP Sync");  // DHCPSyncJob.Meta.name
        auto jobs = co_await impl_->read_all<codec::JobRecord>(query::list_target(path, impl_->options.page_size, filters, query::fields::kJob),
                                                               codec::parse_job_page);
        if (!jobs && jobs.error().http_status == 403)
            co_return Error{make_error_code(errc::refused),
                            jobs.error().message + " (the token's user needs the core.view_job permission to see the "
                                                   "plugin's sync job)",
                            403};
        co_return jobs;
    };
    std::vector<std::pair<std::string, std::string>> queued_filters;
    for (const char* status : {"pending", "scheduled", "running"}) queued_filters.emplace_back("status", status);
    auto queued = co_await read(std::move(queued_filters));
    if (!queued) co_return queued.error();
    // "Recently" is measured on NetBox's clock (the Date of the answer just read), not on ours.
    auto now = impl_->last_date.value_or(std::chrono::system_clock::now());
    std::vector<std::pair<std::string, std::string>> recent_filters;
    recent_filters.emplace_back("completed__after", codec::iso_utc(now - recent));
    auto finished = co_await read(std::move(recent_filters));
    if (!finished) co_return finished.error();

    PluginSyncJobs out;
    for (const auto& j : *queued) out.queued.push_back(to_job(j));
    std::sort(finished->begin(), finished->end(),
              [](const codec::JobRecord& a, const codec::JobRecord& b) { return a.completed > b.completed; });
    for (const auto& j : *finished) {
        out.recent.push_back(to_job(j));
        if (!out.lease_status.empty()) continue;
        // The newest run that logged its settings also says which servers it skipped for maintenance.
        for (const auto& message : j.log_messages)
            if (auto settings = codec::parse_sync_start_line(message)) {
                out.lease_status = settings->lease_status;
                out.reservation_status = settings->reservation_status;
            } else if (auto skipped = codec::parse_maintenance_skip_line(message)) {
                out.maintenance_servers.push_back(std::move(*skipped));
            }
        if (out.lease_status.empty()) out.maintenance_servers.clear();
    }
    co_return out;
}

awaitable<Expected<std::vector<engine::NetBoxServer>>> NetBoxClient::list_servers() {
    co_return co_await impl_->read_all<engine::NetBoxServer>(
        query::list_target(impl_->plugin + "servers/", impl_->options.page_size, {}, query::fields::kServer),
        codec::parse_server_page);
}

awaitable<Expected<std::vector<engine::NetBoxFailover>>> NetBoxClient::list_failovers() {
    co_return co_await impl_->read_all<engine::NetBoxFailover>(
        query::list_target(impl_->plugin + "failover/", impl_->options.page_size, {}, query::fields::kFailover),
        codec::parse_failover_page);
}

awaitable<Expected<std::vector<engine::NetBoxScope>>> NetBoxClient::list_scopes() {
    co_return co_await impl_->read_all<engine::NetBoxScope>(
        query::list_target(impl_->plugin + "scopes/", impl_->options.page_size, {}, query::fields::kScope),
        codec::parse_scope_page);
}

awaitable<Expected<std::vector<engine::NetBoxPrefix>>> NetBoxClient::list_prefixes_by_id(std::vector<ObjectId> ids) {
    co_return co_await impl_->read_chunks<engine::NetBoxPrefix>(
        query::prefixes_by_id_targets(impl_->core("/api/ipam/prefixes/"), std::move(ids), impl_->options.page_size),
        codec::parse_prefix_page);
}

awaitable<Expected<std::vector<engine::NetBoxPrefix>>> NetBoxClient::list_prefixes_by_tag(std::string slug) {
    // Named locals instead of braced lists inside co_await expressions: GCC 12 miscompiles those.
    std::vector<std::pair<std::string, std::string>> filters;
    filters.emplace_back("tag", slug);
    std::string target =
        query::list_target(impl_->core("/api/ipam/prefixes/"), impl_->options.page_size, filters, query::fields::kPrefix);
    co_return co_await impl_->read_all<engine::NetBoxPrefix>(std::move(target), codec::parse_prefix_page);
}

awaitable<Expected<std::vector<engine::NetBoxPrefix>>> NetBoxClient::find_prefixes(std::vector<engine::Ipv4Network> networks) {
    co_return co_await impl_->read_chunks<engine::NetBoxPrefix>(
        query::prefix_lookup_targets(impl_->core("/api/ipam/prefixes/"), std::move(networks), impl_->options.page_size),
        codec::parse_prefix_page);
}

awaitable<Expected<std::vector<engine::NetBoxIpAddress>>> NetBoxClient::list_ip_addresses(std::vector<engine::PrefixToRead> prefixes) {
    co_return co_await impl_->read_chunks<engine::NetBoxIpAddress>(
        query::ip_address_targets(impl_->core("/api/ipam/ip-addresses/"), std::move(prefixes), impl_->options.page_size),
        codec::parse_ip_address_page);
}

awaitable<Expected<std::vector<engine::NetBoxIpAddress>>> NetBoxClient::list_ip_addresses_changed_since(
    std::vector<engine::PrefixToRead> prefixes, std::chrono::system_clock::time_point watermark) {
    std::vector<std::pair<std::string, std::string>> since;
    since.emplace_back("last_updated__gte", codec::iso_utc(watermark));
    co_return co_await impl_->read_chunks<engine::NetBoxIpAddress>(
        query::ip_address_targets(impl_->core("/api/ipam/ip-addresses/"), std::move(prefixes), impl_->options.page_size, since),
        codec::parse_ip_address_page);
}

awaitable<Expected<NetBoxClient::DeletedObjects>> NetBoxClient::deleted_since(std::string object_type,
                                                                              std::chrono::system_clock::time_point watermark) {
    const std::string path = impl_->core("/api/core/object-changes/");
    std::vector<std::pair<std::string, std::string>> filters;
    filters.emplace_back("changed_object_type", object_type);
    filters.emplace_back("action", "delete");
    filters.emplace_back("time_after", codec::iso_utc(watermark));
    auto deletes = co_await impl_->read_all<codec::ChangeRecord>(
        query::list_target(path, impl_->options.page_size, filters, query::fields::kObjectChange),
        codec::parse_object_change_page);
    if (!deletes) co_return deletes.error();
    // The oldest record kept: one row in id order (ids grow with time).
    std::string oldest_target = query::list_target(path, 1, {}, query::fields::kObjectChange);
    auto body = co_await impl_->get(oldest_target);
    if (!body) co_return body.error();
    auto page = codec::parse_object_change_page(*body);
    if (!page) co_return Error{make_error_code(errc::malformed), "GET " + impl_->origin + oldest_target + ": " + page.error().message};

    DeletedObjects out;
    for (const auto& d : *deletes)
        if (d.action == "delete" && d.changed_object_id > 0) out.ids.push_back(d.changed_object_id);
    std::sort(out.ids.begin(), out.ids.end());
    out.ids.erase(std::unique(out.ids.begin(), out.ids.end()), out.ids.end());
    if (!page->results.empty()) out.oldest_change = codec::parse_iso_datetime(page->results.front().time);
    out.complete = out.oldest_change && *out.oldest_change <= watermark;
    co_return out;
}

awaitable<Expected<std::vector<engine::NetBoxOptionCode>>> NetBoxClient::list_option_codes() {
    co_return co_await impl_->read_all<engine::NetBoxOptionCode>(
        query::list_target(impl_->plugin + std::string(query::kPluginOptionCodes), impl_->options.page_size, {},
                           query::fields::kOptionCode),
        codec::parse_option_code_page);
}

awaitable<Expected<std::vector<engine::NetBoxOptionValue>>> NetBoxClient::list_option_values() {
    co_return co_await impl_->read_all<engine::NetBoxOptionValue>(
        query::list_target(impl_->plugin + std::string(query::kPluginOptionValues), impl_->options.page_size, {},
                           query::fields::kOptionValue),
        codec::parse_option_value_page);
}

awaitable<Expected<bool>> NetBoxClient::ensure_tag(std::string slug, std::string name, std::string description) {
    std::string path = impl_->core("/api/extras/tags/");
    std::vector<std::pair<std::string, std::string>> filters;
    filters.emplace_back("slug", slug);
    std::string lookup = query::list_target(path, impl_->options.page_size, filters, query::fields::kTag);
    auto exists = [&]() -> awaitable<Expected<bool>> {
        auto tags = co_await impl_->read_all<codec::TagRef>(lookup, codec::parse_tag_page);
        if (!tags) co_return tags.error();
        for (const auto& t : *tags)
            if (t.slug == slug) {
                impl_->tag_ids[slug] = t.id;  // later writes refer to it by id
                co_return true;
            }
        co_return false;
    };
    auto found = co_await exists();
    if (!found) co_return found.error();
    if (*found) co_return false;

    auto response = co_await impl_->send("POST", path, json::serialize(codec::tag_create_element(slug, name, description)));
    if (!response) co_return response.error();
    if (response->ok()) {
        if (auto id = codec::parse_object_id(response->body)) impl_->tag_ids[slug] = *id;
        else impl_->problem("POST " + impl_->origin + path + ": the created tag's id is unknown: " + id.error().message);
        co_return true;
    }
    if (response->status == 400) {
        // Another run may have created it in the meantime (slug and name are unique).
        auto again = co_await exists();
        if (again && *again) co_return false;
    }
    co_return impl_->status_error("POST", path, *response);
}

awaitable<Expected<Done>> NetBoxClient::write_server_journal(ObjectId server_id, std::string kind, std::string comments) {
    std::string path = impl_->core("/api/extras/journal-entries/");
    auto response = co_await impl_->send("POST", path, json::serialize(codec::server_journal_element(server_id, kind, comments)));
    if (!response) co_return response.error();
    if (!response->ok()) co_return impl_->status_error("POST", path, *response);
    co_return Done{};
}

// ---- writes ----
// The public write methods are not coroutines: they build every element now (from the caller's references)
// and return a coroutine that owns its data.

awaitable<WriteReport> NetBoxClient::create_failovers(const std::vector<engine::FailoverCreate>& creates) {
    std::vector<BulkObject> objects;
    for (const auto& c : creates)
        objects.push_back(Impl::object_of(c, engine::ObjectKind::failover, codec::failover_create_element(c, impl_->options.changelog_message)));
    return impl_->write("POST", impl_->plugin + std::string(query::kPluginFailovers), std::move(objects));
}

awaitable<WriteReport> NetBoxClient::create_option_codes(const std::vector<engine::OptionCodeCreate>& creates) {
    std::vector<BulkObject> objects;
    for (const auto& c : creates)
        objects.push_back(Impl::object_of(c, engine::ObjectKind::option_code, codec::option_code_create_element(c, impl_->options.changelog_message)));
    return impl_->write("POST", impl_->plugin + std::string(query::kPluginOptionCodes), std::move(objects));
}

awaitable<WriteReport> NetBoxClient::create_option_values(const std::vector<engine::OptionValueCreate>& creates,
                                                          const std::vector<ObjectId>& definition_ids) {
    return impl_->create_option_values(creates, definition_ids);
}

awaitable<WriteReport> NetBoxClient::Impl::create_option_values(std::vector<engine::OptionValueCreate> creates,
                                                                std::vector<ObjectId> definition_ids) {
    auto batch = referenced_batch(
        creates, definition_ids, engine::ObjectKind::option_value,
        [](const engine::OptionValueCreate& c) { return c.definition_id.value_or(0); },
        [&](const engine::OptionValueCreate& c, ObjectId definition) {
            return codec::option_value_create_element(c, definition, options.changelog_message);
        },
        [](const engine::OptionValueCreate& c) {
            return "the definition of option " + std::to_string(c.code) + " has no NetBox id (it was not created)";
        });
    auto result = co_await bulk("POST", plugin + std::string(query::kPluginOptionValues), batch.objects);
    batch.merge(result);
    co_return std::move(batch.report);
}

awaitable<WriteReport> NetBoxClient::create_prefixes(const std::vector<engine::PrefixCreate>& creates) {
    std::vector<BulkObject> objects;
    for (const auto& c : creates)
        objects.push_back(Impl::object_of(c, engine::ObjectKind::prefix, codec::prefix_create_element(c, impl_->options.changelog_message)));
    return impl_->write("POST", impl_->core("/api/ipam/prefixes/"), std::move(objects));
}

awaitable<WriteReport> NetBoxClient::create_scopes(const std::vector<engine::ScopeCreate>& creates,
                                                   const std::vector<ObjectId>& prefix_ids) {
    return impl_->create_scopes(creates, prefix_ids);
}

awaitable<WriteReport> NetBoxClient::Impl::create_scopes(std::vector<engine::ScopeCreate> creates,
                                                         std::vector<ObjectId> prefix_ids) {
    auto batch = referenced_batch(
        creates, prefix_ids, engine::ObjectKind::scope,
        [](const engine::ScopeCreate& c) { return c.prefix_id.value_or(0); },
        [&](const engine::ScopeCreate& c, ObjectId prefix_id) {
            return codec::scope_create_element(c, prefix_id, options.changelog_message);
        },
        [](const engine::ScopeCreate& c) {
            return "prefix " + c.prefix.to_string() + " has no NetBox id (it was not created)";
        });
    auto result = co_await bulk("POST", plugin + "scopes/", batch.objects);
    batch.merge(result);
    auto& report = batch.report;
    const auto& sent = batch.sent;

    // The exclusion ranges of the new scopes (the scope serializer does not take them inline).
    std::vector<BulkObject> ranges;
    for (std::size_t k = 0; k < sent.size(); ++k) {
        const auto& c = creates[sent[k]];
        if (c.exclusions.empty() || !result.applied_flags[k]) continue;  // a failed scope is already reported
        ObjectId scope_id = result.created_ids[k];
        for (const auto& e : c.exclusions) {
            engine::ActionNote note = c.note;
            note.scope = c.note.scope.empty() ? c.name : c.note.scope;
            note.object = e.start_ip.to_string() + "-" + e.end_ip.to_string();
            if (scope_id == 0) {
                report.failures.push_back({engine::ObjectKind::exclusion_range, sent[k], note.object, note.server, note.scope,
                                           "the new scope's id is unknown (NetBox did not return it), so this exclusion "
                                           "range was not created"});
                continue;
            }
            ranges.push_back(BulkObject{json::serialize(codec::exclusion_create_element(scope_id, e.start_ip, e.end_ip,
                                                                                       options.changelog_message)),
                                        0, engine::ObjectKind::exclusion_range, note, sent[k]});
        }
    }
    auto range_result = co_await bulk("POST", plugin + "exclusion-ranges/", ranges);
    report.exclusions_applied = range_result.applied;
    for (auto& f : range_result.failures) report.failures.push_back(std::move(f));
    co_return report;
}

awaitable<WriteReport> NetBoxClient::update_scopes(const std::vector<engine::ScopeUpdate>& updates) {
    std::vector<BulkObject> objects;
    for (const auto& u : updates)
        objects.push_back(Impl::object_of(u, engine::ObjectKind::scope, codec::scope_update_element(u, impl_->options.changelog_message), u.id));
    return impl_->write("PATCH", impl_->plugin + "scopes/", std::move(objects));
}

awaitable<WriteReport> NetBoxClient::delete_scopes(const std::vector<engine::ScopeDelete>& deletes) {
    std::vector<BulkObject> objects;
    for (const auto& d : deletes)
        objects.push_back(Impl::object_of(d, engine::ObjectKind::scope, codec::delete_element(d.id, impl_->options.changelog_message), d.id));
    return impl_->write("DELETE", impl_->plugin + "scopes/", std::move(objects));
}

awaitable<WriteReport> NetBoxClient::create_exclusion_ranges(const std::vector<engine::ExclusionRangeCreate>& creates) {
    std::vector<BulkObject> objects;
    for (const auto& c : creates)
        objects.push_back(Impl::object_of(c, engine::ObjectKind::exclusion_range,
                                          codec::exclusion_create_element(c.scope_id, c.start_ip, c.end_ip, impl_->options.changelog_message)));
    return impl_->write("POST", impl_->plugin + "exclusion-ranges/", std::move(objects));
}

awaitable<WriteReport> NetBoxClient::delete_exclusion_ranges(const std::vector<engine::ExclusionRangeDelete>& deletes) {
    std::vector<BulkObject> objects;
    for (const auto& d : deletes)
        objects.push_back(Impl::object_of(d, engine::ObjectKind::exclusion_range, codec::delete_element(d.id, impl_->options.changelog_message), d.id));
    return impl_->write("DELETE", impl_->plugin + "exclusion-ranges/", std::move(objects));
}

awaitable<WriteReport> NetBoxClient::create_ip_addresses(const std::vector<engine::IpAddressCreate>& creates) {
    // Usually every tag is known (the managed tag from ensure_tag, others from the IP reads): the elements are
    // built now. Otherwise the coroutine takes a copy, looks the tags up, then builds them.
    auto missing = impl_->missing_tags(creates, Impl::create_tags);
    if (!missing.empty()) return impl_->create_ips(creates, std::move(missing));
    return impl_->send_ip_batch("POST", impl_->ip_create_batch(creates));
}

awaitable<WriteReport> NetBoxClient::update_ip_addresses(const std::vector<engine::IpAddressUpdate>& updates) {
    auto missing = impl_->missing_tags(updates, Impl::update_tags);
    if (!missing.empty()) return impl_->update_ips(updates, std::move(missing));
    return impl_->send_ip_batch("PATCH", impl_->ip_update_batch(updates));
}

awaitable<WriteReport> NetBoxClient::delete_ip_addresses(const std::vector<engine::IpAddressDelete>& deletes) {
    std::vector<BulkObject> objects;
    for (const auto& d : deletes)
        objects.push_back(Impl::object_of(d, engine::ObjectKind::ip_address, codec::delete_element(d.id, impl_->options.changelog_message), d.id));
    return impl_->write("DELETE", impl_->core("/api/ipam/ip-addresses/"), std::move(objects));
}

}  // namespace nds::netbox
