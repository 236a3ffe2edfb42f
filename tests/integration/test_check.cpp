// `netbox-dhcp-sync check`: one line per peer, and the exit code says which side failed.
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

using namespace nds::testing;

TEST_CASE("check reports NetBox, the token's user, the plugin and every DHCP server") {
    auto env = make_environment();
    auto result = env.run({"check"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("netbox token: ok (user alice)") != std::string::npos);
    CHECK(result.out.find("netbox-windows-dhcp plugin: ok") != std::string::npos);
    for (const auto& server : {"dhcp01", "dhcp02", "dhcp03"})
        CHECK(result.out.find(std::string("dhcp server ") + server) != std::string::npos);
    CHECK(result.out.find("FAILED") == std::string::npos);
    CHECK(env.netbox_writes() == 0);
}

TEST_CASE("check exits 1 when a DHCP server is down and 3 when NetBox refuses the token") {
    auto env = make_environment();
    env.dhcp("dhcp02").stop();
    auto down = env.run({"check"});
    INFO(down.out << down.err);
    CHECK(down.exit_code == 1);
    CHECK(down.out.find("dhcp server dhcp02") != std::string::npos);
    CHECK(down.out.find("FAILED") != std::string::npos);

    auto config = env.write_config("", "1111111111111111111111111111111111111111");
    auto refused = env.run({"check"}, config);
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code == 3);
}

TEST_CASE("a wrong PSU token is reported as a failed server, not as success") {
    auto env = make_environment();
    auto path = env.write_config();
    // Point dhcp01 at a token the simulator does not accept.
    std::string text;
    {
        std::ifstream in(path);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto at = text.find("dhcp_servers:\n");
    REQUIRE(at != std::string::npos);
    text.insert(at + 14, "  dhcp01:\n    token: wrong-token\n");
    std::ofstream(path) << text;
    auto result = env.run({"check"}, path);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("dhcp server dhcp01") != std::string::npos);
    CHECK(result.out.find("401") != std::string::npos);
}
