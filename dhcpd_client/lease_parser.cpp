#include "dhcpd_client/lease_parser.hpp"

#include "sync_engine/client_id.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

namespace nds::dhcpd {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kMaxProblems = 20;

enum class Binding : std::uint8_t { unknown, active, other };

/// One lease block in 24 bytes. Its MAC and host name are copied, as written, to a compact side buffer while
/// their line is in the cache: going back to a 300 MB text for them afterwards cost a cache miss per lease.
struct Block {
    std::int64_t ends = kNever;
    std::uint32_t ip = 0;
    std::uint32_t mac_at = 0;       ///< offset in the side buffer of the MAC as written, "02:00:00:00:00:03"
    std::uint32_t hostname_at = 0;  ///< offset in the side buffer of the host name, escapes unresolved
    std::uint16_t hostname_length = 0;
    std::uint8_t mac_length = 0;
    Binding binding = Binding::unknown;
};
static_assert(sizeof(Block) == 24);

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

std::optional<std::uint32_t> parse_ip(std::string_view s, std::size_t& used) {
    std::uint32_t value = 0;
    std::size_t i = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (i >= s.size() || s[i] != '.') return std::nullopt;
            ++i;
        }
        unsigned part = 0;
        std::size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            part = part * 10 + static_cast<unsigned>(s[i] - '0');
            ++i;
            ++digits;
        }
        if (digits == 0 || digits > 3 || part > 255) return std::nullopt;
        value = (value << 8) | part;
    }
    used = i;
    return value;
}

/// Days from 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool read_number(std::string_view s, std::size_t& i, std::int64_t& out, std::size_t max_digits) {
    std::size_t digits = 0;
    out = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < max_digits) {
        out = out * 10 + (s[i] - '0');
        ++i;
        ++digits;
    }
    return digits > 0;
}

/// The text of a quoted string starting at s[0] == '"' (escapes unresolved); npos-safe.
std::optional<std::string_view> quoted(std::string_view s) {
    if (s.empty() || s[0] != '"') return std::nullopt;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (s[i] == '\\') { ++i; continue; }
        if (s[i] == '"') return s.substr(1, i - 1);
    }
    return std::nullopt;
}

std::string unescape(std::string_view s) {
    if (s.find('\\') == std::string_view::npos) return std::string(s);
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out += s[i];
            continue;
        }
        char c = s[++i];
        if (c >= '0' && c <= '7') {
            int value = 0;
            for (int n = 0; n < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++n, ++i) value = value * 8 + (s[i] - '0');
            --i;
            out += static_cast<char>(value & 0xff);
        } else {
            out += c;
        }
    }
    return out;
}

/// Brace depth change of a line, outside quoted strings.
int brace_delta(std::string_view line) {
    int delta = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '#') break;
        else if (c == '{') ++delta;
        else if (c == '}') --delta;
    }
    return delta;
}

class LeaseScanner {
public:
    LeaseScanner(std::string_view text, LeaseFile& out) : text_(text), out_(out) {}

