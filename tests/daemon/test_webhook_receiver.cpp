#include "daemon/webhook_receiver.hpp"

#include "daemon/logger.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <sstream>

using namespace nds;
using namespace nds::daemon;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::string ip_event(const std::string& address, const std::string& user = "carol") {
    return R"({"event":"updated","object_type":"ipam.ipaddress","username":")" + user +
           R"(","data":{"id":1,"address":")" + address + R"(","vrf":null}})";
}

http::Request signed_request(const std::string& body, const std::string& secret = "hook-secret") {
    http::Request r;
    r.method = "POST";
    r.target = "/v1/webhooks/netbox";
    r.body = body;
    r.headers.emplace_back("X-Hook-Signature", WebhookVerifier::sign(secret, body));
    return r;
}

struct ReceiverFixture {
    asio::io_context io{1};
    std::ostringstream log_text;
    Logger log{LogLevel::debug, LogFormat::text, log_text};
    Metrics metrics;
    std::vector<std::vector<WebhookEvent>> fired;
    WebhookReceiver receiver{io.get_executor(), log, &metrics, [this](std::vector<WebhookEvent> e) { fired.push_back(std::move(e)); }};

    ReceiverFixture(std::chrono::milliseconds debounce = 100ms) { receiver.configure("hook-secret", debounce); }
    void run_for(std::chrono::milliseconds time) { io.run_for(time); io.restart(); }
};

}  // namespace

TEST_CASE("webhook receiver: three quick webhooks fire once, after the debounce") {
    ReceiverFixture f(400ms);
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.1/24"))).status == 202);
    f.run_for(30ms);
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.2/24"))).status == 202);
    f.run_for(30ms);
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.3/24"))).status == 202);
    f.run_for(50ms);
    CHECK(f.fired.empty());  // each event pushed the deadline out
    f.run_for(1500ms);
    REQUIRE(f.fired.size() == 1);
    CHECK(f.fired[0].size() == 3);
    CHECK(f.receiver.pending() == 0);
    CHECK(f.metrics.value("netbox_dhcp_sync_webhooks_total", {{"result", "accepted"}}) == 3);
    // A later event starts a new round.
    f.receiver.handle(signed_request(ip_event("10.0.0.4/24")));
    f.run_for(1500ms);
    CHECK(f.fired.size() == 2);
}

TEST_CASE("webhook receiver: a steady stream still fires by 4 x debounce") {
    ReceiverFixture f(100ms);
    auto start = std::chrono::steady_clock::now();
    while (f.fired.empty() && std::chrono::steady_clock::now() - start < 2s) {
        f.receiver.handle(signed_request(ip_event("10.0.0.1/24")));
        f.run_for(50ms);
    }
    REQUIRE(f.fired.size() == 1);
    CHECK(std::chrono::steady_clock::now() - start < 1500ms);  // 4 x debounce, with room for a slow machine
}

TEST_CASE("webhook receiver: bad or missing signature is 403 and queues nothing") {
    ReceiverFixture f;
    auto body = ip_event("10.0.0.1/24");
    auto bad = signed_request(body, "wrong-secret");
    CHECK(f.receiver.handle(bad).status == 403);
    auto none = signed_request(body);
    none.headers.clear();
    CHECK(f.receiver.handle(none).status == 403);
    auto tampered = signed_request(body);
    tampered.body += " ";
    CHECK(f.receiver.handle(tampered).status == 403);
    f.run_for(300ms);
    CHECK(f.fired.empty());
    CHECK(f.receiver.pending() == 0);
    CHECK(f.metrics.value("netbox_dhcp_sync_webhooks_total", {{"result", "bad_signature"}}) == 3);
}

TEST_CASE("webhook receiver: no secret configured refuses everything") {
    ReceiverFixture f;
    f.receiver.configure("", 100ms);
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.1/24"), "")).status == 403);
}

TEST_CASE("webhook receiver: irrelevant events and the service's own changes are ignored, bad bodies 400") {
    ReceiverFixture f;
    f.receiver.set_own_user("netbox-dhcp-sync");
    CHECK(f.receiver.handle(signed_request(R"({"event":"updated","object_type":"dcim.site","data":{"id":1}})")).status == 200);
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.1/24", "netbox-dhcp-sync"))).status == 200);
    CHECK(f.receiver.handle(signed_request("{not json")).status == 400);
    f.run_for(300ms);
    CHECK(f.fired.empty());
}

TEST_CASE("webhook receiver: stop drops what is pending") {
    ReceiverFixture f;
    f.receiver.handle(signed_request(ip_event("10.0.0.1/24")));
    f.receiver.stop();
    f.run_for(300ms);
    CHECK(f.fired.empty());
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.1/24"))).status == 503);
}

TEST_CASE("webhook receiver: at most max_pending events are held, reaching the bound fires at once") {
    ReceiverFixture f(10s);
    f.receiver.configure("hook-secret", 10s, 3);
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.1/24"))).status == 202);
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.2/24"))).status == 202);
    f.run_for(50ms);
    CHECK(f.fired.empty());
    CHECK(f.receiver.pending() == 2);
    CHECK(f.receiver.handle(signed_request(ip_event("10.0.0.3/24"))).status == 202);
    f.run_for(200ms);  // far less than the 10 s debounce
    REQUIRE(f.fired.size() == 1);
    CHECK(f.fired[0].size() == 3);
    CHECK(f.receiver.pending() == 0);
}
