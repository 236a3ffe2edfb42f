#include "daemon/webhook_verifier.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <optional>

namespace nds::daemon {
namespace {

constexpr std::size_t kDigestBytes = 64;  // SHA-512
using Digest = std::array<unsigned char, kDigestBytes>;

std::optional<Digest> hmac_sha512(std::string_view key, std::string_view body) {
    Digest out{};
    unsigned int length = 0;
    auto* result = HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()),
                        reinterpret_cast<const unsigned char*>(body.data()), body.size(), out.data(), &length);
    if (!result || length != kDigestBytes) return std::nullopt;
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
        text.remove_suffix(1);
    return text;
}

}  // namespace

WebhookVerifier::WebhookVerifier(std::string secret) : secret_(std::move(secret)) {}

bool WebhookVerifier::verify(std::string_view body, std::string_view signature) const {
    if (secret_.empty()) return false;
    signature = trim(signature);
    if (signature.size() != 2 * kDigestBytes) return false;
    Digest given{};
    bool valid_hex = true;
    for (std::size_t i = 0; i < kDigestBytes; ++i) {
        int high = hex_value(signature[2 * i]);
        int low = hex_value(signature[2 * i + 1]);
        valid_hex = valid_hex && high >= 0 && low >= 0;
        given[i] = static_cast<unsigned char>(((high & 0x0F) << 4) | (low & 0x0F));
    }
    auto expected = hmac_sha512(secret_, body);
    if (!expected) return false;
    // Constant time over the digest; the length and hex checks above only depend on public input.
    bool same = CRYPTO_memcmp(given.data(), expected->data(), kDigestBytes) == 0;
    return same && valid_hex;
}

std::string WebhookVerifier::sign(std::string_view secret, std::string_view body) {
    auto digest = hmac_sha512(secret, body);
    if (!digest) return {};
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * kDigestBytes);
    for (unsigned char byte : *digest) {
        out += hex[byte >> 4];
        out += hex[byte & 0x0F];
    }
    return out;
}

}  // namespace nds::daemon
