#include "daemon/run_report.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

using namespace nds::daemon;
using namespace nds::engine;

namespace {

Plan sample_plan() {
    Plan plan;
    IpAddressCreate create;
    create.note = {"dhcp01", "Building A", "10.0.1.5/24", "lease on server, not in NetBox"};
    plan.ip_creates.push_back(create);
    IpAddressDelete remove;
    remove.note = {"dhcp01", "Building A", "10.0.1.9/24", "lease gone"};
    remove.id = 9;
    plan.ip_deletes.push_back(remove);
    ScopeUpdate update;
    update.note = {"dhcp02", "Lab", "Lab", "name changed"};
    plan.scope_updates.push_back(update);
    plan.problems.push_back(Problem{Severity::error, {"dhcp02", "Lab", "", "mass-delete guard tripped"}});
    return plan;
}

}  // namespace

TEST_CASE("counts per server and kind") {
    RunReport report;
    report.add_plan(sample_plan(), ActionStatus::applied);
    auto counts = report.counts();
    CHECK(counts["dhcp01"][ObjectKind::ip_address].created == 1);
    CHECK(counts["dhcp01"][ObjectKind::ip_address].deleted == 1);
    CHECK(counts["dhcp02"][ObjectKind::scope].updated == 1);
    CHECK(report.servers == std::vector<std::string>{"dhcp01", "dhcp02"});
}

TEST_CASE("exit code: 0 clean, 1 failure or error problem, 3 fatal") {
    RunReport clean;
    Plan ok_plan;
    IpAddressCreate create;
    create.note = {"dhcp01", "A", "10.0.1.5/24", "x"};
    ok_plan.ip_creates.push_back(create);
    clean.add_plan(ok_plan, ActionStatus::applied);
    CHECK(clean.exit_code() == 0);

    RunReport with_error;
    with_error.add_plan(sample_plan(), ActionStatus::applied);
    CHECK(with_error.exit_code() == 1);

    RunReport failed;
    failed.actions.push_back(ReportedAction{ObjectKind::ip_address, Verb::create, ActionStatus::failed, {"s", "", "x", ""}, "400"});
    CHECK(failed.exit_code() == 1);

    RunReport fatal;
    fatal.fatal_error = "NetBox: connection refused";
    CHECK(fatal.exit_code() == 3);
}

TEST_CASE("text output: one line per server, actions only when verbose") {
    RunReport report;
    report.add_plan(sample_plan(), ActionStatus::applied);
    auto quiet = report.to_text(false);
    CHECK(quiet.find("dhcp01: ip_address +1 ~0 -1") != std::string::npos);
    CHECK(quiet.find("dhcp02: scope +0 ~1 -0") != std::string::npos);
    CHECK(quiet.find("10.0.1.5/24") == std::string::npos);
    CHECK(quiet.find("error: dhcp02/Lab: mass-delete guard tripped") != std::string::npos);
    auto verbose = report.to_text(true);
    CHECK(verbose.find("applied create ip_address 10.0.1.5/24 [dhcp01/Building A]: lease on server, not in NetBox") !=
          std::string::npos);
}

TEST_CASE("json output is one document with counts and actions per server") {
    RunReport report;
    report.dry_run = true;
    report.add_plan(sample_plan(), ActionStatus::planned);
    auto doc = boost::json::parse(report.to_json()).as_object();
    CHECK(doc.at("dry_run").as_bool());
    CHECK(doc.at("exit_code").as_int64() == 1);
    auto& dhcp01 = doc.at("servers").at("dhcp01").as_object();
    CHECK(dhcp01.at("counts").at("ip_address").at("created").as_int64() == 1);
    CHECK(dhcp01.at("counts").at("ip_address").at("deleted").as_int64() == 1);
    CHECK(dhcp01.at("actions").as_array().size() == 2);
    CHECK(dhcp01.at("actions").as_array()[0].at("status").as_string() == "planned");
    auto& dhcp02 = doc.at("servers").at("dhcp02").as_object();
    CHECK(dhcp02.at("problems").as_array().size() == 1);
}
