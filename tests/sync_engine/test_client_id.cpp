#include "sync_engine/client_id.hpp"

#include <doctest/doctest.h>

using namespace nds::engine;

TEST_CASE("client id: every common MAC form normalises to Windows form") {
    CHECK(normalize_client_id("AA:BB:CC:DD:EE:FF") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("aa-bb-cc-dd-ee-ff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("AA-BB-CC-DD-EE-FF") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("aabb.ccdd.eeff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("AABBCCDDEEFF") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("  aa:bb:cc:dd:ee:ff ") == "aa-bb-cc-dd-ee-ff");
}

TEST_CASE("client id: non-MAC ids are kept verbatim (apart from surrounding spaces)") {
    CHECK(normalize_client_id("01-aa-bb-cc-dd-ee-ff") == "01-aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("ff:00:11:22:33:44:55:66:77") == "ff:00:11:22:33:44:55:66:77");
    CHECK(normalize_client_id(" Some-Text ") == "Some-Text");
    CHECK(normalize_client_id("") == "");
}

TEST_CASE("client id: mixed or misplaced separators are not MACs") {
    CHECK_FALSE(is_mac_address("aa:bb-cc:dd-ee:ff"));
    CHECK_FALSE(is_mac_address("aab.bccdd.eeff"));
    CHECK_FALSE(is_mac_address("aa:bb:cc:dd:ee"));
    CHECK_FALSE(is_mac_address("gg:bb:cc:dd:ee:ff"));
    CHECK(is_mac_address("aabb.ccdd.eeff"));
}
