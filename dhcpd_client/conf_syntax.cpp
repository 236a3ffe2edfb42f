#include "dhcpd_client/conf_syntax.hpp"

#include "dhcpd_client/option_catalog.hpp"

#include <cctype>

namespace nds::dhcpd {
namespace {

bool is_punct(char c) { return c == '{' || c == '}' || c == ';' || c == ',' || c == '='; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

Error syntax_error(int line, const std::string& what) {
    return Error{make_error_code(errc::malformed), "dhcpd.conf line " + std::to_string(line) + ": " + what};
}

/// Resolves dhcpd's string escapes: \" \\ \t \n \r \b, \ooo (octal) and \xhh.
std::size_t read_escape(std::string_view text, std::size_t i, std::string& out) {
    char c = text[i];
    switch (c) {
    case 't': out += '\t'; return i + 1;
    case 'n': out += '\n'; return i + 1;
    case 'r': out += '\r'; return i + 1;
    case 'b': out += '\b'; return i + 1;
    case 'x': {
        int value = 0, digits = 0;
        std::size_t j = i + 1;
        while (j < text.size() && digits < 2 && std::isxdigit(static_cast<unsigned char>(text[j]))) {
            value = value * 16 + (std::isdigit(static_cast<unsigned char>(text[j])) ? text[j] - '0' : (std::tolower(text[j]) - 'a' + 10));
            ++j;
            ++digits;
        }
        if (digits == 0) { out += 'x'; return i + 1; }
        out += static_cast<char>(value);
        return j;
    }
    default:
        if (c >= '0' && c <= '7') {
            int value = 0, digits = 0;
            std::size_t j = i;
            while (j < text.size() && digits < 3 && text[j] >= '0' && text[j] <= '7') {
                value = value * 8 + (text[j] - '0');
                ++j;
                ++digits;
            }
            out += static_cast<char>(value & 0xff);
            return j;
        }
        out += c;  // \" \\ and anything else stand for themselves
        return i + 1;
    }
}

struct Lexer {
    std::string_view text;
    std::size_t pos = 0;
    int line = 1;
    std::string pending_note;

    struct Lexeme {
        Token token;
        std::size_t begin = 0, end = 0;
        int line = 0;
        bool eof = false;
    };

    /// Skips blanks and comments, remembering the last `# nds:` comment for the next statement.
    void skip_blanks() {
        while (pos < text.size()) {
            char c = text[pos];
            if (c == '\n') { ++line; ++pos; continue; }
            if (is_space(c)) { ++pos; continue; }
            if (c == '#') {
                auto eol = text.find('\n', pos);
                if (eol == std::string_view::npos) eol = text.size();
                auto comment = text.substr(pos + 1, eol - pos - 1);
                while (!comment.empty() && is_space(comment.front())) comment.remove_prefix(1);
                if (comment.substr(0, 4) == "nds:") pending_note = std::string(comment.substr(4));
                pos = eol;
                continue;
            }
            break;
        }
    }

    Expected<Lexeme> next() {
        skip_blanks();
        Lexeme lexeme;
        lexeme.begin = pos;
        lexeme.line = line;
        if (pos >= text.size()) {
            lexeme.eof = true;
            return lexeme;
        }
        char c = text[pos];
        if (is_punct(c)) {
            lexeme.token = Token{Token::Kind::punct, std::string(1, c)};
            lexeme.end = ++pos;
            return lexeme;
        }
        if (c == '"') {
            std::string value;
            std::size_t i = pos + 1;
            while (true) {
                if (i >= text.size()) return syntax_error(lexeme.line, "string is never closed");
                char s = text[i];
                if (s == '"') break;
                if (s == '\n') ++line;
                if (s == '\\' && i + 1 < text.size()) {
                    i = read_escape(text, i + 1, value);
                    continue;
                }
                value += s;
                ++i;
            }
            pos = i + 1;
            lexeme.token = Token{Token::Kind::string, std::move(value)};
            lexeme.end = pos;
            return lexeme;
        }
        std::size_t i = pos;
        while (i < text.size() && !is_space(text[i]) && !is_punct(text[i]) && text[i] != '"' && text[i] != '#') ++i;
        lexeme.token = Token{Token::Kind::word, std::string(text.substr(pos, i - pos))};
        pos = i;
        lexeme.end = pos;
        return lexeme;
    }
};

/// Parses statements until the matching '}' (depth > 0) or the end of the text (depth 0).
Expected<std::vector<Statement>> parse_block(Lexer& lexer, int depth, int open_line) {
    std::vector<Statement> statements;
    Statement current;
    bool started = false;
    while (true) {
        auto lexeme = lexer.next();
        if (!lexeme) return lexeme.error();
        if (lexeme->eof) {
            if (started) return syntax_error(current.line, "statement '" + std::string(current.word(0)) + "' has no ';'");
            if (depth > 0) return syntax_error(open_line, "'{' is never closed");
            return statements;
        }
        const Token& token = lexeme->token;
        if (token.kind == Token::Kind::punct && token.text == "}") {
            if (started) return syntax_error(current.line, "statement '" + std::string(current.word(0)) + "' has no ';' before '}'");
            if (depth == 0) return syntax_error(lexeme->line, "'}' without a matching '{'");
            lexer.pending_note.clear();
            return statements;
        }
        if (token.kind == Token::Kind::punct && token.text == ";") {
            if (started) {
                current.end = lexeme->end;
                statements.push_back(std::move(current));
                current = Statement{};
                started = false;
            }
            continue;  // an empty statement, or the ';' some write after '}'
        }
        if (!started) {
            started = true;
            current.begin = lexeme->begin;
            current.line = lexeme->line;
            current.note = std::move(lexer.pending_note);
            lexer.pending_note.clear();
        }
        if (token.kind == Token::Kind::punct && token.text == "{") {
            auto children = parse_block(lexer, depth + 1, lexeme->line);
            if (!children) return children.error();
            current.has_block = true;
            current.block = std::move(*children);
            current.end = lexer.pos;
            statements.push_back(std::move(current));
            current = Statement{};
            started = false;
            continue;
        }
        current.words.push_back(token);
    }
}

}  // namespace

std::string_view Statement::word(std::size_t i) const {
    if (i >= words.size() || words[i].kind == Token::Kind::punct) return {};
    return words[i].text;
}

bool Statement::starts_with(std::initializer_list<std::string_view> expected) const {
    std::size_t i = 0;
    for (auto w : expected) {
        if (i >= words.size() || words[i].kind != Token::Kind::word || words[i].text != w) return false;
        ++i;
    }
    return true;
}

Expected<std::vector<Statement>> parse_statements(std::string_view text) {
    Lexer lexer;
    lexer.text = text;
    return parse_block(lexer, 0, 0);
}

std::string_view source_of(const Statement& statement, std::string_view text) {
    if (statement.end <= statement.begin || statement.end > text.size()) return {};
    return text.substr(statement.begin, statement.end - statement.begin);
}

std::vector<std::pair<std::string, std::string>> note_fields(std::string_view note) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    while (i < note.size()) {
        while (i < note.size() && is_space(note[i])) ++i;
        std::size_t key_start = i;
        while (i < note.size() && note[i] != '=' && !is_space(note[i])) ++i;
        if (i >= note.size() || note[i] != '=' || i + 1 >= note.size() || note[i + 1] != '"') {
            while (i < note.size() && !is_space(note[i])) ++i;  // a bare word: skip it
            continue;
        }
        std::string key(note.substr(key_start, i - key_start));
        i += 2;
        std::string value;
        bool closed = false;
        while (i < note.size()) {
            char c = note[i];
            if (c == '"') { closed = true; ++i; break; }
            if (c == '\\' && i + 1 < note.size()) {
                i = read_escape(note, i + 1, value);
                continue;
            }
            value += c;
            ++i;
        }
        if (closed) out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

std::string note_field(std::string_view key, std::string_view value) {
    return std::string(key) + "=" + quote_string(value);
}

}  // namespace nds::dhcpd
