// Builders shared by the dhcpd tests: addresses, scopes, writes and a small server context.
#pragma once

#include "dhcp_backend/dhcp_backend.hpp"
#include "dhcpd_client/server_model.hpp"

#include <doctest/doctest.h>

#include <string>

namespace nds::dhcpd::test {

inline engine::Ipv4Address ip(const std::string& text) {
    auto parsed = engine::Ipv4Address::parse(text);
    REQUIRE_MESSAGE(parsed.has_value(), "bad address in the test: " << text);
    return *parsed;
}

inline engine::DhcpScope scope(const std::string& network, const std::string& start, const std::string& end,
                               const std::string& mask = "255.255.255.0") {
    engine::DhcpScope s;
    s.scope_id = ip(network);
    s.name = "Scope " + network;
    s.start_ip = ip(start);
    s.end_ip = ip(end);
    s.subnet_mask = ip(mask);
    s.lease_duration_seconds = 86400;
    return s;
}

inline engine::DhcpWrite scope_write(engine::Verb verb, const engine::DhcpScope& s) {
    engine::DhcpWrite w;
    w.verb = verb;
    w.scope_id = s.scope_id;
    w.note.object = s.scope_id.to_string();
    w.change = engine::ScopeChange{s, {}};
    return w;
}

inline engine::DhcpWrite exclusion_write(engine::Verb verb, const std::string& scope_id, const std::string& start,
                                         const std::string& end) {
    engine::DhcpWrite w;
    w.verb = verb;
    w.scope_id = ip(scope_id);
    w.note.object = start + "-" + end;
    w.change = engine::ExclusionChange{{ip(start), ip(end)}};
    return w;
}

inline engine::DhcpWrite reservation_write(engine::Verb verb, const std::string& scope_id, const std::string& address,
                                           const std::string& client_id, const std::string& name = "",
                                           const std::string& description = "") {
    engine::DhcpWrite w;
    w.verb = verb;
    w.scope_id = ip(scope_id);
    w.note.object = address;
    engine::DhcpReservation r;
    r.ip = ip(address);
    r.client_id = client_id;
    r.name = name;
    r.description = description;
    w.change = engine::ReservationChange{r};
    return w;
}

inline backend::ServerContext context_for(const std::string& name, const std::string& hostname = "192.0.2.1") {
    backend::ServerContext c;
    c.server.id = 1;
    c.server.name = name;
    c.server.hostname = hostname;
    c.netbox_url = "https://netbox.example.net";
    return c;
}

}  // namespace nds::dhcpd::test
