// Small helpers shared by the Kea tests: the sync's writes, a backend for a running KeaInstance, and a
// count of the commands it sent.
#pragma once

#include "kea_client/kea_backend.hpp"
#include "sync_engine/plan.hpp"
#include "tests/kea/kea_instance.hpp"
#include "util/async.hpp"

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <string>

namespace nds::testing {

inline engine::Ipv4Address ipv4(const char* text) { return *engine::Ipv4Address::parse(text); }

inline engine::DhcpWrite reservation_create(const char* scope, const char* ip, const char* mac, std::string name = "",
                                            std::string description = "", engine::Verb verb = engine::Verb::create) {
    engine::DhcpWrite w;
    w.note.server = "kea01";
    w.verb = verb;
    w.scope_id = ipv4(scope);
    engine::DhcpReservation r;
    r.ip = ipv4(ip);
    r.client_id = mac;
    r.name = std::move(name);
    r.description = std::move(description);
    w.change = engine::ReservationChange{r};
    return w;
}

inline engine::DhcpWrite exclusion_write(engine::Verb verb, const char* scope, const char* first, const char* last) {
    engine::DhcpWrite w;
    w.note.server = "kea01";
    w.verb = verb;
    w.scope_id = ipv4(scope);
    w.change = engine::ExclusionChange{engine::DhcpExclusion{ipv4(first), ipv4(last)}};
    return w;
}

inline engine::DhcpWrite scope_write(engine::Verb verb, const engine::DhcpScope& scope) {
    engine::DhcpWrite w;
    w.note.server = "kea01";
    w.verb = verb;
    w.scope_id = scope.scope_id;
    w.change = engine::ScopeChange{scope, {}};
    return w;
}

/// Commands sent, by name (counted from the request bodies, through http::ClientOptions::on_attempt).
struct CommandCounter {
    std::shared_ptr<std::map<std::string, int>> counts = std::make_shared<std::map<std::string, int>>();
    int operator[](const std::string& command) const {
        auto found = counts->find(command);
        return found == counts->end() ? 0 : found->second;
    }
    void install(kea::KeaOptions& options) const {
        auto c = counts;
        options.http.on_attempt = [c](const http::Request& request, unsigned, std::chrono::steady_clock::duration) {
            auto at = request.body.find("\"command\":\"");
            if (at == std::string::npos) return;
            at += 11;
            (*c)[request.body.substr(at, request.body.find('"', at) - at)]++;
        };
    }
};

inline kea::KeaOptions kea_options(const KeaInstance& kea, const std::string& name = "kea01") {
    kea::KeaOptions options;
    options.server_name = name;
    options.url = kea.url();
    options.http.max_retries = 1;
    options.http.backoff_initial = std::chrono::milliseconds(50);
    return options;
}

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> operation) {
    return run_to_completion(io, std::move(operation));
}

}  // namespace nds::testing
