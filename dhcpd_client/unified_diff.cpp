#include "dhcpd_client/unified_diff.hpp"

#include <algorithm>
#include <vector>

namespace nds::dhcpd {
namespace {

constexpr std::ptrdiff_t kMaxEdits = 2000;

struct Lines {
    std::vector<std::string_view> lines;
    bool final_newline = true;
};

Lines split_lines(std::string_view text) {
    Lines out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        if (eol == std::string_view::npos) {
            out.lines.push_back(text.substr(pos));
            out.final_newline = false;
            break;
        }
        out.lines.push_back(text.substr(pos, eol - pos));
        pos = eol + 1;
    }
    return out;
}

enum class Op { equal, remove, add };

/// Myers' O(ND) shortest edit script of a[0..n) to b[0..m) (`equal(x, y)` compares a[x] and b[y]); empty when
/// it needs more than kMaxEdits edits.
template <class Equal>
std::vector<Op> myers(std::ptrdiff_t n, std::ptrdiff_t m, Equal equal) {
    const std::ptrdiff_t max = std::min<std::ptrdiff_t>(n + m, kMaxEdits);
    const std::ptrdiff_t offset = max + 1;
    std::vector<std::ptrdiff_t> v(2 * max + 3, 0);
    std::vector<std::vector<std::ptrdiff_t>> trace;  // v[-d..d] after each round d
    std::ptrdiff_t found = -1;
    for (std::ptrdiff_t d = 0; d <= max && found < 0; ++d) {
        for (std::ptrdiff_t k = -d; k <= d; k += 2) {
            std::ptrdiff_t x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1]
                                                                                               : v[offset + k - 1] + 1;
            std::ptrdiff_t y = x - k;
            while (x < n && y < m && equal(x, y)) ++x, ++y;
            v[offset + k] = x;
            if (x >= n && y >= m) found = d;
        }
        trace.emplace_back(v.begin() + offset - d, v.begin() + offset + d + 1);
    }
    if (found < 0) return {};
    std::vector<Op> ops;
    std::ptrdiff_t x = n, y = m;
    for (std::ptrdiff_t d = found; d > 0; --d) {
        const auto& prev = trace[d - 1];  // v[-(d-1) .. d-1]
        auto at = [&](std::ptrdiff_t k) { return prev[k + (d - 1)]; };
        std::ptrdiff_t k = x - y;
        bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
        std::ptrdiff_t prev_k = down ? k + 1 : k - 1;
        std::ptrdiff_t prev_x = at(prev_k);
        std::ptrdiff_t prev_y = prev_x - prev_k;
        while (x > prev_x && y > prev_y) {
            ops.push_back(Op::equal);
            --x, --y;
        }
        ops.push_back(down ? Op::add : Op::remove);
        if (down) --y;
        else --x;
    }
    while (x > 0 && y > 0) {
        ops.push_back(Op::equal);
        --x, --y;
    }
    std::reverse(ops.begin(), ops.end());
    return ops;
}

std::string range_header(std::size_t start, std::size_t count) {
    // diff -u: a hunk of 0 lines is shown at the line before it.
    if (count == 0) return std::to_string(start) + ",0";
    if (count == 1) return std::to_string(start + 1);
    return std::to_string(start + 1) + "," + std::to_string(count);
}

}  // namespace

DiffResult unified_diff(std::string_view old_text, std::string_view new_text, std::string_view old_label,
                        std::string_view new_label, std::size_t context) {
    DiffResult result;
    if (old_text == new_text) return result;
    auto a = split_lines(old_text);
    auto b = split_lines(new_text);
    const std::size_t n = a.lines.size(), m = b.lines.size();
    // A missing final newline is a difference of the last line.
    auto same_line = [&](std::size_t i, std::size_t j) {
        if (a.lines[i] != b.lines[j]) return false;
        bool a_last = i + 1 == n, b_last = j + 1 == m;
        bool a_nl = !a_last || a.final_newline, b_nl = !b_last || b.final_newline;
        return a_nl == b_nl;
    };
    std::size_t head = 0;
    while (head < n && head < m && same_line(head, head)) ++head;
    std::size_t tail = 0;
    while (tail < n - head && tail < m - head && same_line(n - 1 - tail, m - 1 - tail)) ++tail;

    std::vector<Op> ops(head, Op::equal);
    auto middle = myers(static_cast<std::ptrdiff_t>(n - head - tail), static_cast<std::ptrdiff_t>(m - head - tail),
                        [&](std::ptrdiff_t x, std::ptrdiff_t y) {
                            return same_line(head + static_cast<std::size_t>(x), head + static_cast<std::size_t>(y));
                        });
    if (middle.empty() && (n - head - tail) + (m - head - tail) > 0) {
        middle.assign(n - head - tail, Op::remove);
        middle.insert(middle.end(), m - head - tail, Op::add);
    }
    ops.insert(ops.end(), middle.begin(), middle.end());
    ops.insert(ops.end(), tail, Op::equal);

    // Positions of each op in a and b.
    struct Step { Op op; std::size_t i, j; };
    std::vector<Step> steps;
    steps.reserve(ops.size());
    std::size_t i = 0, j = 0;
    for (auto op : ops) {
        steps.push_back({op, i, j});
        if (op != Op::add) ++i;
        if (op != Op::remove) ++j;
    }

    std::string& out = result.text;
    out += "--- " + std::string(old_label) + "\n";
    out += "+++ " + std::string(new_label) + "\n";
    auto line_out = [&](char mark, const Lines& lines, std::size_t index) {
        out += mark;
        out += lines.lines[index];
        out += '\n';
        if (index + 1 == lines.lines.size() && !lines.final_newline) out += "\\ No newline at end of file\n";
    };
    std::size_t s = 0;
    while (s < steps.size()) {
        while (s < steps.size() && steps[s].op == Op::equal) ++s;
        if (s == steps.size()) break;
        // A hunk: from `context` lines before the first change to `context` after the last change that is
        // followed by no other change within 2 * context lines.
        std::size_t first = s >= context ? s - context : 0;
        std::size_t last_change = s;
        std::size_t k = s;
        while (k < steps.size()) {
            if (steps[k].op != Op::equal) {
                last_change = k;
                ++k;
                continue;
            }
            if (k - last_change > 2 * context) break;
            ++k;
        }
        std::size_t end = std::min(steps.size(), last_change + 1 + context);
        std::size_t old_count = 0, new_count = 0;
        for (std::size_t t = first; t < end; ++t) {
            if (steps[t].op != Op::add) ++old_count;
            if (steps[t].op != Op::remove) ++new_count;
        }
        out += "@@ -" + range_header(steps[first].i, old_count) + " +" + range_header(steps[first].j, new_count) + " @@\n";
        for (std::size_t t = first; t < end; ++t) {
            const auto& step = steps[t];
            if (step.op == Op::equal) line_out(' ', a, step.i);
            else if (step.op == Op::remove) {
                line_out('-', a, step.i);
                ++result.removed;
            } else {
                line_out('+', b, step.j);
                ++result.added;
            }
        }
        s = end;
    }
    return result;
}

}  // namespace nds::dhcpd
