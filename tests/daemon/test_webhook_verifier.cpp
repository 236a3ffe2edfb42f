#include "daemon/webhook_verifier.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <string>

using namespace nds::daemon;

TEST_CASE("webhook verifier: HMAC-SHA512 known answer (RFC 4231 test case 2)") {
    // key "Jefe", data "what do ya want for nothing?"
    CHECK(WebhookVerifier::sign("Jefe", "what do ya want for nothing?") ==
          "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST_CASE("webhook verifier: accepts NetBox's signature of the exact body, in either case") {
    WebhookVerifier verifier("s3cret");
    std::string body = R"({"event":"updated","object_type":"ipam.ipaddress"})";
    auto signature = WebhookVerifier::sign("s3cret", body);
    CHECK(signature.size() == 128);
    CHECK(verifier.verify(body, signature));
    std::string upper = signature;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    CHECK(verifier.verify(body, upper));
    CHECK(verifier.verify(body, " " + signature + "\r\n"));
}

TEST_CASE("webhook verifier: refuses a changed body, a wrong secret, a malformed or missing signature") {
    WebhookVerifier verifier("s3cret");
    std::string body = R"({"event":"updated"})";
    auto signature = WebhookVerifier::sign("s3cret", body);
    CHECK_FALSE(verifier.verify(body + " ", signature));
    CHECK_FALSE(verifier.verify(body, WebhookVerifier::sign("other", body)));
    CHECK_FALSE(verifier.verify(body, ""));
    CHECK_FALSE(verifier.verify(body, signature.substr(0, 127)));
    CHECK_FALSE(verifier.verify(body, signature + "0"));
    auto bad_hex = signature;
    bad_hex[5] = 'g';
    CHECK_FALSE(verifier.verify(body, bad_hex));
    // The sha512= prefix some senders use is not NetBox's format.
    CHECK_FALSE(verifier.verify(body, "sha512=" + signature));
}

TEST_CASE("webhook verifier: without a secret nothing verifies") {
    WebhookVerifier verifier("");
    CHECK_FALSE(verifier.enabled());
    CHECK_FALSE(verifier.verify("{}", WebhookVerifier::sign("", "{}")));
}

// Timing cannot be measured reliably in a unit test; this pins the implementation instead: the digest
// comparison goes through OpenSSL's CRYPTO_memcmp (constant time in the length), never through memcmp,
// std::equal or string ==, which stop at the first differing byte.
TEST_CASE("webhook verifier: the signature is compared in constant time (CRYPTO_memcmp)") {
    std::ifstream in(NDS_SOURCE_DIR "/daemon/webhook_verifier.cpp");
    REQUIRE(in);
    std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto body_start = source.find("bool WebhookVerifier::verify(");
    REQUIRE(body_start != std::string::npos);
    auto body = source.substr(body_start, source.find("\n}\n", body_start) - body_start);
    CHECK(body.find("CRYPTO_memcmp(") != std::string::npos);
    for (std::string early_exit : {" memcmp(", "std::memcmp", "(memcmp(", "std::equal", "== *expected", "== expected",
                                   "!= *expected"})
        CHECK_MESSAGE(body.find(early_exit) == std::string::npos, "verify() compares with " << early_exit);
    // Every byte of a wrong signature is still processed: a wrong first byte and a wrong last byte fail alike.
    WebhookVerifier verifier("s3cret");
    auto good = WebhookVerifier::sign("s3cret", "{}");
    auto first = good, last = good;
    first[0] = first[0] == '0' ? '1' : '0';
    last[127] = last[127] == '0' ? '1' : '0';
    CHECK(verifier.verify("{}", good));
    CHECK_FALSE(verifier.verify("{}", first));
    CHECK_FALSE(verifier.verify("{}", last));
}
