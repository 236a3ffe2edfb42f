// NetBox error bodies of every shape (NetBox's REST API) -> per-object messages.
#include "netbox_client/netbox_error.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using nds::netbox::NetBoxError;

TEST_CASE("single object field errors are formatted 'field: message'") {
    auto e = NetBoxError::parse(R"({"address": ["Duplicate IP address found in global table: 10.0.1.5/24"]})");
    CHECK_FALSE(e.names_objects());
    CHECK(e.summary() == "address: Duplicate IP address found in global table: 10.0.1.5/24");
}

TEST_CASE("several fields and several messages are joined with ', '") {
    auto e = NetBoxError::parse(R"({"address": ["bad one", "bad two"], "dns_name": ["Only alphanumeric characters"]})");
    CHECK(e.summary() == "address: bad one; address: bad two; dns_name: Only alphanumeric characters");
}

TEST_CASE("nested custom field errors name the custom field") {
    auto e = NetBoxError::parse(R"({"custom_fields": {"dhcp_client_id": ["Value must match regex"]}})");
    CHECK(e.summary() == "custom_fields.dhcp_client_id: Value must match regex");
}

TEST_CASE("non_field_errors and __all__ give the bare message") {
    CHECK(NetBoxError::parse(R"({"non_field_errors": ["Set either server_id or failover_id, not both."]})").summary() ==
          "Set either server_id or failover_id, not both.");
    CHECK(NetBoxError::parse(R"({"__all__": ["Start IP must lie in the prefix"]})").summary() ==
          "Start IP must lie in the prefix");
}

TEST_CASE("lists of related objects name the element") {
    auto e = NetBoxError::parse(R"({"tags": [{}, {"slug": ["Related object not found"]}]})");
    CHECK(e.summary() == "tags[1].slug: Related object not found");
}

TEST_CASE("4.5/4.6 bulk create: an array with one dict per element, {} for valid ones") {
    auto e = NetBoxError::parse(R"([{}, {"address": ["Duplicate IP address found in global table: 10.0.1.6/24"]}, {},
                                    {"dns_name": ["bad"], "__all__": ["IP outside every scope"]}])");
    REQUIRE(e.names_objects());
    REQUIRE(e.objects().size() == 2);
    CHECK(e.objects()[0].index == 1u);
    CHECK_FALSE(e.objects()[0].id.has_value());
    CHECK(e.objects()[0].message == "address: Duplicate IP address found in global table: 10.0.1.6/24");
    CHECK(e.objects()[1].index == 3u);
    CHECK(e.objects()[1].message == "dns_name: bad; IP outside every scope");
}

TEST_CASE("4.7 bulk error: detail plus errors by index or by id") {
    auto e = NetBoxError::parse(R"({"detail": "2 of 5 objects could not be updated.",
        "errors": [{"index": 0, "errors": {"address": ["Invalid IP address format: x"]}},
                   {"id": 42, "errors": {"__all__": ["Object with ID 42 does not exist"]}}]})");
    REQUIRE(e.objects().size() == 2);
    CHECK(e.objects()[0].index == 0u);
    CHECK(e.objects()[0].message == "address: Invalid IP address format: x");
    CHECK_FALSE(e.objects()[1].index.has_value());
    CHECK(e.objects()[1].id == 42);
    CHECK(e.objects()[1].message == "Object with ID 42 does not exist");
    CHECK(e.summary().find("2 of 5 objects could not be updated.") == 0);
}

TEST_CASE("a lone detail is the summary and names no object") {
    auto e = NetBoxError::parse(R"({"detail": "Expected a list of objects."})");
    CHECK_FALSE(e.names_objects());
    CHECK(e.summary() == "Expected a list of objects.");
}

TEST_CASE("non-JSON bodies are kept as shortened text") {
    auto e = NetBoxError::parse("<html><body>502 Bad Gateway</body></html>");
    CHECK_FALSE(e.names_objects());
    CHECK(e.summary() == "<html><body>502 Bad Gateway</body></html>");
    std::string big(1000, 'x');
    CHECK(NetBoxError::parse(big).summary().size() == 303);
    CHECK(NetBoxError::parse("").summary() == "(empty response body)");
}

TEST_CASE("an array of plain messages is a summary") {
    auto e = NetBoxError::parse(R"(["Expected a list of items but got type \"dict\"."])");
    CHECK_FALSE(e.names_objects());
    CHECK(e.summary() == "Expected a list of items but got type \"dict\".");
}

TEST_CASE("shorten never splits a UTF-8 sequence") {
    std::string text = "ab\xC3\xA9" "cd";  // "abécd"
    CHECK(nds::netbox::shorten(text, 3) == "ab...");
    CHECK(nds::netbox::shorten("  hi  ", 10) == "hi");
}

TEST_CASE("a 500 from NetBox's exception handler: the exception class and its message on one line") {
    auto e = NetBoxError::parse(R"({"error": "duplicate key value violates unique constraint \"k\"\nDETAIL:  Key (code)=(6) already exists.",
                                    "exception": "IntegrityError", "netbox_version": "4.6.8", "python_version": "3.12.3"})");
    CHECK(e.is_integrity_error());
    CHECK(e.exception() == "IntegrityError");
    CHECK(e.summary() == "IntegrityError: duplicate key value violates unique constraint \"k\" DETAIL: Key (code)=(6) already exists.");
    CHECK_FALSE(e.names_objects());
    auto other = NetBoxError::parse(R"({"error": "value too long for type character varying(200)\n", "exception": "DataError"})");
    CHECK_FALSE(other.is_integrity_error());
    CHECK(other.summary() == "DataError: value too long for type character varying(200)");
    CHECK(NetBoxError::parse(R"({"detail": "x"})").exception().empty());
}
