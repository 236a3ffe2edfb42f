// The Kea backend's writes against a real kea-dhcp4 + kea-ctrl-agent: one configuration transaction per
// apply(), config-test before config-set, the conflict check, rollback, config-write, cancellation.
#include "kea_client/kea_config.hpp"
#include "tests/kea/kea_test_util.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <doctest/doctest.h>
#include "tests/kea/kea_skip.hpp"

#include <fstream>
#include <sstream>

namespace json = boost::json;
namespace asio = boost::asio;
using namespace nds::testing;
using nds::backend::WriteStatus;
using nds::engine::Verb;

namespace {

const char* kConfig = R"({
  "valid-lifetime": 4000,
  "subnet4": [
    { "id": 1, "subnet": "192.0.2.0/24", "pools": [ {"pool": "192.0.2.10 - 192.0.2.200"} ],
      "reservations": [ {"hw-address": "02:00:00:00:00:42", "ip-address": "192.0.2.5", "hostname": "printer"} ] }
  ]
})";

/// The reservations Kea's running configuration holds for a subnet, as the sync reads them.
std::vector<nds::engine::DhcpReservation> running_reservations(const KeaInstance& kea, const char* network) {
    auto dhcp4 = kea.config();
    auto index = nds::kea::index_subnets(dhcp4);
    const auto* view = nds::kea::find_subnet(index, ipv4(network));
    if (!view) return {};
    return nds::kea::reservations_of(*view, "kea01").items;
}

bool has_reservation(const std::vector<nds::engine::DhcpReservation>& list, const char* ip, const char* mac) {
    for (const auto& r : list)
        if (r.ip == ipv4(ip) && r.client_id == mac) return true;
    return false;
}

/// The Dhcp4 object of Kea's config file (what a restart would load).
json::object config_file(const KeaInstance& kea) {
    std::ifstream in(kea.dhcp4_config_path());
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str()).at("Dhcp4").as_object();
}

std::vector<nds::engine::DhcpReservation> file_reservations(const KeaInstance& kea, const char* network) {
    auto dhcp4 = config_file(kea);
    auto index = nds::kea::index_subnets(dhcp4);
    const auto* view = nds::kea::find_subnet(index, ipv4(network));
    return view ? nds::kea::reservations_of(*view, "kea01").items : std::vector<nds::engine::DhcpReservation>{};
}

std::string fingerprint(const KeaInstance& kea) { return nds::kea::sha256_hex(kea.config()); }

}  // namespace

TEST_CASE("real Kea push: a reservation created through apply() is in the running config and in the config file") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-push";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    boost::asio::io_context io;
    CommandCounter counter;
    auto opts = kea_options(kea);
    counter.install(opts);
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));

    // --dry-run: the preview names the subnet and its new reservation, and changes nothing.
    auto preview = run(io, backend->preview({reservation_create("192.0.2.0", "192.0.2.50", "aa-bb-cc-00-00-50", "pc50", "desk 50")}));
    REQUIRE(preview);
    CHECK(preview->find("192.0.2.0/24") != std::string::npos);
    CHECK(preview->find("aa:bb:cc:00:00:50") != std::string::npos);
    CHECK(counter["config-set"] == 0);

    auto result = run(io, backend->apply({reservation_create("192.0.2.0", "192.0.2.50", "aa-bb-cc-00-00-50", "pc50", "desk 50")}));
    REQUIRE(result.outcomes.size() == 1);
    CHECK_MESSAGE(result.outcomes[0].status == WriteStatus::applied, result.outcomes[0].error);
    CHECK(result.problems.empty());
    CHECK(has_reservation(running_reservations(kea, "192.0.2.0"), "192.0.2.50", "aa-bb-cc-00-00-50"));
    auto in_file = file_reservations(kea, "192.0.2.0");
    CHECK(has_reservation(in_file, "192.0.2.50", "aa-bb-cc-00-00-50"));
    CHECK(has_reservation(in_file, "192.0.2.5", "02-00-00-00-00-42"));
    CHECK(counter["config-test"] == 1);
    CHECK(counter["config-set"] == 1);
    CHECK(counter["config-write"] == 1);

    // The backend reads it back as it was written.
    auto read = run(io, backend->read_scope(nds::engine::ScopeReadRequest{ipv4("192.0.2.0"), false, true, false}));
    REQUIRE(read.data.reservations);
    bool found = false;
    for (const auto& r : *read.data.reservations)
        if (r.client_id == "aa-bb-cc-00-00-50") {
            found = true;
            CHECK(r.name == "pc50");
            CHECK(r.description == "desk 50");
        }
    CHECK(found);

    SUBCASE("a run with nothing to change sends no config-test and no config-set") {
        auto again = run(io, backend->apply({reservation_create("192.0.2.0", "192.0.2.50", "aa-bb-cc-00-00-50", "pc50", "desk 50"),
                                             reservation_create("192.0.2.0", "192.0.2.77", "aa-bb-cc-00-00-77", "", "", Verb::remove)}));
        CHECK(again.outcomes[0].status == WriteStatus::applied);
        CHECK(again.outcomes[1].status == WriteStatus::applied);
        CHECK(counter["config-test"] == 1);
        CHECK(counter["config-set"] == 1);
    }
}