    std::vector<Block> scan() {
        std::vector<Block> blocks;
        blocks.reserve(text_.size() / 200 + 16);  // dhcpd writes about 200-300 bytes per lease
        strings_.reserve(text_.size() / 8);
        std::size_t pos = 0;
        int line_number = 0;
        int depth = 0;       // braces open outside lease blocks (failover state, host, ...)
        bool in_lease = false;
        int lease_depth = 0;  // braces open inside the current lease block beyond its own
        bool lease_bad = false;
        int lease_line = 0;
        Block current;
        while (pos < text_.size()) {
            const char* start = text_.data() + pos;
            const void* nl = std::memchr(start, '\n', text_.size() - pos);
            std::size_t len = nl ? static_cast<const char*>(nl) - start : text_.size() - pos;
            std::string_view line(start, len);
            pos += len + 1;
            ++line_number;
            while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
            while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
            if (line.empty() || line.front() == '#') continue;

            if (!in_lease) {
                if (depth == 0 && starts_with(line, "lease ")) {
                    in_lease = true;
                    lease_depth = 0;
                    lease_bad = false;
                    lease_line = line_number;
                    current = Block{};
                    std::size_t used = 0;
                    auto ip = parse_ip(line.substr(6), used);
                    if (!ip) lease_bad = true;
                    else current.ip = *ip;
                    auto open = line.find('{');
                    int delta = brace_delta(line);
                    if (open != std::string_view::npos && delta == 0) {
                        // A whole block on one line (dhcpd writes one statement per line; people may not).
                        auto close = line.rfind('}');
                        auto inner = line.substr(open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1);
                        while (!inner.empty()) {
                            auto semi = inner.find(';');
                            auto piece = inner.substr(0, semi == std::string_view::npos ? inner.size() : semi + 1);
                            while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t')) piece.remove_prefix(1);
                            if (!piece.empty()) read_lease_line(piece, current, lease_bad);
                            if (semi == std::string_view::npos) break;
                            inner.remove_prefix(semi + 1);
                        }
                        in_lease = false;
                        close_block(blocks, current, lease_bad, lease_line);
                    } else if (open == std::string_view::npos || delta != 1) {
                        lease_bad = true;  // "lease X {" opens exactly one block
                    }
                    continue;
                }
                depth += brace_delta(line);
                if (depth < 0) depth = 0;
                continue;
            }
            // Inside a lease block.
            if (lease_depth == 0 && line.front() == '}') {
                in_lease = false;
                close_block(blocks, current, lease_bad, lease_line);
                continue;
            }
            if (lease_depth == 0) read_lease_line(line, current, lease_bad);
            // Blocks inside a lease (`on expiry {` ... `}`). dhcpd writes every statement on a line of its own,
            // so a brace that opens or closes a block ends its line or starts it; a brace inside a string
            // (`set x = "{";`) does neither and is not looked for.
            if (line.front() == '}' || line.back() == '{' || line.back() == '}') lease_depth += brace_delta(line);
            if (lease_depth < 0) {  // the lease's own '}' at the end of a line ("...; }")
                lease_depth = 0;
                in_lease = false;
                close_block(blocks, current, lease_bad, lease_line);
            }
        }
        return blocks;  // a block still open at the end was cut off while dhcpd wrote it: left out
    }

private:
    void read_lease_line(std::string_view line, Block& block, bool& bad) {
        switch (line.front()) {
        case 'b':
            if (starts_with(line, "binding state ")) {
                auto state = line.substr(14);
                block.binding = starts_with(state, "active;") || starts_with(state, "active ") ? Binding::active : Binding::other;
            }
            return;
        case 'h':
            if (starts_with(line, "hardware ethernet ")) {
                auto value = line.substr(18);
                auto semi = value.find(';');
                value = value.substr(0, semi);
                value = value.substr(0, std::min<std::size_t>(value.size(), 255));
                block.mac_at = keep(value);
                block.mac_length = static_cast<std::uint8_t>(value.size());
            }
            return;
        case 'c':
            if (starts_with(line, "client-hostname ")) {
                if (auto text = quoted(line.substr(16))) {
                    auto name = text->substr(0, std::min<std::size_t>(text->size(), 0xffff));
                    block.hostname_at = keep(name);
                    block.hostname_length = static_cast<std::uint16_t>(name.size());
                }
            }
            return;
        case 'e':
            if (starts_with(line, "ends ")) {
                auto value = line.substr(5);
                if (starts_with(value, "never")) block.ends = kNever;
                else if (starts_with(value, "epoch ")) {
                    std::size_t i = 6;
                    std::int64_t epoch = 0;
                    if (read_number(value, i, epoch, 19)) block.ends = epoch;
                    else bad = true;
                } else if (auto t = parse_lease_time(value)) block.ends = *t;
                else bad = true;
            }
            return;
        default:
            return;
        }
    }

public:
    /// The side buffer the blocks' offsets point into.
    const std::string& strings() const { return strings_; }

private:
    std::uint32_t keep(std::string_view part) {
        auto at = static_cast<std::uint32_t>(strings_.size());
        strings_.append(part);
        return at;
    }

    void close_block(std::vector<Block>& blocks, Block& block, bool bad, int line) {
        ++out_.blocks;
        if (bad) {
            note_malformed(line);
            return;
        }
        blocks.push_back(block);
    }

    void note_malformed(int line) {
        ++out_.malformed;
        if (out_.problems.size() < kMaxProblems)
            out_.problems.push_back("dhcpd.leases line " + std::to_string(line) + ": lease block with a bad address or date skipped");
    }

    std::string_view text_;
    LeaseFile& out_;
    std::string strings_;
};

}  // namespace

std::optional<std::int64_t> parse_lease_time(std::string_view s) {
    // "1 2026/11/23 07:42:45;" — weekday, date, time (UTC unless db-time-format local, which writes epoch).
    std::size_t i = 0;
    std::int64_t weekday = 0, year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_number(s, i, weekday, 1) || i >= s.size() || s[i] != ' ') return std::nullopt;
    ++i;
    if (!read_number(s, i, year, 4) || i >= s.size() || s[i] != '/') return std::nullopt;
    ++i;
    if (!read_number(s, i, month, 2) || i >= s.size() || s[i] != '/') return std::nullopt;
    ++i;
    if (!read_number(s, i, day, 2) || i >= s.size() || s[i] != ' ') return std::nullopt;
    ++i;
    if (!read_number(s, i, hour, 2) || i >= s.size() || s[i] != ':') return std::nullopt;
    ++i;
    if (!read_number(s, i, minute, 2) || i >= s.size() || s[i] != ':') return std::nullopt;
    ++i;
    if (!read_number(s, i, second, 2)) return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hour * 3600 +
           minute * 60 + second;
}

