// Option codes and values between NetBox's form and dhcpd's statement syntax.
#include "dhcpd_client/option_catalog.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace nds::dhcpd;

namespace {
std::string ok(OptionFormat f, std::vector<std::string> v) {
    auto r = format_option_value(f, v);
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
    return *r;
}
std::string refused(OptionFormat f, std::vector<std::string> v) {
    auto r = format_option_value(f, v);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(nds::errc::config));
    return r.error().message;
}
}  // namespace

TEST_CASE("options: the catalog finds codes and dhcpd names both ways, each once") {
    REQUIRE(find_option(6) != nullptr);
    CHECK(find_option(6)->name == "domain-name-servers");
    CHECK(find_option("tftp-server-name")->code == 66);
    CHECK(find_option(119)->format == OptionFormat::domain_list);
    CHECK(find_option(252) == nullptr);
    CHECK(find_option("wpad") == nullptr);
    std::set<int> codes;
    std::set<std::string_view> names;
    for (const auto& o : option_catalog()) {
        CHECK_MESSAGE(codes.insert(o.code).second, "code twice: " << o.code);
        CHECK_MESSAGE(names.insert(o.name).second, "name twice: " << o.name);
        CHECK_FALSE(is_protocol_option(o.code));
    }
}

TEST_CASE("options: protocol codes are not scope options") {
    for (int code : {1, 50, 51, 53, 54, 55, 61, 82, 255, 0, 300, -1}) CHECK_MESSAGE(is_protocol_option(code), code);
    for (int code : {3, 6, 15, 66, 252}) CHECK_FALSE(is_protocol_option(code));
}

TEST_CASE("options: addresses from NetBox's joined string or a list") {
    CHECK(ok(OptionFormat::ip_list, {"8.8.8.8, 8.8.4.4"}) == "8.8.8.8, 8.8.4.4");
    CHECK(ok(OptionFormat::ip_list, {"8.8.8.8", " 8.8.4.4 "}) == "8.8.8.8, 8.8.4.4");
    CHECK(ok(OptionFormat::ip_list, {"ns1.example.net,10.0.0.1"}) == "ns1.example.net, 10.0.0.1");
    CHECK(ok(OptionFormat::ip, {"10.0.0.5"}) == "10.0.0.5");
    CHECK(refused(OptionFormat::ip, {"10.0.0.5, 10.0.0.6"}).find("one address") != std::string::npos);
    CHECK(refused(OptionFormat::ip_list, {"10.0.1.999"}).find("'10.0.1.999'") != std::string::npos);
    CHECK(refused(OptionFormat::ip_list, {"a b"}).find("'a b'") != std::string::npos);
    refused(OptionFormat::ip_list, {""});
    refused(OptionFormat::ip_list, {" , "});
}

TEST_CASE("options: text is one quoted string with dhcpd's escapes") {
    CHECK(ok(OptionFormat::text, {"example.net"}) == "\"example.net\"");
    CHECK(ok(OptionFormat::text, {"a, b"}) == "\"a, b\"");
    CHECK(ok(OptionFormat::text, {"say \"hi\" \\o/"}) == "\"say \\\"hi\\\" \\\\o/\"");
    CHECK(ok(OptionFormat::text, {"line\nbreak"}) == "\"line\\012break\"");
    CHECK(ok(OptionFormat::text, {""}) == "\"\"");
    CHECK(quote_string("tab\there") == "\"tab\\011here\"");
}

TEST_CASE("options: domain lists, numbers, flags and lists of numbers") {
    CHECK(ok(OptionFormat::domain_list, {"example.net, corp.example.net"}) == "\"example.net\", \"corp.example.net\"");
    refused(OptionFormat::domain_list, {"not a domain"});
    CHECK(ok(OptionFormat::u8, {"8"}) == "8");
    CHECK(refused(OptionFormat::u8, {"256"}).find("0 to 255") != std::string::npos);
    CHECK(ok(OptionFormat::u16, {"1500"}) == "1500");
    refused(OptionFormat::u16, {"65536"});
    CHECK(ok(OptionFormat::u32, {"4294967295"}) == "4294967295");
    refused(OptionFormat::u32, {"4294967296"});
    refused(OptionFormat::u32, {"-1"});
    refused(OptionFormat::u32, {"12abc"});
    CHECK(ok(OptionFormat::i32, {"-3600"}) == "-3600");
    refused(OptionFormat::i32, {"3000000000"});
    refused(OptionFormat::u32, {"1, 2"});
    for (auto on : {"1", "on", "true", "TRUE", "yes"}) CHECK(ok(OptionFormat::flag, {on}) == "on");
    for (auto off : {"0", "off", "false", "no"}) CHECK(ok(OptionFormat::flag, {off}) == "off");
    refused(OptionFormat::flag, {"maybe"});
    CHECK(ok(OptionFormat::u16_list, {"1500, 1400"}) == "1500, 1400");
    refused(OptionFormat::u16_list, {"1500, 70000"});
}

