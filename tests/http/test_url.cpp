// Url parsing, percent encoding/decoding, query targets, header lookup and json_response.
#include "http/http_message.hpp"
#include "http/url.hpp"

#include <doctest/doctest.h>

using namespace nds::http;

TEST_CASE("Url::parse splits scheme, host, port and target with default ports") {
    auto u = Url::parse("https://NetBox.Example.com:8443/base/api/?x=1#frag");
    REQUIRE(u);
    CHECK(u->scheme == "https");
    CHECK(u->host == "netbox.example.com");
    CHECK(u->port == 8443);
    CHECK(u->target == "/base/api/?x=1");
    CHECK(u->origin() == "https://netbox.example.com:8443");

    auto h = Url::parse("http://127.0.0.1");
    REQUIRE(h);
    CHECK(h->port == 80);
    CHECK(h->target == "/");
    CHECK(h->origin() == "http://127.0.0.1:80");

    auto s = Url::parse("HTTPS://psu.local?x=1");
    REQUIRE(s);
    CHECK(s->scheme == "https");
    CHECK(s->port == 443);
    CHECK(s->target == "/?x=1");

    auto v6 = Url::parse("http://[::1]:5000/x");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 5000);
    CHECK(v6->origin() == "http://[::1]:5000");
}

TEST_CASE("Url::parse rejects what is not an http(s) URL") {
    CHECK_FALSE(Url::parse("ftp://example.com/"));
    CHECK_FALSE(Url::parse("example.com"));
    CHECK_FALSE(Url::parse("http://"));
    CHECK_FALSE(Url::parse("http://host:0/"));
    CHECK_FALSE(Url::parse("http://host:70000/"));
    CHECK_FALSE(Url::parse("http://host:12ab/"));
    CHECK_FALSE(Url::parse("http://user:pw@host/"));
    CHECK_FALSE(Url::parse("http://[::1/"));
}

TEST_CASE("percent_encode keeps unreserved characters and encodes the rest") {
    CHECK(percent_encode("abcXYZ019-._~") == "abcXYZ019-._~");
    CHECK(percent_encode("a b&c=d/e?") == "a%20b%26c%3Dd%2Fe%3F");
    CHECK(percent_encode("10.0.1.0/24") == "10.0.1.0%2F24");
    CHECK(percent_encode("\xC3\xA9") == "%C3%A9");
    CHECK(percent_encode("") == "");
}

TEST_CASE("percent_decode decodes %XX and '+', keeps malformed escapes") {
    CHECK(percent_decode("a%20b+c") == "a b c");
    CHECK(percent_decode("%c3%A9") == "\xC3\xA9");
    CHECK(percent_decode("100%") == "100%");
    CHECK(percent_decode("%zz%4") == "%zz%4");
    CHECK(percent_decode(percent_encode("x y/z+w&=%")) == "x y/z+w&=%");
}

TEST_CASE("Target::parse keeps order and repeated keys, decodes values") {
    auto t = Target::parse("/a/b?x=1&y=two%20words&x=3&flag&&z=a%2Bb+c#frag");
    CHECK(t.path == "/a/b");
    REQUIRE(t.params.size() == 5);
    CHECK(t.all("x") == std::vector<std::string>{"1", "3"});
    CHECK(t.get("y") == std::optional<std::string>("two words"));
    CHECK(t.get("flag") == std::optional<std::string>(""));
    CHECK(t.get("z") == std::optional<std::string>("a+b c"));
    CHECK_FALSE(t.get("missing"));
    CHECK(t.all("missing").empty());

    auto plain = Target::parse("/only/path");
    CHECK(plain.path == "/only/path");
    CHECK(plain.params.empty());
}

TEST_CASE("make_target encodes values and round-trips through Target::parse") {
    CHECK(make_target("/api/x/", {}) == "/api/x/");
    QueryParams p{{"scope_id", "10.0.1.0"}, {"q", "a b&c"}, {"tag", "x"}, {"tag", "y"}};
    auto target = make_target("/api/leases", p);
    CHECK(target == "/api/leases?scope_id=10.0.1.0&q=a%20b%26c&tag=x&tag=y");
    auto back = Target::parse(target);
    CHECK(back.path == "/api/leases");
    CHECK(back.params == p);
}

TEST_CASE("header lookup is case-insensitive and json_response sets the content type") {
    Request req;
    req.headers = {{"Content-Type", "text/plain"}, {"X-Thing", "1"}, {"x-thing", "2"}};
    CHECK(req.header("content-type") == "text/plain");
    CHECK(req.header("X-THING") == "1");
    CHECK(req.header("missing").empty());

    auto res = json_response(201, R"({"ok":true})");
    CHECK(res.status == 201);
    CHECK(res.ok());
    CHECK(res.header("content-type") == "application/json");
    CHECK(res.body == R"({"ok":true})");
    CHECK_FALSE(json_response(404, "{}").ok());
}