TEST_CASE("real Kea push: config-test refuses a reservation outside its subnet and Kea keeps its configuration") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-refuse";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    boost::asio::io_context io;
    CommandCounter counter;
    auto opts = kea_options(kea);
    counter.install(opts);
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));
    auto before = fingerprint(kea);

    SUBCASE("alone: the run fails, nothing is set") {
        auto result = run(io, backend->apply({reservation_create("192.0.2.0", "10.9.9.9", "aa-bb-cc-00-09-09")}));
        CHECK(result.outcomes[0].status == WriteStatus::failed);
        CHECK(result.outcomes[0].error.find("not within the IPv4 subnet") != std::string::npos);  // Kea's text
        CHECK_FALSE(result.problems.empty());
        CHECK(counter["config-set"] == 0);
        CHECK(fingerprint(kea) == before);
    }
    SUBCASE("with good writes: the refused one is left out, the others go in one config-set") {
        auto result = run(io, backend->apply({reservation_create("192.0.2.0", "192.0.2.60", "aa-bb-cc-00-00-60"),
                                              reservation_create("192.0.2.0", "10.9.9.9", "aa-bb-cc-00-09-09"),
                                              reservation_create("192.0.2.0", "192.0.2.61", "aa-bb-cc-00-00-61"),
                                              exclusion_write(Verb::create, "192.0.2.0", "192.0.2.100", "192.0.2.109")}));
        CHECK(result.outcomes[0].status == WriteStatus::applied);
        CHECK(result.outcomes[1].status == WriteStatus::failed);
        CHECK(result.outcomes[1].error.find("10.9.9.9") != std::string::npos);
        CHECK(result.outcomes[2].status == WriteStatus::applied);
        CHECK(result.outcomes[3].status == WriteStatus::applied);
        REQUIRE(result.problems.size() == 1);
        CHECK(result.problems[0].note.reason.find("refused 1 write") != std::string::npos);
        CHECK(counter["config-set"] == 1);
        auto running = running_reservations(kea, "192.0.2.0");
        CHECK(has_reservation(running, "192.0.2.60", "aa-bb-cc-00-00-60"));
        CHECK(has_reservation(running, "192.0.2.61", "aa-bb-cc-00-00-61"));
        CHECK_FALSE(has_reservation(running, "10.9.9.9", "aa-bb-cc-00-09-09"));
        CHECK(kea.config().at("subnet4").as_array()[0].at("pools").as_array().size() == 2);
    }
}

