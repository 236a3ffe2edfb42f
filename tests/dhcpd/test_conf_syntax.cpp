// dhcpd.conf syntax: tokens, comments, nested blocks, the backend's notes, errors naming the line.
#include "dhcpd_client/conf_syntax.hpp"

#include <doctest/doctest.h>

using namespace nds::dhcpd;

namespace {
std::vector<Statement> parse(std::string_view text) {
    auto r = parse_statements(text);
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
    return *r;
}
std::string error_of(std::string_view text) {
    auto r = parse_statements(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(nds::errc::malformed));
    return r.error().message;
}
}  // namespace

TEST_CASE("syntax: statements, blocks, comments and strings") {
    const std::string text =
        "# a comment\n"
        "authoritative;  # trailing comment\n"
        "option domain-name \"ex;am{ple}.net\";\n"
        "subnet 10.0.1.0 netmask 255.255.255.0 {\n"
        "  range 10.0.1.10 10.0.1.20;\n"
        "  pool { failover peer \"fo\"; range 10.0.1.30 10.0.1.40; };\n"
        "}\n";
    auto s = parse(text);
    REQUIRE(s.size() == 3);
    CHECK(s[0].word(0) == "authoritative");
    CHECK_FALSE(s[0].has_block);
    CHECK(s[1].words[2].kind == Token::Kind::string);
    CHECK(s[1].word(2) == "ex;am{ple}.net");
    CHECK(s[2].has_block);
    CHECK(s[2].line == 4);
    REQUIRE(s[2].block.size() == 2);
    CHECK(s[2].block[0].starts_with({"range", "10.0.1.10"}));
    REQUIRE(s[2].block[1].block.size() == 2);
    CHECK(s[2].block[1].block[0].word(2) == "fo");
    CHECK(source_of(s[2].block[0], text) == "range 10.0.1.10 10.0.1.20;");
    CHECK(source_of(s[2], text).substr(0, 6) == "subnet");
    CHECK(source_of(s[2], text).back() == '}');
}

TEST_CASE("syntax: punctuation is split off words, strings resolve escapes") {
    auto s = parse("option x code 250=text; option y 1,2 , 3; option z \"a\\\"b\\\\c\\101\\x42\\tq\";");
    REQUIRE(s.size() == 3);
    CHECK(s[0].words.size() == 6);
    CHECK(s[0].words[4].kind == Token::Kind::punct);
    CHECK(s[0].word(5) == "text");
    CHECK(s[1].words.size() == 7);
    CHECK(s[2].word(2) == "a\"b\\cAB\tq");
}

TEST_CASE("syntax: a '# nds:' comment is the note of the next statement only") {
    auto s = parse(
        "# nds: name=\"A\"\n"
        "subnet 10.0.1.0 netmask 255.255.255.0 {\n"
        "  # nds: name=\"host one\" description=\"x\"\n"
        "  host h1 { hardware ethernet 02:00:00:00:00:01; }\n"
        "  host h2 { hardware ethernet 02:00:00:00:00:02; }\n"
        "  # nds: name=\"dangling\"\n"
        "}\n"
        "authoritative;\n");
    REQUIRE(s.size() == 2);
    CHECK(s[0].note == " name=\"A\"");
    CHECK(s[0].block[0].note.find("host one") != std::string::npos);
    CHECK(s[0].block[1].note.empty());
    CHECK(s[1].note.empty());  // the note before '}' belongs to nothing
}

TEST_CASE("syntax: note fields read back what note_field wrote, whatever the text") {
    for (std::string value : {"Building A", "", "quote \" and \\ backslash", "line\nbreak", "üñí", "x=\"y\""}) {
        auto note = note_field("name", value) + " " + note_field("description", "d");
        auto fields = note_fields(note);
        REQUIRE(fields.size() == 2);
        CHECK(fields[0].first == "name");
        CHECK(fields[0].second == value);
        CHECK(note_field("name", value).find('\n') == std::string::npos);  // stays one comment line
        CHECK(fields[1].second == "d");
    }
    CHECK(note_fields(" junk name=\"ok\" broken=\"open").size() == 1);
}

TEST_CASE("syntax: errors name the line") {
    CHECK(error_of("authoritative;\nsubnet 10.0.0.0 netmask 255.0.0.0 {\n range 10.0.0.1 10.0.0.2;\n")
              .find("line 2: '{' is never closed") != std::string::npos);
    CHECK(error_of("authoritative;\n}\n").find("line 2: '}' without a matching '{'") != std::string::npos);
    CHECK(error_of("authoritative;\nddns-update-style none\n").find("line 2: statement 'ddns-update-style' has no ';'") !=
          std::string::npos);
    CHECK(error_of("x {\n y z\n}\n").find("line 2") != std::string::npos);
    CHECK(error_of("option domain-name \"open;\n").find("line 1: string is never closed") != std::string::npos);
}

TEST_CASE("syntax: an empty file and empty statements are fine") {
    CHECK(parse("").empty());
    CHECK(parse("\n# only comments\n;;\n").empty());
}
