// libFuzzer target: the YAML config loader. A bad config must always come back as an error naming a key,
// never as a crash.
#include "daemon/config.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {
std::string no_env(const char*) { return ""; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto config = nds::daemon::parse_config(text, no_env);
    if (!config && config.error().message.rfind("config: ", 0) != 0) std::abort();
    return 0;
}
