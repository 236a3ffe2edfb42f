#include "sync_engine/ipv4.hpp"

#include <doctest/doctest.h>

using namespace nds::engine;

TEST_CASE("Ipv4Address parses strict dotted quads only") {
    CHECK(Ipv4Address::parse("10.0.1.5")->to_string() == "10.0.1.5");
    CHECK_FALSE(Ipv4Address::parse("10.0.1.256"));
    CHECK_FALSE(Ipv4Address::parse("10.0.1"));
    CHECK_FALSE(Ipv4Address::parse("10.0.1.5/24"));
    CHECK_FALSE(Ipv4Address::parse(" 10.0.1.5"));
}

TEST_CASE("Ipv4Network clears host bits and computes masks") {
    auto net = Ipv4Network::parse("10.0.1.5/24");
    REQUIRE(net);
    CHECK(net->to_string() == "10.0.1.0/24");
    CHECK(net->netmask().to_string() == "255.255.255.0");
    CHECK(net->broadcast().to_string() == "10.0.1.255");
    CHECK(net->contains(*Ipv4Address::parse("10.0.1.200")));
    CHECK_FALSE(net->contains(*Ipv4Address::parse("10.0.2.1")));
}

TEST_CASE("Ipv4Network from_mask rejects non-contiguous masks") {
    auto addr = *Ipv4Address::parse("10.0.1.0");
    CHECK(Ipv4Network::from_mask(addr, *Ipv4Address::parse("255.255.254.0"))->length == 23);
    CHECK_FALSE(Ipv4Network::from_mask(addr, *Ipv4Address::parse("255.0.255.0")));
}

TEST_CASE("Ipv4Network containment of networks") {
    auto big = *Ipv4Network::parse("10.0.0.0/16");
    auto small = *Ipv4Network::parse("10.0.1.0/24");
    CHECK(big.contains(small));
    CHECK_FALSE(small.contains(big));
}

TEST_CASE("Ipv4Interface keeps the host address and length") {
    auto i = Ipv4Interface::parse("10.0.1.5/24");
    REQUIRE(i);
    CHECK(i->to_string() == "10.0.1.5/24");
    CHECK(Ipv4Interface::parse("10.0.1.5")->length == 32);
    CHECK_FALSE(Ipv4Interface::parse("10.0.1.5/33"));
}
