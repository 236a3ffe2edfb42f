#include "tests/sim/netbox_sim_clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace nds::sim::netbox {

namespace {

std::int64_t g_offset_seconds = 0;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::tm broken_down(Micros t, long long& micros) {
    std::int64_t seconds = t / 1'000'000;
    micros = t % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        --seconds;
    }
    std::time_t tt = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return tm;
}

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

}  // namespace

Micros sim_now() {
    auto now = std::chrono::system_clock::now();
    return std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() +
           g_offset_seconds * 1'000'000;
}

void set_clock_offset_seconds(std::int64_t seconds) { g_offset_seconds = seconds; }
std::int64_t clock_offset_seconds() { return g_offset_seconds; }

std::string iso_time(Micros t) {
    long long micros = 0;
    std::tm tm = broken_down(t, micros);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
    return buffer;
}

std::string sim_now_iso() { return iso_time(sim_now()); }

std::string http_date(Micros t) {
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    long long micros = 0;
    std::tm tm = broken_down(t, micros);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buffer;
}

std::optional<Micros> parse_iso_time(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, month) ||
        text[7] != '-' || !digits(text, 8, 2, day))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
    std::size_t pos = 10;
    Micros fraction = 0;
    std::int64_t offset_seconds = 0;
    if (pos < text.size()) {
        if (text[pos] != 'T' && text[pos] != ' ') return std::nullopt;
        if (!digits(text, pos + 1, 2, hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !digits(text, pos + 4, 2, minute))
            return std::nullopt;
        pos += 6;
        if (pos < text.size() && text[pos] == ':') {
            if (!digits(text, pos + 1, 2, second)) return std::nullopt;
            pos += 3;
            if (pos < text.size() && text[pos] == '.') {
                ++pos;
                int n = 0;
                Micros scale = 100000;
                while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                    if (n < 6) fraction += (text[pos] - '0') * scale;
                    scale /= 10;
                    ++n;
                    ++pos;
                }
                if (n == 0) return std::nullopt;
            }
        }
        if (pos < text.size()) {
            if (text[pos] == 'Z' && pos + 1 == text.size()) {
                ++pos;
            } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() && text[pos + 3] == ':') {
                int oh = 0, om = 0;
                if (!digits(text, pos + 1, 2, oh) || !digits(text, pos + 4, 2, om)) return std::nullopt;
                offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
                pos += 6;
            } else {
                return std::nullopt;
            }
        }
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    std::int64_t seconds = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                           hour * 3600 + minute * 60 + second - offset_seconds;
    return seconds * 1'000'000 + fraction;
}

}  // namespace nds::sim::netbox
