// libFuzzer target: NetBox page parsers and the error-body parser, fed arbitrary bytes.
#include "netbox_client/netbox_error.hpp"
#include "netbox_client/netbox_json.hpp"

#include <cstdint>
#include <string_view>

using namespace nds::netbox;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    (void)json_codec::parse_server_page(body);
    (void)json_codec::parse_failover_page(body);
    (void)json_codec::parse_scope_page(body);
    (void)json_codec::parse_prefix_page(body);
    (void)json_codec::parse_ip_address_page(body);
    (void)json_codec::parse_tag_page(body);
    (void)json_codec::parse_ip_range_page(body);
    (void)json_codec::parse_job_page(body);
    (void)json_codec::parse_object_id(body);
    (void)json_codec::parse_sync_start_line(body);
    (void)json_codec::parse_http_date(body);
    (void)json_codec::parse_status(body);
    (void)json_codec::parse_username(body);
    (void)json_codec::parse_ids(body);
    (void)json_codec::next_target(body);
    (void)NetBoxError::parse(body);
    return 0;
}
