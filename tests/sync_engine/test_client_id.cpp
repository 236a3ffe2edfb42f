// Client ids are compared in the form the PSU script stores them (lowercase hex pairs joined with '-'), or
// a push would replace the same reservation on every run.
#include "sync_engine/client_id.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace nds::engine;

TEST_CASE("client id: every common MAC notation normalises to the Windows form") {
    CHECK(normalize_client_id("AA:BB:CC:DD:EE:FF") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("aa:bb:cc:dd:ee:ff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("aa-bb-cc-dd-ee-ff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("AA-BB-CC-DD-EE-FF") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("aabb.ccdd.eeff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("AABB.CCDD.EEFF") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("AABBCCDDEEFF") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("aa bb cc dd ee ff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("  aa:bb:cc:dd:ee:ff ") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("Aa:bB:cC:Dd:eE:Ff") == "aa-bb-cc-dd-ee-ff");
}

TEST_CASE("client id: hex client ids of any length take the script's form") {
    // Client id with a hardware-type byte (7 bytes), as the script's POST /reservations stores it.
    CHECK(normalize_client_id("01:00:15:5D:0A:01:02") == "01-00-15-5d-0a-01-02");
    CHECK(normalize_client_id("01-00-15-5d-0a-01-02") == "01-00-15-5d-0a-01-02");
    CHECK(normalize_client_id("0100155D0A0102") == "01-00-15-5d-0a-01-02");
    CHECK(normalize_client_id("01 00 15 5d 0a 01 02") == "01-00-15-5d-0a-01-02");
    CHECK(normalize_client_id("0100.155d.0a01.02") == "01-00-15-5d-0a-01-02");
    // A DUID-style id (9 bytes) and short ones.
    CHECK(normalize_client_id("FF:00:11:22:33:44:55:66:77") == "ff-00-11-22-33-44-55-66-77");
    CHECK(normalize_client_id("01") == "01");
    CHECK(normalize_client_id("ABCD") == "ab-cd");
    // 20 bytes, no separators.
    CHECK(normalize_client_id("000102030405060708090A0B0C0D0E0F10111213") ==
          "00-01-02-03-04-05-06-07-08-09-0a-0b-0c-0d-0e-0f-10-11-12-13");
}

TEST_CASE("client id: mixed, repeated or misplaced separators are stripped, as the script does") {
    CHECK(normalize_client_id("aa:bb-cc:dd-ee:ff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("aab.bccdd.eeff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("aa::bb--cc..dd  ee ff") == "aa-bb-cc-dd-ee-ff");
    CHECK(normalize_client_id("-aa-bb-") == "aa-bb");
    CHECK(normalize_client_id(":01:02:03:") == "01-02-03");
}

TEST_CASE("client id: an odd number of hex digits is paired from the left, the last digit alone") {
    // What the script's  -replace '(..)(?!$)', '$1-'  sends to Windows for these.
    CHECK(normalize_client_id("abc") == "ab-c");
    CHECK(normalize_client_id("ABCDE") == "ab-cd-e");
    CHECK(normalize_client_id("a") == "a");
    CHECK(normalize_client_id("a:bb:cc:dd:ee:ff") == "ab-bc-cd-de-ef-f");
    CHECK(normalize_client_id("ab-c") == "ab-c");
}

TEST_CASE("client id: ids that are not hex are kept verbatim apart from surrounding whitespace") {
    CHECK(normalize_client_id(" Some-Text ") == "Some-Text");
    CHECK(normalize_client_id("zz-not-a-mac") == "zz-not-a-mac");
    CHECK(normalize_client_id("0x001122334455") == "0x001122334455");
    CHECK(normalize_client_id("aa_bb_cc_dd_ee_ff") == "aa_bb_cc_dd_ee_ff");
    CHECK(normalize_client_id("aa\tbb") == "aa\tbb");  // only ':' '-' '.' and space separate
    CHECK(normalize_client_id("host.example.com") == "host.example.com");
    CHECK(normalize_client_id("--") == "--");  // no hex digit at all
    CHECK(normalize_client_id("") == "");
    CHECK(normalize_client_id("   ") == "");
    CHECK_FALSE(is_hex_client_id("zz-not-a-mac"));
    CHECK_FALSE(is_hex_client_id(":-."));
    CHECK_FALSE(is_hex_client_id(""));
    CHECK(is_hex_client_id("01:00:15:5D:0A:01:02"));
    CHECK(is_hex_client_id(" abc "));
}

TEST_CASE("client id: normalising twice changes nothing") {
    for (const char* raw : {"AA:BB:CC:DD:EE:FF", "01:00:15:5D:0A:01:02", "abc", "a", " Some-Text ", "aa\tbb", "--",
                            "a b c", "0x12", "", "aa-bb-cc-dd-ee-ff"}) {
        CAPTURE(raw);
        std::string once = normalize_client_id(raw);
        CHECK(normalize_client_id(once) == once);
    }
}

TEST_CASE("client id: a MAC is 12 hex digits in one consistent notation") {
    CHECK(is_mac_address("aa:bb:cc:dd:ee:ff"));
    CHECK(is_mac_address("AA-BB-CC-DD-EE-FF"));
    CHECK(is_mac_address("aabb.ccdd.eeff"));
    CHECK(is_mac_address("aabbccddeeff"));
    CHECK_FALSE(is_mac_address("aa:bb-cc:dd-ee:ff"));
    CHECK_FALSE(is_mac_address("aab.bccdd.eeff"));
    CHECK_FALSE(is_mac_address("aa:bb:cc:dd:ee"));
    CHECK_FALSE(is_mac_address("01:aa:bb:cc:dd:ee:ff"));
    CHECK_FALSE(is_mac_address("gg:bb:cc:dd:ee:ff"));
}
