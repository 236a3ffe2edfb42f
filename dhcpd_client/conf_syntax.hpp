// dhcpd.conf syntax (dhcpd.conf(5)): tokens (words, quoted strings, { } ; , =), comments, and statements
// nested in blocks. No meaning is given to any statement here; conf_parser.cpp does that. Pure.
#pragma once

#include "util/expected.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace nds::dhcpd {

struct Token {
    enum class Kind { word, string, punct };
    Kind kind = Kind::word;
    std::string text;  ///< a string's text without the quotes and with its escapes resolved
};

struct Statement {
    std::vector<Token> words;       ///< the tokens before ';' or '{'
    bool has_block = false;
    std::vector<Statement> block;   ///< the statements between '{' and '}'
    std::size_t begin = 0;          ///< offset of the first token in the text
    std::size_t end = 0;            ///< offset after the closing ';' or '}'
    int line = 0;
    /// The text after "nds:" of a `# nds: ...` comment right before the statement ("" when none): the
    /// backend's own notes (NetBox names and descriptions), which dhcpd ignores.
    std::string note;

    /// Word i when it is a word or string, else "".
    std::string_view word(std::size_t i) const;
    bool starts_with(std::initializer_list<std::string_view> words) const;
};

/// The statements of a file; errc::malformed naming the line for unbalanced braces, an unterminated string
/// or a statement without its ';'.
Expected<std::vector<Statement>> parse_statements(std::string_view text);

/// The statement's text as written, from its first token to its ';' or '}'.
std::string_view source_of(const Statement& statement, std::string_view text);

/// `key="value" key2="value2"` pairs of a note; values unescaped. Unknown or broken pairs are ignored.
std::vector<std::pair<std::string, std::string>> note_fields(std::string_view note);
/// One pair as the renderer writes it: name="Building \"A\"".
std::string note_field(std::string_view key, std::string_view value);

}  // namespace nds::dhcpd
