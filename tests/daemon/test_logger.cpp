#include "daemon/logger.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <sstream>

using namespace nds::daemon;

TEST_CASE("logger: a child adds its context to every line and hands lines to its tap") {
    std::ostringstream out;
    Logger root(LogLevel::info, LogFormat::json, out);
    std::vector<std::string> tapped;
    Logger child(root, {{"job", "j1"}, {"server", "dhcp01,dhcp02"}},
                 [&](LogLevel, std::string_view id, std::string_view, const LogFields& fields) {
                     tapped.push_back(std::string(id) + ":" + fields.at(0).second + ":" + fields.at(1).second);
                 });
    child.info("SYNC_START", "starting");
    child.warning("DHCP_UNREACHABLE", "down", {{"server", "dhcp02"}, {"extra", "x"}});
    child.debug("ACTION", "hidden");  // below the root's level
    REQUIRE(tapped.size() == 2);
    CHECK(tapped[0] == "SYNC_START:j1:dhcp01,dhcp02");
    CHECK(tapped[1] == "DHCP_UNREACHABLE:j1:dhcp02");  // the line's own server wins
    std::istringstream lines(out.str());
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    auto a = boost::json::parse(first).as_object();
    CHECK(a.at("job").as_string() == "j1");
    CHECK(a.at("server").as_string() == "dhcp01,dhcp02");
    auto b = boost::json::parse(second).as_object();
    CHECK(b.at("server").as_string() == "dhcp02");
    CHECK(b.at("extra").as_string() == "x");
    // The root's level and format changes apply to children.
    root.set_level(LogLevel::debug);
    child.debug("ACTION", "now shown");
    CHECK(tapped.size() == 3);
}
