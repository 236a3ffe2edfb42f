// The unified diff: exact hunks for small cases, and GNU patch applying it turns the old text into the new.
#include "dhcpd_client/unified_diff.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

using namespace nds::dhcpd;

namespace {

std::string lines(int from, int to, const std::string& prefix = "line ") {
    std::string out;
    for (int i = from; i <= to; ++i) out += prefix + std::to_string(i) + "\n";
    return out;
}

void write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// GNU patch applies the diff to `old_text`; returns the patched text.
std::string patched(const std::string& old_text, const std::string& diff) {
    static int counter = 0;
    auto dir = std::filesystem::temp_directory_path() / ("nds-diff-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
    write(dir / "file", old_text);
    write(dir / "file.diff", diff);
    auto r = nds::testing::run_program("/usr/bin/patch", {"--quiet", "--force", (dir / "file").string(), (dir / "file.diff").string()});
    INFO("patch said: " << r.out << r.err);
    CHECK(r.exit_code == 0);
    auto out = read(dir / "file");
    std::filesystem::remove_all(dir);
    return out;
}

}  // namespace

TEST_CASE("diff: equal texts give nothing") {
    auto d = unified_diff("a\nb\n", "a\nb\n", "old", "new");
    CHECK(d.text.empty());
    CHECK(d.added == 0);
    CHECK(unified_diff("", "", "old", "new").text.empty());
}

TEST_CASE("diff: one changed line with three lines of context") {
    auto old_text = lines(1, 10);
    auto new_text = old_text;
    new_text.replace(new_text.find("line 5\n"), 7, "line five\n");
    auto d = unified_diff(old_text, new_text, "a/dhcpd.conf", "b/dhcpd.conf");
    CHECK(d.text ==
          "--- a/dhcpd.conf\n+++ b/dhcpd.conf\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n");
    CHECK(d.added == 1);
    CHECK(d.removed == 1);
}

TEST_CASE("diff: additions at the start and the end, a new file, a removed file") {
    auto d = unified_diff("b\nc\n", "a\nb\nc\nd\n", "old", "new");
    CHECK(d.text == "--- old\n+++ new\n@@ -1,2 +1,4 @@\n+a\n b\n c\n+d\n");
    CHECK(unified_diff("", "x\ny\n", "old", "new").text == "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+x\n+y\n");
    CHECK(unified_diff("x\n", "", "old", "new").text == "--- old\n+++ new\n@@ -1 +0,0 @@\n-x\n");
}

TEST_CASE("diff: far apart changes are separate hunks, close ones one hunk") {
    auto old_text = lines(1, 30);
    auto far = old_text;
    far.replace(far.find("line 3\n"), 7, "LINE 3\n");
    far.replace(far.find("line 25\n"), 8, "LINE 25\n");
    auto d = unified_diff(old_text, far, "o", "n");
    CHECK(d.text.find("@@ -1,6 +1,6 @@") != std::string::npos);
    CHECK(d.text.find("@@ -22,7 +22,7 @@") != std::string::npos);
    auto close = old_text;
    close.replace(close.find("line 3\n"), 7, "LINE 3\n");
    close.replace(close.find("line 9\n"), 7, "LINE 9\n");
    auto one = unified_diff(old_text, close, "o", "n");
    CHECK(one.text.find("@@ -1,12 +1,12 @@") != std::string::npos);
    std::size_t hunks = 0;
    for (auto at = one.text.find("\n@@ "); at != std::string::npos; at = one.text.find("\n@@ ", at + 1)) ++hunks;
    CHECK(hunks == 1);
}

TEST_CASE("diff: a missing final newline is marked") {
    auto d = unified_diff("a\nb", "a\nb\n", "o", "n");
    CHECK(d.text == "--- o\n+++ n\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
    CHECK(patched("a\nb", d.text) == "a\nb\n");
}

TEST_CASE("diff: GNU patch turns the old text into the new, for random edits") {
    std::mt19937 random(3);
    for (int round = 0; round < 40; ++round) {
        std::vector<std::string> a;
        for (int i = 0; i < 60; ++i) a.push_back("statement " + std::to_string(random() % 20) + ";");
        auto b = a;
        for (int edit = 0; edit < 1 + static_cast<int>(random() % 12); ++edit) {
            auto at = random() % (b.size() + 1);
            switch (random() % 3) {
            case 0: b.insert(b.begin() + static_cast<long>(at), "new " + std::to_string(random() % 5) + ";"); break;
            case 1: if (at < b.size()) b.erase(b.begin() + static_cast<long>(at)); break;
            default: if (at < b.size()) b[at] = "changed;"; break;
            }
        }
        std::string old_text, new_text;
        for (auto& l : a) old_text += l + "\n";
        for (auto& l : b) new_text += l + "\n";
        auto d = unified_diff(old_text, new_text, "o", "n");
        if (old_text == new_text) {
            CHECK(d.text.empty());
            continue;
        }
        CHECK(patched(old_text, d.text) == new_text);
    }
}

TEST_CASE("diff: past the edit limit the differing middle is shown as removed and added") {
    std::string a, b;
    for (int i = 0; i < 3000; ++i) {
        a += "a" + std::to_string(i) + "\n";
        b += "b" + std::to_string(i) + "\n";
    }
    auto d = unified_diff("head\n" + a + "tail\n", "head\n" + b + "tail\n", "o", "n");
    CHECK(d.removed == 3000);
    CHECK(d.added == 3000);
    CHECK(patched("head\n" + a + "tail\n", d.text) == "head\n" + b + "tail\n");
}
