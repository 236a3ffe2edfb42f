#include "sync_engine/dns_name.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace nds::engine;

TEST_CASE("dns name: NetBox accepts host names, FQDNs, a trailing dot and a leading wildcard") {
    CHECK(is_valid_dns_name("pc01"));
    CHECK(is_valid_dns_name("pc-01.corp.example.com"));
    CHECK(is_valid_dns_name("pc_01.corp."));
    CHECK(is_valid_dns_name("*.corp.example.com"));
    CHECK(is_valid_dns_name("*"));
}

TEST_CASE("dns name: NetBox rejects spaces, empty labels, inner wildcards and names over 255") {
    CHECK_FALSE(is_valid_dns_name(""));
    CHECK_FALSE(is_valid_dns_name("My PC"));
    CHECK_FALSE(is_valid_dns_name("a..b"));
    CHECK_FALSE(is_valid_dns_name(".corp"));
    CHECK_FALSE(is_valid_dns_name("host.*.corp"));
    CHECK_FALSE(is_valid_dns_name("pc01.corp.."));
    CHECK_FALSE(is_valid_dns_name("caf\xc3\xa9"));
    CHECK(is_valid_dns_name(std::string(255, 'a')));
    CHECK_FALSE(is_valid_dns_name(std::string(256, 'a')));
}

TEST_CASE("dns name: lowercased, and compared case-insensitively") {
    CHECK(normalize_dns_name("PC01.Corp") == "pc01.corp");
    CHECK(same_dns_name("PC01.corp", "pc01.CORP"));
    CHECK_FALSE(same_dns_name("pc01", "pc02"));
}