std::string format_expiry(std::int64_t epoch) {
    std::int64_t days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400;
    std::int64_t rest = epoch - days * 86400;
    // civil_from_days (Howard Hinnant)
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999) return {};
    // By hand: this runs once per active lease, and snprintf was a fifth of the parse.
    std::string out = "0000-00-00T00:00:00Z";
    auto two = [&](std::size_t at, unsigned v) {
        out[at] = static_cast<char>('0' + v / 10);
        out[at + 1] = static_cast<char>('0' + v % 10);
    };
    auto year = static_cast<unsigned>(y);
    two(0, year / 100);
    two(2, year % 100);
    two(5, m);
    two(8, d);
    two(11, static_cast<unsigned>(rest / 3600));
    two(14, static_cast<unsigned>(rest / 60 % 60));
    two(17, static_cast<unsigned>(rest % 60));
    return out;
}

/// dhcpd writes "02:00:00:00:00:0a": lowercase it with '-' in one go; anything else goes through the
/// engine's normalisation.
static std::string client_id_of(std::string_view mac) {
    if (mac.size() == 17 && mac[2] == ':' && mac[5] == ':' && mac[8] == ':' && mac[11] == ':' && mac[14] == ':') {
        std::string out(mac);
        bool hex = true;
        for (std::size_t i = 0; i < 17; ++i) {
            char& c = out[i];
            if (i % 3 == 2) {
                c = '-';
                continue;
            }
            if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
            else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) hex = false;
        }
        if (hex) return out;
    }
    return engine::normalize_client_id(mac);
}

LeaseFile parse_leases(std::string_view text, std::int64_t now) {
    LeaseFile out;
    if (text.size() > 0xffffffffull) {  // blocks keep 32-bit offsets; the backend refuses such a file before
        out.problems.push_back("dhcpd.leases is larger than 4 GiB: not read");
        ++out.malformed;
        return out;
    }
    LeaseScanner scanner(text, out);
    auto blocks = scanner.scan();
    const std::string_view strings = scanner.strings();
    // Last block per address: the blocks in address order, file order kept within an address (a stable LSD
    // radix sort on the 32-bit address, two 16-bit passes), then the last of each address.
    const std::size_t n = blocks.size();
    std::vector<std::uint32_t> order(n), scratch(n);
    for (std::size_t i = 0; i < n; ++i) scratch[i] = static_cast<std::uint32_t>(i);
    std::vector<std::uint32_t> counts(65537);
    for (int pass = 0; pass < 2; ++pass) {
        const int shift = pass * 16;
        std::fill(counts.begin(), counts.end(), 0);
        for (std::size_t i = 0; i < n; ++i) ++counts[((blocks[scratch[i]].ip >> shift) & 0xffff) + 1];
        for (std::size_t b = 1; b < counts.size(); ++b) counts[b] += counts[b - 1];
        for (std::size_t i = 0; i < n; ++i) order[counts[(blocks[scratch[i]].ip >> shift) & 0xffff]++] = scratch[i];
        std::swap(order, scratch);
    }
    const auto& sorted = scratch;  // after two passes (and two swaps) the result is in scratch
    auto counts_as_lease = [&](std::size_t i) {
        const Block& b = blocks[sorted[i]];
        return b.binding == Binding::active && b.ends >= now;
    };
    auto last_of_address = [&](std::size_t i) { return i + 1 == n || blocks[sorted[i + 1]].ip != blocks[sorted[i]].ip; };
    std::size_t wanted = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (last_of_address(i)) {
            ++out.addresses;
            if (counts_as_lease(i)) ++wanted;
        }
    out.active.reserve(wanted);
    for (std::size_t i = 0; i < n; ++i) {
        if (!last_of_address(i) || !counts_as_lease(i)) continue;
        const Block& b = blocks[sorted[i]];
        engine::DhcpLease lease;
        lease.ip = engine::Ipv4Address{b.ip};
        lease.client_id = client_id_of(strings.substr(b.mac_at, b.mac_length));
        lease.hostname = unescape(strings.substr(b.hostname_at, b.hostname_length));
        if (b.ends != kNever) lease.lease_expiry = format_expiry(b.ends);
        out.active.push_back(std::move(lease));
    }
    return out;
}

}  // namespace nds::dhcpd