TEST_CASE("real Kea push: the control agent gone before config-set leaves the original in force") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-noset";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    auto before = fingerprint(kea);
    boost::asio::io_context io;
    auto opts = kea_options(kea);
    bool stop_it = true;
    opts.transaction_hook = [&](nds::kea::TransactionStep step) -> asio::awaitable<void> {
        if (step == nds::kea::TransactionStep::before_config_set && stop_it) kea.stop_agent();
        co_return;
    };
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));
    auto result = run(io, backend->apply({reservation_create("192.0.2.0", "192.0.2.70", "aa-bb-cc-00-00-70")}));
    CHECK(result.outcomes[0].status == WriteStatus::failed);
    CHECK(result.outcomes[0].error.find("config-set failed") != std::string::npos);
    CHECK(result.outcomes[0].error.find("FAILED") != std::string::npos);  // the restore could not reach Kea either

    kea.start_agent();
    stop_it = false;
    CHECK(fingerprint(kea) == before);  // config-set never reached Kea
    auto health = run(io, backend->health());  // the next run: nothing to restore, Kea is as it was
    REQUIRE(health);
    auto again = run(io, backend->apply({reservation_create("192.0.2.0", "192.0.2.70", "aa-bb-cc-00-00-70")}));
    CHECK_MESSAGE(again.outcomes[0].status == WriteStatus::applied, again.outcomes[0].error);
    CHECK(has_reservation(running_reservations(kea, "192.0.2.0"), "192.0.2.70", "aa-bb-cc-00-00-70"));
}

TEST_CASE("real Kea push: the agent gone after config-set is rolled back at the next run") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-rollback";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    auto before = fingerprint(kea);
    boost::asio::io_context io;
    auto opts = kea_options(kea);
    bool stop_it = true;
    opts.transaction_hook = [&](nds::kea::TransactionStep step) -> asio::awaitable<void> {
        if (step == nds::kea::TransactionStep::before_read_back && stop_it) kea.stop_agent();
        co_return;
    };
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));
    auto result = run(io, backend->apply({reservation_create("192.0.2.0", "192.0.2.80", "aa-bb-cc-00-00-80")}));
    CHECK(result.outcomes[0].status == WriteStatus::failed);
    CHECK(result.outcomes[0].error.find("reading the configuration back") != std::string::npos);

    kea.start_agent();
    stop_it = false;
    // Kea took the change, but it was never confirmed nor saved: still in memory, not in the file.
    CHECK(has_reservation(running_reservations(kea, "192.0.2.0"), "192.0.2.80", "aa-bb-cc-00-00-80"));
    CHECK_FALSE(has_reservation(file_reservations(kea, "192.0.2.0"), "192.0.2.80", "aa-bb-cc-00-00-80"));

    auto health = run(io, backend->health());  // the next run restores the original first
    REQUIRE(health);
    bool said = false;
    for (const auto& w : health->warnings) said = said || w.find("restored") != std::string::npos;
    CHECK(said);
    CHECK(fingerprint(kea) == before);
    CHECK_FALSE(has_reservation(running_reservations(kea, "192.0.2.0"), "192.0.2.80", "aa-bb-cc-00-00-80"));
}

TEST_CASE("real Kea push: a config-set by someone else between get and set is a conflict and overwrites nothing") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-conflict";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    boost::asio::io_context io;
    CommandCounter counter;
    auto opts = kea_options(kea);
    counter.install(opts);
    opts.transaction_hook = [&](nds::kea::TransactionStep step) -> asio::awaitable<void> {
        if (step != nds::kea::TransactionStep::before_conflict_check) co_return;
        auto dhcp4 = kea.config();  // the other writer adds a reservation of its own
        dhcp4["subnet4"].as_array()[0].as_object()["reservations"].as_array().push_back(
            json::object{{"hw-address", "02:00:00:00:00:99"}, {"ip-address", "192.0.2.99"}});
        kea.set_config(dhcp4);
        co_return;
    };
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));
    auto result = run(io, backend->apply({reservation_create("192.0.2.0", "192.0.2.90", "aa-bb-cc-00-00-90")}));
    CHECK(result.outcomes[0].status == WriteStatus::failed);
    CHECK(result.outcomes[0].error.find("conflict") != std::string::npos);
    CHECK(counter["config-set"] == 0);
    auto running = running_reservations(kea, "192.0.2.0");
    CHECK(has_reservation(running, "192.0.2.99", "02-00-00-00-00-99"));   // the other writer's change stays
    CHECK_FALSE(has_reservation(running, "192.0.2.90", "aa-bb-cc-00-00-90"));
}

