// Split decisions for a rejected bulk batch, and the resend loop they drive.
#include "netbox_client/bulk_splitter.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>

using nds::netbox::BulkSplitter;
using nds::netbox::NetBoxError;

namespace {

std::vector<std::size_t> range(std::size_t n) {
    std::vector<std::size_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = i;
    return v;
}

/// Drives the splitter the way NetBoxClient does, against a fake NetBox that rejects any batch containing a
/// bad object with `reject(batch)` (all-or-none), and counts the requests.
struct Run {
    std::set<std::size_t> applied;
    std::map<std::size_t, std::string> failed;
    int requests = 0;
};

template <class Reject>
Run drive(std::size_t n, const std::set<std::size_t>& bad, Reject reject) {
    Run run;
    std::deque<std::vector<std::size_t>> queue{range(n)};
    while (!queue.empty()) {
        auto batch = queue.front();
        queue.pop_front();
        ++run.requests;
        bool has_bad = std::any_of(batch.begin(), batch.end(), [&](auto i) { return bad.count(i) > 0; });
        if (!has_bad) {
            run.applied.insert(batch.begin(), batch.end());
            continue;
        }
        auto decision = BulkSplitter::split(batch, {}, NetBoxError::parse(reject(batch)));
        for (const auto& f : decision.failed) run.failed[f.object] = f.message;
        for (auto it = decision.resend.rbegin(); it != decision.resend.rend(); ++it) queue.push_front(*it);
    }
    return run;
}

}  // namespace

TEST_CASE("indexed errors (4.5/4.6 create array): exactly those fail, the rest is resent once") {
    std::vector<std::size_t> batch{10, 11, 12, 13};
    auto error = NetBoxError::parse(R"([{}, {"address": ["dup"]}, {}, {"dns_name": ["bad"]}])");
    auto d = BulkSplitter::split(batch, {}, error);
    REQUIRE(d.failed.size() == 2);
    CHECK(d.failed[0].object == 11);
    CHECK(d.failed[0].message == "address: dup");
    CHECK(d.failed[1].object == 13);
    REQUIRE(d.resend.size() == 1);
    CHECK(d.resend[0] == std::vector<std::size_t>{10, 12});
}

TEST_CASE("4.7 errors by id are matched through the object ids") {
    std::vector<nds::engine::ObjectId> ids{100, 101, 102};
    auto error = NetBoxError::parse(R"({"detail": "1 of 3 objects could not be deleted.",
                                        "errors": [{"id": 102, "errors": {"__all__": ["protected"]}}]})");
    auto d = BulkSplitter::split({0, 1, 2}, ids, error);
    REQUIRE(d.failed.size() == 1);
    CHECK(d.failed[0].object == 2);
    CHECK(d.failed[0].message == "protected");
    REQUIRE(d.resend.size() == 1);
    CHECK(d.resend[0] == std::vector<std::size_t>{0, 1});
}

TEST_CASE("4.7 errors by index refer to the position in the batch that was sent") {
    auto error = NetBoxError::parse(R"({"detail": "x", "errors": [{"index": 1, "errors": {"start_ip": ["bad"]}}]})");
    auto d = BulkSplitter::split({7, 8, 9}, {}, error);
    REQUIRE(d.failed.size() == 1);
    CHECK(d.failed[0].object == 8);
    CHECK(d.failed[0].message == "start_ip: bad");
}

TEST_CASE("errors that name nothing in the batch fall back to bisection") {
    auto error = NetBoxError::parse(R"({"detail": "x", "errors": [{"index": 9, "errors": {"a": ["b"]}}]})");
    auto d = BulkSplitter::split({0, 1, 2, 3}, {}, error);
    CHECK(d.failed.empty());
    REQUIRE(d.resend.size() == 2);
    CHECK(d.resend[0] == std::vector<std::size_t>{0, 1});
    CHECK(d.resend[1] == std::vector<std::size_t>{2, 3});
}

TEST_CASE("an unattributed error on a single object fails that object with the message") {
    auto d = BulkSplitter::split({5}, {}, NetBoxError::parse(R"({"dns_name": ["bad name"]})"));
    REQUIRE(d.failed.size() == 1);
    CHECK(d.failed[0].object == 5);
    CHECK(d.failed[0].message == "dns_name: bad name");
    CHECK(d.resend.empty());
}

TEST_CASE("bisection isolates one bad object in 8 (4.5/4.6 update error without index)") {
    auto run = drive(8, {5}, [](const auto&) { return std::string(R"({"dns_name": ["Invalid DNS name"]})"); });
    CHECK(run.failed.size() == 1);
    CHECK(run.failed.at(5) == "dns_name: Invalid DNS name");
    CHECK(run.applied == std::set<std::size_t>{0, 1, 2, 3, 4, 6, 7});
    // 8 -> 4+4 -> (4 ok) 2+2 -> (2 ok) 1+1: 1 + 2 + 2 + 2 = 7 requests
    CHECK(run.requests == 7);
}

TEST_CASE("bisection isolates two bad objects") {
    auto run = drive(8, {0, 6}, [](const auto&) { return std::string(R"({"detail": "rejected"})"); });
    CHECK(run.failed.size() == 2);
    CHECK(run.failed.count(0) == 1);
    CHECK(run.failed.count(6) == 1);
    CHECK(run.applied.size() == 6);
    CHECK(run.applied.count(0) == 0);
    CHECK(run.applied.count(6) == 0);
}

TEST_CASE("indexed errors: two bad objects found in one round, the rest applied on the resend") {
    auto run = drive(8, {2, 6}, [](const std::vector<std::size_t>& batch) {
        std::string body = "[";
        for (std::size_t p = 0; p < batch.size(); ++p) {
            if (p) body += ",";
            body += (batch[p] == 2 || batch[p] == 6) ? R"({"address": ["dup"]})" : "{}";
        }
        return body + "]";
    });
    CHECK(run.failed.size() == 2);
    CHECK(run.applied.size() == 6);
    CHECK(run.requests == 2);
}

TEST_CASE("an empty batch decides nothing") {
    auto d = BulkSplitter::split({}, {}, NetBoxError::parse("{}"));
    CHECK(d.failed.empty());
    CHECK(d.resend.empty());
}
