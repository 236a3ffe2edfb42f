// libFuzzer target: the webhook path of the service, fed arbitrary bytes — the signature check on the raw
// body (daemon/webhook_verifier.*), the payload parser (daemon/webhook_event.*) and the mapping of the
// changed objects to DHCP servers (sync_engine/change_scope.*). A webhook body comes from the network;
// none of it may crash the daemon, and only the right signature may verify.
//
// Input: "<signature header value>\n<body>" when the input has a newline, else the whole input is the body.
#include "daemon/webhook_event.hpp"
#include "daemon/webhook_verifier.hpp"
#include "sync_engine/change_scope.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace nds;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

const engine::NetBoxSnapshot& snapshot() {
    static const engine::NetBoxSnapshot netbox = [] {
        engine::NetBoxSnapshot s;
        s.servers = {{1, "dhcp01", "dhcp01.example.com", 443, true, true, true, {}},
                     {2, "dhcp02", "dhcp02.example.com", 443, true, true, true, {}},
                     {3, "dhcp03", "dhcp03.example.com", 443, true, true, true, {}}};
        s.failovers = {{1, "FO", 1, 2, "LoadBalance", true, {}}};
        auto prefix = [](engine::ObjectId id, const char* cidr) {
            engine::NetBoxPrefix p;
            p.id = id;
            p.prefix = *engine::Ipv4Network::parse(cidr);
            return p;
        };
        s.prefixes[1] = prefix(1, "10.10.1.0/24");
        s.prefixes[2] = prefix(2, "10.20.1.0/24");
        engine::NetBoxScope a;
        a.id = 1;
        a.name = "A";
        a.prefix_id = 1;
        a.start_ip = *engine::Ipv4Address::parse("10.10.1.10");
        a.end_ip = *engine::Ipv4Address::parse("10.10.1.200");
        a.failover_id = 1;
        engine::NetBoxScope b = a;
        b.id = 2;
        b.name = "B";
        b.prefix_id = 2;
        b.start_ip = *engine::Ipv4Address::parse("10.20.1.10");
        b.end_ip = *engine::Ipv4Address::parse("10.20.1.200");
        b.failover_id.reset();
        b.server_id = 3;
        s.scopes = {a, b};
        return s;
    }();
    return netbox;
}

bool iequal_hex(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'F') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'F') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view signature;
    std::string_view body = input;
    if (auto newline = input.find('\n'); newline != std::string_view::npos) {
        signature = input.substr(0, newline);
        body = input.substr(newline + 1);
    }

    static const daemon::WebhookVerifier verifier("fuzz-webhook-secret");
    static const daemon::WebhookVerifier disabled("");
    const std::string good = daemon::WebhookVerifier::sign("fuzz-webhook-secret", body);
    require(good.size() == 128);
    // The right signature verifies (with blanks around it too); nothing verifies without a secret.
    require(verifier.verify(body, good));
    require(verifier.verify(body, " " + good + "\r\n"));
    require(!disabled.verify(body, good));
    // Whatever the input's own signature line is, it verifies only if it is the right one.
    std::string_view trimmed = signature;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t' || trimmed.back() == '\r'))
        trimmed.remove_suffix(1);
    require(verifier.verify(body, signature) == iequal_hex(trimmed, good));
    // One flipped hex digit never verifies.
    std::string wrong = good;
    wrong[size % wrong.size()] = wrong[size % wrong.size()] == '0' ? '1' : '0';
    require(!verifier.verify(body, wrong));

    auto event = daemon::parse_webhook_event(std::string(body));
    if (!event) {
        require(event.error().http_status == 400);
        require(!event.error().message.empty());
        return 0;
    }
    (void)event->relevant();
    for (const auto& object : event->objects) {
        auto servers = engine::servers_concerned(object, snapshot());
        for (const auto& name : servers) require(name == "dhcp01" || name == "dhcp02" || name == "dhcp03");
    }
    return 0;
}