TEST_CASE("real Kea push: scope create with exclusions and reservations in one transaction, then updates") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-scope";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    boost::asio::io_context io;
    CommandCounter counter;
    auto opts = kea_options(kea);
    counter.install(opts);
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));

    nds::engine::DhcpScope scope;
    scope.scope_id = ipv4("10.30.0.0");
    scope.subnet_mask = ipv4("255.255.255.0");
    scope.name = "Building B";
    scope.description = "ground floor";
    scope.start_ip = ipv4("10.30.0.10");
    scope.end_ip = ipv4("10.30.0.200");
    scope.lease_duration_seconds = 7200;
    scope.router = ipv4("10.30.0.1");
    auto result = run(io, backend->apply({scope_write(Verb::create, scope),
                                          exclusion_write(Verb::create, "10.30.0.0", "10.30.0.10", "10.30.0.19"),
                                          exclusion_write(Verb::create, "10.30.0.0", "10.30.0.50", "10.30.0.59"),
                                          reservation_create("10.30.0.0", "10.30.0.100", "aa-bb-cc-30-00-64", "kiosk")}));
    for (const auto& o : result.outcomes) CHECK_MESSAGE(o.status == WriteStatus::applied, o.error);
    CHECK(counter["config-set"] == 1);

    auto check_read = [&](const nds::engine::DhcpScope& want, std::vector<std::pair<const char*, const char*>> exclusions) {
        REQUIRE(run(io, backend->health()));  // a new run reads Kea anew
        auto scopes = run(io, backend->list_scopes(false));
        REQUIRE(scopes);
        const nds::engine::DhcpScope* got = nullptr;
        for (const auto& s : scopes->items)
            if (s.scope_id == want.scope_id) got = &s;
        REQUIRE(got);
        CHECK(got->name == want.name);
        CHECK(got->description == want.description);
        CHECK(got->start_ip == want.start_ip);
        CHECK(got->end_ip == want.end_ip);
        CHECK(got->lease_duration_seconds == want.lease_duration_seconds);
        CHECK(got->router == want.router);
        auto read = run(io, backend->read_scope(nds::engine::ScopeReadRequest{want.scope_id, true, true, true}));
        REQUIRE(read.data.exclusions);
        REQUIRE(read.data.exclusions->size() == exclusions.size());
        for (std::size_t i = 0; i < exclusions.size(); ++i) {
            CHECK((*read.data.exclusions)[i].start_ip == ipv4(exclusions[i].first));
            CHECK((*read.data.exclusions)[i].end_ip == ipv4(exclusions[i].second));
        }
        REQUIRE(read.data.reservations);
        CHECK(read.data.reservations->size() == 1);
        REQUIRE(read.data.leases);
    };
    check_read(scope, {{"10.30.0.10", "10.30.0.19"}, {"10.30.0.50", "10.30.0.59"}});

    scope.name = "Building B (new)";
    scope.lease_duration_seconds = 1800;
    scope.router = ipv4("10.30.0.254");
    scope.end_ip = ipv4("10.30.0.220");
    result = run(io, backend->apply({scope_write(Verb::update, scope),
                                     exclusion_write(Verb::remove, "10.30.0.0", "10.30.0.50", "10.30.0.59")}));
    for (const auto& o : result.outcomes) CHECK_MESSAGE(o.status == WriteStatus::applied, o.error);
    check_read(scope, {{"10.30.0.10", "10.30.0.19"}});
    CHECK(counter["config-set"] == 2);
}

namespace {

/// Runs apply() the way the daemon delivers cancellation: partial cancellation is seen by the coroutine
/// but not passed on to its I/O, and no co_await throws for it.
nds::backend::ApplyResult apply_with_signal(asio::io_context& io, nds::backend::DhcpBackend& backend,
                                            std::vector<nds::engine::DhcpWrite> writes, asio::cancellation_signal& signal) {
    std::optional<nds::backend::ApplyResult> out;
    auto body = [&]() -> asio::awaitable<void> {
        co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation(),
                                                           asio::enable_terminal_cancellation());
        co_await asio::this_coro::throw_if_cancelled(false);
        out = co_await backend.apply(std::move(writes));
    };
    std::exception_ptr failure;
    asio::co_spawn(io, body(), asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) { failure = e; }));
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    REQUIRE(out);
    return std::move(*out);
}

}  // namespace

