// The protocol layer over hiredis (request formatting, incremental reply parsing) and the key/value layout
// of the locks: no socket needed.
#include "coordination/lock_records.hpp"
#include "coordination/redis_protocol.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>
#include <string>
#include <unistd.h>

using namespace nds;
using namespace nds::coordination;

TEST_CASE("resp: a command is formatted binary-safe as a RESP array of bulk strings") {
    CHECK(format_command({"GET", "k"}) == "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    using namespace std::string_literals;
    CHECK(format_command({"SET", "a b", "x\r\n\0y"s}) == "*3\r\n$3\r\nSET\r\n$3\r\na b\r\n$5\r\nx\r\n\0y\r\n"s);
}

TEST_CASE("resp: a reply arriving byte by byte is complete only with its last byte") {
    ReplyParser parser;
    const std::string wire = "$5\r\nhello\r\n";
    for (std::size_t i = 0; i < wire.size(); ++i) {
        auto none = parser.next();
        REQUIRE(none);
        CHECK_FALSE(none->has_value());
        REQUIRE(parser.feed(wire.data() + i, 1));
    }
    auto reply = parser.next();
    REQUIRE(reply);
    REQUIRE(reply->has_value());
    CHECK((*reply)->type == RedisReply::Type::string);
    CHECK((*reply)->text == "hello");
}

TEST_CASE("resp: every reply type, several in one read, nested arrays") {
    ReplyParser parser;
    const std::string wire = "+OK\r\n:42\r\n$-1\r\n-NOSCRIPT No matching script\r\n*2\r\n$1\r\na\r\n*1\r\n:-7\r\n";
    REQUIRE(parser.feed(wire.data(), wire.size()));
    auto take = [&] {
        auto reply = parser.next();
        REQUIRE(reply);
        REQUIRE(reply->has_value());
        return **reply;
    };
    auto ok = take();
    CHECK(ok.is_status("OK"));
    auto number = take();
    CHECK(number.type == RedisReply::Type::integer);
    CHECK(number.integer == 42);
    CHECK(take().is_nil());
    auto error = take();
    CHECK(error.is_error());
    CHECK(error.error_code() == "NOSCRIPT");
    CHECK(error.text == "NOSCRIPT No matching script");
    auto array = take();
    REQUIRE(array.type == RedisReply::Type::array);
    REQUIRE(array.elements.size() == 2);
    CHECK(array.elements[0].text == "a");
    REQUIRE(array.elements[1].elements.size() == 1);
    CHECK(array.elements[1].elements[0].integer == -7);
    auto rest = parser.next();
    REQUIRE(rest);
    CHECK_FALSE(rest->has_value());
}

TEST_CASE("resp: bytes that are not RESP are a malformed answer") {
    ReplyParser parser;
    const std::string wire = "HTTP/1.1 400 Bad Request\r\n";
    auto fed = parser.feed(wire.data(), wire.size());
    auto reply = fed ? parser.next() : Expected<std::optional<RedisReply>>(fed.error());
    REQUIRE_FALSE(reply);
    CHECK(reply.error().is(errc::malformed));
    CHECK(reply.error().message.find("not understood") != std::string::npos);
}

TEST_CASE("lock records: keys, the value with its holder, holder ids") {
    CHECK(lock_key("netbox-dhcp-sync", "dhcp01") == "netbox-dhcp-sync:lock:dhcp01");
    CHECK(synced_key("site-a", "kea 01") == "site-a:synced:kea 01");
    auto value = lock_value("0123456789abcdef0123456789abcdef", "pod-a:7:job-1");
    CHECK(value == "0123456789abcdef0123456789abcdef pod-a:7:job-1");
    CHECK(holder_of_value(value) == "pod-a:7:job-1");
    CHECK(holder_of_value("written-by-someone-else") == "written-by-someone-else");
    CHECK(make_holder_id("pod-a:7", "job-1") == "pod-a:7:job-1");
    CHECK(make_holder_id("pod-a:7", "") == "pod-a:7");
    auto process = default_process_id();
    CHECK(process.ends_with(":" + std::to_string(::getpid())));
    CHECK(process.size() > std::to_string(::getpid()).size() + 1);
}

TEST_CASE("lock records: tokens are 32 hex digits and do not repeat") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto token = random_token();
        REQUIRE(token.size() == 32);
        CHECK(token.find_first_not_of("0123456789abcdef") == std::string::npos);
        seen.insert(token);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("lock records: server names that cannot be keys are refused") {
    CHECK(check_server_name("dhcp01"));
    CHECK(check_server_name("DHCP Server (site A)"));
    auto empty = check_server_name("");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().is(errc::config));
    CHECK_FALSE(check_server_name("dhcp\n01"));
    CHECK_FALSE(check_server_name(std::string(201, 'x')));
}

TEST_CASE("lock records: script hashes are SHA-1 in lower-case hex") {
    CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(renew_script().sha1 == sha1_hex(renew_script().source));
    CHECK(release_script().sha1 != renew_script().sha1);
}

TEST_CASE("lock records: each process tries the servers in its own rotation of one sorted order") {
    const std::vector<std::string> servers{"dhcp03", "dhcp01", "dhcp02", "dhcp04", "dhcp01"};
    auto order = acquisition_order(servers, "pod-a:1");
    REQUIRE(order.size() == 4);  // sorted, duplicates dropped, then rotated
    auto start = std::find(order.begin(), order.end(), "dhcp01") - order.begin();
    for (std::size_t i = 0; i < order.size(); ++i)
        CHECK(order[(static_cast<std::size_t>(start) + i) % order.size()] == "dhcp0" + std::to_string(i + 1));
    CHECK(acquisition_order(servers, "pod-a:1") == order);  // stable
    // Different processes start at different servers (not all of 20 names can land on one offset).
    std::set<std::string> firsts;
    for (int pod = 0; pod < 20; ++pod) firsts.insert(acquisition_order(servers, "pod-" + std::to_string(pod) + ":1").front());
    CHECK(firsts.size() > 1);
    CHECK(acquisition_order({}, "pod-a:1").empty());
}
