// A real Kea HA pair (hot-standby, the ha hook, both on 127.0.0.1 with their own control agents): the
// failover relationship as the sync reads it, writes made on both, and "partner down" in health().
#include "kea_client/kea_config.hpp"
#include "tests/kea/kea_test_util.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <thread>
#include <unistd.h>

namespace json = boost::json;
using namespace nds::testing;
using nds::backend::WriteStatus;

namespace {

#define SKIP_WITHOUT_HA()                                                                         \
    if (auto why = KeaInstance::unavailable()) {                                                  \
        MESSAGE("skipped: Kea cannot run here: " << *why);                                        \
        return;                                                                                   \
    }                                                                                             \
    if (::access((std::string(kKeaHooks) + "/libdhcp_ha.so").c_str(), R_OK) != 0) {               \
        MESSAGE("skipped: no libdhcp_ha.so in " << kKeaHooks);                                    \
        return;                                                                                   \
    }

std::string ha_parameters(const std::string& self, std::uint16_t port_a, std::uint16_t port_b) {
    json::array high_availability{json::object{
        {"this-server-name", self},
        {"mode", "hot-standby"},
        {"heartbeat-delay", 1000},
        {"max-response-delay", 2000},
        {"max-ack-delay", 1000},
        {"max-unacked-clients", 0},
        {"peers", json::array{json::object{{"name", "kea-a"}, {"url", "http://127.0.0.1:" + std::to_string(port_a) + "/"},
                                           {"role", "primary"}, {"auto-failover", true}},
                              json::object{{"name", "kea-b"}, {"url", "http://127.0.0.1:" + std::to_string(port_b) + "/"},
                                           {"role", "standby"}, {"auto-failover", true}}}}}};
    return json::serialize(high_availability);
}

const char* kConfig = R"({"valid-lifetime": 4000, "subnet4": [{"id": 1, "subnet": "192.0.2.0/24",
    "pools": [{"pool": "192.0.2.10 - 192.0.2.200"}]}]})";

/// The local HA state status-get reports ("" when none).
std::string ha_state(const KeaInstance& kea) {
    auto answer = kea.command("status-get");
    const auto* args = answer.if_contains("arguments");
    if (!args || !args->as_object().contains("high-availability")) return "";
    return std::string(args->at("high-availability").at(0).at("ha-servers").at("local").at("state").as_string());
}

bool wait_for_state(const KeaInstance& kea, const std::string& state, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (ha_state(kea) == state) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
}

bool holds_reservation(const KeaInstance& kea, const char* ip) {
    auto dhcp4 = kea.config();
    auto index = nds::kea::index_subnets(dhcp4);
    for (const auto& r : nds::kea::reservations_of(*nds::kea::find_subnet(index, ipv4("192.0.2.0")), "").items)
        if (r.ip == ipv4(ip)) return true;
    return false;
}

}  // namespace

TEST_CASE("real Kea HA pair: the relationship, writes to both partners, partner down") {
    SKIP_WITHOUT_HA();
    auto port_a = free_kea_port();
    auto port_b = free_kea_port();
    KeaInstanceOptions a_options;
    a_options.name = "kea-a";
    a_options.dhcp4 = kConfig;
    a_options.ca_port = port_a;
    a_options.ha = ha_parameters("kea-a", port_a, port_b);
    KeaInstanceOptions b_options = a_options;
    b_options.name = "kea-b";
    b_options.ca_port = port_b;
    b_options.ha = ha_parameters("kea-b", port_a, port_b);
    KeaInstance a(a_options);
    KeaInstance b(b_options);
    REQUIRE_MESSAGE(wait_for_state(a, "hot-standby", std::chrono::seconds(30)), "kea-a: " << ha_state(a) << "\n" << a.logs());
    REQUIRE_MESSAGE(wait_for_state(b, "hot-standby", std::chrono::seconds(30)), "kea-b: " << ha_state(b) << "\n" << b.logs());

    boost::asio::io_context io;
    auto backend_a = nds::kea::make_kea_backend(io.get_executor(), kea_options(a, "kea-a.example"));
    auto backend_b = nds::kea::make_kea_backend(io.get_executor(), kea_options(b, "kea-b.example"));
    auto health_a = run(io, backend_a->health());
    REQUIRE(health_a);
    CHECK_MESSAGE(health_a->warnings.empty(), (health_a->warnings.empty() ? std::string() : health_a->warnings[0]));
    CHECK(backend_a->capabilities().push_to_failover_partner);

    auto from_a = run(io, backend_a->list_failovers());
    auto from_b = run(io, backend_b->list_failovers());
    REQUIRE(from_a);
    REQUIRE(from_b);
    REQUIRE(from_a->items.size() == 1);
    REQUIRE(from_b->items.size() == 1);
    CHECK(from_a->items[0].name == "kea-a+kea-b");
    CHECK(from_b->items[0].name == from_a->items[0].name);  // one relationship, seen from either side
    CHECK(from_a->items[0].mode == "HotStandby");
    CHECK(from_a->items[0].primary_server == "kea-a");
    CHECK(from_a->items[0].secondary_server == "kea-b");
    CHECK(from_b->items[0].primary_server == "kea-b");
    CHECK(from_b->items[0].secondary_server == "kea-a");
    CHECK(from_a->items[0].scope_ids == std::vector<std::string>{"192.0.2.0"});
    CHECK(from_a->items[0].max_response_delay == 2);
    auto scopes = run(io, backend_a->list_scopes(false));
    REQUIRE(scopes);
    REQUIRE(scopes->items.size() == 1);
    CHECK(scopes->items[0].failover_name == "kea-a+kea-b");

    // HA peers do not share configuration: the engine pushes a change to both (push_to_failover_partner).
    std::vector<nds::engine::DhcpWrite> writes{reservation_create("192.0.2.0", "192.0.2.42", "aa-bb-cc-00-00-42", "ha-host")};
    auto applied_a = run(io, backend_a->apply(writes));
    auto applied_b = run(io, backend_b->apply(writes));
    CHECK_MESSAGE(applied_a.outcomes[0].status == WriteStatus::applied, applied_a.outcomes[0].error);
    CHECK_MESSAGE(applied_b.outcomes[0].status == WriteStatus::applied, applied_b.outcomes[0].error);
    CHECK(holds_reservation(a, "192.0.2.42"));
    CHECK(holds_reservation(b, "192.0.2.42"));
    // config-set restarts the ha hook; the pair finds its way back.
    CHECK_MESSAGE(wait_for_state(a, "hot-standby", std::chrono::seconds(30)), ha_state(a));

    // The standby stops: the primary reports its partner down, and health() says so.
    b.stop_server();
    REQUIRE_MESSAGE(wait_for_state(a, "partner-down", std::chrono::seconds(30)), ha_state(a));
    auto down = run(io, backend_a->health());
    REQUIRE(down);
    bool said = false;
    for (const auto& w : down->warnings) said = said || w.find("partner (standby) DOWN") != std::string::npos;
    CHECK_MESSAGE(said, (down->warnings.empty() ? std::string("no warnings") : down->warnings[0]));
}