TEST_CASE("real Kea push: cancellation") {
    SKIP_WITHOUT_KEA();
    KeaInstanceOptions options;
    options.name = "kea-cancel";
    options.dhcp4 = kConfig;
    KeaInstance kea(options);
    auto before = fingerprint(kea);
    boost::asio::io_context io;
    asio::cancellation_signal signal;
    std::optional<nds::kea::TransactionStep> emit_at;
    asio::cancellation_type emit_type = asio::cancellation_type::partial;
    CommandCounter counter;
    auto opts = kea_options(kea);
    counter.install(opts);
    opts.transaction_hook = [&](nds::kea::TransactionStep step) -> asio::awaitable<void> {
        if (emit_at && *emit_at == step) signal.emit(emit_type);
        co_return;
    };
    auto backend = nds::kea::make_kea_backend(io.get_executor(), opts);
    REQUIRE(run(io, backend->health()));

    SUBCASE("partial, before apply(): every write skipped, nothing sent") {
        std::optional<nds::backend::ApplyResult> out;
        auto body = [&]() -> asio::awaitable<void> {
            co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation(),
                                                               asio::enable_terminal_cancellation());
            co_await asio::this_coro::throw_if_cancelled(false);
            signal.emit(asio::cancellation_type::partial);
            // (A named vector: GCC 12 miscompiles braced lists inside co_await expressions.)
            std::vector<nds::engine::DhcpWrite> writes{reservation_create("192.0.2.0", "192.0.2.71", "aa-bb-cc-00-00-71")};
            out = co_await backend->apply(std::move(writes));
        };
        asio::co_spawn(io, body(), asio::bind_cancellation_slot(signal.slot(), asio::detached));
        io.restart();
        io.run();
        REQUIRE(out);
        CHECK(out->outcomes[0].status == WriteStatus::skipped);
        CHECK(counter["config-get"] == 0);
        CHECK(fingerprint(kea) == before);
    }
    SUBCASE("partial, during the transaction: it finishes") {
        emit_at = nds::kea::TransactionStep::before_config_test;
        auto out = apply_with_signal(io, *backend, {reservation_create("192.0.2.0", "192.0.2.72", "aa-bb-cc-00-00-72")}, signal);
        CHECK_MESSAGE(out.outcomes[0].status == WriteStatus::applied, out.outcomes[0].error);
        CHECK(has_reservation(running_reservations(kea, "192.0.2.0"), "192.0.2.72", "aa-bb-cc-00-00-72"));
    }
    SUBCASE("terminal, before config-set: nothing changed") {
        emit_at = nds::kea::TransactionStep::before_config_set;
        emit_type = asio::cancellation_type::terminal;
        auto out = apply_with_signal(io, *backend, {reservation_create("192.0.2.0", "192.0.2.73", "aa-bb-cc-00-00-73")}, signal);
        CHECK(out.outcomes[0].status == WriteStatus::skipped);
        CHECK(counter["config-set"] == 0);
        CHECK(fingerprint(kea) == before);
    }
    SUBCASE("terminal, after config-set: rolled back") {
        emit_at = nds::kea::TransactionStep::before_read_back;
        emit_type = asio::cancellation_type::terminal;
        auto out = apply_with_signal(io, *backend, {reservation_create("192.0.2.0", "192.0.2.74", "aa-bb-cc-00-00-74")}, signal);
        CHECK(out.outcomes[0].status == WriteStatus::failed);
        CHECK(out.outcomes[0].error.find("restored (verified)") != std::string::npos);
        CHECK(counter["config-set"] == 2);  // the change, then the original
        CHECK(fingerprint(kea) == before);
    }
}
