#include "daemon/client_options.hpp"

#include <chrono>
#include <ctime>

namespace nds::daemon {

http::ClientOptions netbox_http_options(const NetBoxConfig& config) {
    http::ClientOptions options;
    options.verify_tls = config.verify_tls;
    options.ca_file = config.ca_file;
    options.timeout = config.timeout;
    options.max_retries = config.max_retries;
    options.max_body_bytes = config.max_response_bytes;
    return options;
}

netbox::NetBoxOptions netbox_client_options(const Config& config, const std::string& token) {
    netbox::NetBoxOptions options;
    options.url = config.netbox.url;
    options.token = token.empty() ? config.netbox.token : token;
    options.plugin_path = config.netbox.plugin_path;
    options.page_size = config.netbox.page_size;
    options.max_concurrent_writes = config.netbox.max_concurrent_writes;
    options.ip_write_batch_size = config.netbox.ip_write_batch_size;
    options.http = netbox_http_options(config.netbox);
    return options;
}

std::string utc_timestamp() {
    auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

}  // namespace nds::daemon
