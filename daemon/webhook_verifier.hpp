// Verifies NetBox's webhook signature: `X-Hook-Signature` is the lowercase hex HMAC-SHA512 of the exact
// request body, keyed with the webhook's secret (NetBox's REST API). Checked against the raw bytes before
// anything parses them; the comparison takes the same time whatever the bytes (CRYPTO_memcmp).
#pragma once

#include <string>
#include <string_view>

namespace nds::daemon {

class WebhookVerifier {
public:
    /// An empty secret verifies nothing: every request is refused.
    explicit WebhookVerifier(std::string secret);

    /// True when `signature` (hex, either case, surrounding blanks ignored) is HMAC-SHA512(secret, body).
    bool verify(std::string_view body, std::string_view signature) const;

    bool enabled() const { return !secret_.empty(); }

    /// Lowercase hex HMAC-SHA512 of `body` (what NetBox sends; used by tests and tools).
    static std::string sign(std::string_view secret, std::string_view body);

private:
    std::string secret_;
};

}  // namespace nds::daemon
