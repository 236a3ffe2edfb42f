// libFuzzer target: every PSU response parser, fed arbitrary bytes. A DHCP server's answer is untrusted
// input; none of it may crash the daemon or produce an invalid value.
#include "psu_client/psu_json.hpp"
#include "sync_engine/client_id.hpp"
#include "sync_engine/ipv4.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace nds;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    psu::json_codec::Source source{"dhcp01", "GET /api/dhcp/leases?scope_id=10.0.1.0", "10.0.1.0"};

    if (auto leases = psu::json_codec::parse_leases(body, source))
        for (const auto& lease : leases->items) require(engine::normalize_client_id(lease.client_id) == lease.client_id ||
                                                        !engine::is_mac_address(lease.client_id));
    if (auto scopes = psu::json_codec::parse_scopes(body, source))
        for (const auto& scope : scopes->items)
            require(engine::Ipv4Network::from_mask(scope.scope_id, scope.subnet_mask).has_value());
    (void)psu::json_codec::parse_reservations(body, source);
    (void)psu::json_codec::parse_exclusions(body, source);
    (void)psu::json_codec::parse_failovers(body, source);
    (void)psu::json_codec::parse_options(body, source);
    (void)psu::json_codec::parse_health(body, source);

    // The address and client-id parsers on the raw text as well.
    if (auto address = engine::Ipv4Address::parse(body)) require(engine::Ipv4Address::parse(address->to_string()) == address);
    if (auto network = engine::Ipv4Network::parse(body)) require(engine::Ipv4Network::parse(network->to_string()) == network);
    auto normalized = engine::normalize_client_id(body);
    require(engine::normalize_client_id(normalized) == normalized);
    return 0;
}
