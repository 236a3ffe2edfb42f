#include "util/error.hpp"

namespace nds {
namespace {

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "netbox-dhcp-sync"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::transport: return "no answer from the other side";
        case errc::http_status: return "HTTP error status";
        case errc::malformed: return "malformed answer";
        case errc::refused: return "refused by the other side";
        case errc::unsupported: return "not supported by the other side";
        case errc::not_found: return "not found";
        case errc::conflict: return "changed by someone else meanwhile";
        case errc::cancelled: return "cancelled";
        case errc::command_failed: return "command failed";
        case errc::host_key: return "SSH host key not trusted";
        case errc::authentication: return "authentication failed";
        case errc::io: return "file could not be read or written";
        case errc::config: return "configuration error";
        }
        return "unknown error";
    }
};

}  // namespace

const std::error_category& error_category() {
    static const Category category;
    return category;
}

}  // namespace nds