TEST_CASE("options: binary values in the forms people type become colon-separated hex") {
    CHECK(ok(OptionFormat::hex, {"01:02:0A:ff"}) == "01:02:0a:ff");
    CHECK(ok(OptionFormat::hex, {"01-02-0a"}) == "01:02:0a");
    CHECK(ok(OptionFormat::hex, {"01 02 0a"}) == "01:02:0a");
    CHECK(ok(OptionFormat::hex, {"0x01020a"}) == "01:02:0a");
    CHECK(ok(OptionFormat::hex, {"1:2:a"}) == "01:02:0a");
    refused(OptionFormat::hex, {"0102g"});
    refused(OptionFormat::hex, {"010"});
    refused(OptionFormat::hex, {""});
}

TEST_CASE("options: codes dhcpd has no name for get a declaration from NetBox's data type") {
    CHECK(custom_option_name(252) == "nds-option-252");
    CHECK(format_for_data_type("String", 1) == OptionFormat::text);
    CHECK(format_for_data_type("IPAddress", 1) == OptionFormat::ip);
    CHECK(format_for_data_type("IPv4Address", 2) == OptionFormat::ip_list);
    CHECK(format_for_data_type("IPAddressList", 1) == OptionFormat::ip_list);
    CHECK(format_for_data_type("DWORD", 1) == OptionFormat::u32);
    CHECK(format_for_data_type("DWord", 1) == OptionFormat::u32);
    CHECK(format_for_data_type("Word", 1) == OptionFormat::u16);
    CHECK(format_for_data_type("Byte", 1) == OptionFormat::u8);
    CHECK(format_for_data_type("Binary", 1) == OptionFormat::hex);
    CHECK(format_for_data_type("BinaryData", 1) == OptionFormat::hex);
    CHECK_FALSE(format_for_data_type("DWORD DWORD", 1));
    CHECK_FALSE(format_for_data_type("Encapsulated", 1));
    CHECK_FALSE(format_for_data_type("IPv6Address", 1));
}

TEST_CASE("options: every format's definition type reads back as that format") {
    using F = OptionFormat;
    for (auto f : {F::ip, F::ip_list, F::text, F::domain_list, F::u8, F::u16, F::u32, F::i32, F::flag, F::u16_list, F::hex}) {
        auto parsed = format_from_definition(definition_type(f));
        REQUIRE_MESSAGE(parsed.has_value(), definition_type(f));
        CHECK(*parsed == f);
    }
    CHECK(format_from_definition("  array   of  ip-address ") == F::ip_list);
    CHECK_FALSE(format_from_definition("{ ip-address, unsigned integer 8 }"));
}

TEST_CASE("options: dhcpd values read back in NetBox's form with the Windows type") {
    CHECK(option_values_from_dhcpd(OptionFormat::flag, {"on"}) == std::vector<std::string>{"1"});
    CHECK(option_values_from_dhcpd(OptionFormat::flag, {"false"}) == std::vector<std::string>{"0"});
    CHECK(option_values_from_dhcpd(OptionFormat::hex, {"1:2:A"}) == std::vector<std::string>{"01:02:0a"});
    CHECK(option_values_from_dhcpd(OptionFormat::ip_list, {"10.0.0.1", "10.0.0.2"}).size() == 2);
    CHECK(std::string(windows_type(OptionFormat::ip_list)) == "IPv4Address");
    CHECK(std::string(windows_type(OptionFormat::text)) == "String");
    CHECK(std::string(windows_type(OptionFormat::u32)) == "DWord");
    CHECK(std::string(windows_type(OptionFormat::u16)) == "Word");
    CHECK(std::string(windows_type(OptionFormat::u8)) == "Byte");
    CHECK(std::string(windows_type(OptionFormat::hex)) == "BinaryData");
}
