#include "daemon/webhook_receiver.hpp"

#include "daemon/log_messages.hpp"
#include "daemon/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace nds::daemon {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

http::Response answer(unsigned status, const std::string& key, const std::string& value) {
    return http::json_response(status, json::serialize(json::object{{key, value}}));
}

}  // namespace

WebhookReceiver::WebhookReceiver(asio::any_io_executor executor, Logger& log, Metrics* metrics, Fire fire)
    : executor_(executor), log_(log), metrics_(metrics), fire_(std::move(fire)), timer_(executor) {}

void WebhookReceiver::configure(std::string secret, std::chrono::milliseconds debounce, std::size_t max_pending) {
    verifier_ = WebhookVerifier(std::move(secret));
    debounce_ = debounce;
    max_pending_ = std::max<std::size_t>(max_pending, 1);
}

void WebhookReceiver::count(const char* result) {
    if (metrics_) metrics_->increment("netbox_dhcp_sync_webhooks_total", {{"result", result}});
}

http::Response WebhookReceiver::handle(const http::Request& request) {
    if (stopped_) return answer(503, "error", "the service is stopping");
    if (!verifier_.enabled()) {
        count("disabled");
        log_.warning(msg::WEBHOOK_REFUSED, "webhook refused: no service.webhook_secret configured");
        return answer(403, "error", "webhooks are disabled (no service.webhook_secret)");
    }
    auto signature = request.header("X-Hook-Signature");
    if (!verifier_.verify(request.body, signature)) {
        count("bad_signature");
        log_.warning(msg::WEBHOOK_REFUSED, signature.empty() ? "webhook refused: no X-Hook-Signature"
                                                             : "webhook refused: X-Hook-Signature does not match");
        return answer(403, "error", "bad signature");
    }
    auto event = parse_webhook_event(request.body);
    if (!event) {
        count("bad_payload");
        log_.warning(msg::WEBHOOK_REFUSED, "webhook refused: " + event.error().message);
        return answer(400, "error", event.error().message);
    }
    LogFields fields{{"event", event->event}, {"object_type", event->object_type}, {"user", event->username},
                     {"request_id", event->request_id}};
    if (!event->relevant()) {
        count("ignored");
        log_.debug(msg::WEBHOOK_IGNORED, "webhook ignored: not a change the sync uses", fields);
        return answer(200, "status", "ignored");
    }
    if (!own_user_.empty() && event->username == own_user_) {
        count("ignored");
        log_.debug(msg::WEBHOOK_IGNORED, "webhook ignored: a change made by the service's own NetBox user", fields);
        return answer(200, "status", "ignored");
    }
    count("accepted");
    log_.info(msg::WEBHOOK_ACCEPTED, "webhook accepted; sync after " + std::to_string(debounce_.count()) + "ms", fields);
    if (pending_.empty()) first_event_ = std::chrono::steady_clock::now();
    pending_.push_back(std::move(*event));
    if (pending_.size() >= max_pending_) {
        // Bounded memory: a flood of changes is synced now rather than held for the whole debounce.
        first_event_ = std::chrono::steady_clock::now() - 4 * debounce_;
    }
    arm();
    return answer(202, "status", "queued");
}

void WebhookReceiver::arm() {
    auto now = std::chrono::steady_clock::now();
    auto deadline = std::min(now + debounce_, first_event_ + 4 * debounce_);
    timer_.expires_at(deadline);  // cancels a wait in progress; wait() then waits for the new deadline
    if (!waiting_) {
        waiting_ = true;
        asio::co_spawn(executor_, wait(), asio::detached);
    }
}

asio::awaitable<void> WebhookReceiver::wait() {
    for (;;) {
        auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (stopped_) break;
        if (!ec || std::chrono::steady_clock::now() >= timer_.expiry()) break;
        // Aborted by arm() moving the deadline: wait again.
    }
    waiting_ = false;
    if (stopped_ || pending_.empty()) co_return;
    auto events = std::move(pending_);
    pending_.clear();
    fire_(std::move(events));
}

void WebhookReceiver::stop() {
    stopped_ = true;
    pending_.clear();
    timer_.cancel();
}

}  // namespace nds::daemon
