// push_reservations with client ids NetBox holds in other notations than Windows reports: the PSU script
// stores every client id as lowercase hex pairs joined with '-', so the daemon must compare in that form, or
// it would delete and re-create the same reservation on every run. Against the default simulator, which
// answers like script 1.0.2.
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace nds::testing;
namespace json = boost::json;

namespace {

json::object nb_reserved_ip(const std::string& address, const std::string& dns, const std::string& client_id) {
    return {{"address", address}, {"vrf", nullptr}, {"status", "reserved"}, {"dns_name", dns}, {"description", ""},
            {"tags", json::array{}}, {"custom_fields", json::object{{"dhcp_client_id", client_id}}}};
}

std::map<std::string, std::string> client_ids_on(Simulator& dhcp) {
    std::map<std::string, std::string> out;
    auto state = dhcp.state();
    for (const auto& r : state.at("reservations").as_array())
        out[std::string(r.at("ip_address").as_string())] = std::string(r.at("client_id").as_string());
    return out;
}

}  // namespace

TEST_CASE("push_reservations: client ids in any hex notation are pushed once and then left alone") {
    auto env = make_environment();
    env.netbox().seed(json::object{{"ip_addresses", json::array{
        nb_reserved_ip("10.20.1.70/24", "hw-type", "01:00:15:5D:0A:01:02"),       // 7 bytes, colons, upper case
        nb_reserved_ip("10.20.1.71/24", "cisco", "AABB.CCDD.EE71"),              // dotted quads
        nb_reserved_ip("10.20.1.72/24", "plain", "AABBCCDDEE72"),                // no separators
        nb_reserved_ip("10.20.1.73/24", "duid", "ff 00 11 22 33 44 55 66 77"),   // 9 bytes, spaces
        nb_reserved_ip("10.20.1.74/24", "known", "0100155D0A0174")}}});          // already on the server
    env.dhcp("dhcp03").seed(json::object{{"reservations", json::array{json::object{
        {"ip_address", "10.20.1.74"}, {"client_id", "01-00-15-5d-0a-01-74"}, {"name", "known"}, {"description", ""},
        {"type", "Dhcp"}, {"scope_id", "10.20.1.0"}}}}});
    auto config = env.write_config("  ip_addresses: true\n  push_reservations: true\n");

    auto first = env.run({"sync", "--server", "dhcp03"}, config);
    INFO(first.out << first.err);
    CHECK(first.exit_code == 0);
    auto stored = client_ids_on(env.dhcp("dhcp03"));
    CHECK(stored == std::map<std::string, std::string>{{"10.20.1.70", "01-00-15-5d-0a-01-02"},
                                                       {"10.20.1.71", "aa-bb-cc-dd-ee-71"},
                                                       {"10.20.1.72", "aa-bb-cc-dd-ee-72"},
                                                       {"10.20.1.73", "ff-00-11-22-33-44-55-66-77"},
                                                       {"10.20.1.74", "01-00-15-5d-0a-01-74"}});
    // The one already there was neither replaced nor updated: four creates, nothing else.
    CHECK(env.dhcp("dhcp03").stats().at("by_path").at("POST /api/dhcp/reservations").to_number<int>() == 4);
    CHECK(env.dhcp_writes("dhcp03") == 4);

    env.reset_stats();
    auto second = env.run({"sync", "--server", "dhcp03"}, config);
    INFO(second.out << second.err);
    CHECK(second.exit_code == 0);
    CHECK(env.dhcp_writes("dhcp03") == 0);
    CHECK(env.netbox_writes() == 0);
}
