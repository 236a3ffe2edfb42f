// POST /v1/webhooks/netbox: verifies the signature on the raw body (403 otherwise, nothing else happens),
// parses the event (webhook_event.hpp), and collects relevant events for `debounce`: each new event pushes
// the deadline out to now + debounce, but never beyond first event + 4 x debounce, so a steady stream of
// changes is still synced; at most max_pending events are held (reaching it fires at once). When the deadline passes, every collected event is handed over at once (the
// service maps them to servers and queues one sync of just those).
//
// Answers: 202 queued for the debounced sync; 200 ignored (event or object type the sync does not use, or a
// change made by the service's own NetBox user, i.e. the sync's own writes); 400 body not a NetBox event;
// 403 bad or missing signature, or no webhook secret configured.
#pragma once

#include "daemon/metrics.hpp"
#include "daemon/webhook_event.hpp"
#include "daemon/webhook_verifier.hpp"
#include "http/http_message.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace nds::daemon {

class Logger;

class WebhookReceiver {
public:
    using Fire = std::function<void(std::vector<WebhookEvent> events)>;

    WebhookReceiver(boost::asio::any_io_executor executor, Logger& log, Metrics* metrics, Fire fire);

    /// (Re)configures; takes effect for the next request. At most `max_pending` events are held: the event
    /// that reaches the bound fires the sync at once instead of waiting for the debounce.
    void configure(std::string secret, std::chrono::milliseconds debounce, std::size_t max_pending = 1000);
    void set_own_user(std::string user) { own_user_ = std::move(user); }

    http::Response handle(const http::Request& request);

    /// Drops pending events and stops the timer (shutdown).
    void stop();

    std::size_t pending() const { return pending_.size(); }

private:
    void arm();
    boost::asio::awaitable<void> wait();
    void count(const char* result);

    boost::asio::any_io_executor executor_;
    Logger& log_;
    Metrics* metrics_;
    Fire fire_;
    WebhookVerifier verifier_{""};
    std::chrono::milliseconds debounce_{5000};
    std::size_t max_pending_ = 1000;
    std::string own_user_;
    boost::asio::steady_timer timer_;
    bool waiting_ = false;
    bool stopped_ = false;
    std::chrono::steady_clock::time_point first_event_{};
    std::vector<WebhookEvent> pending_;
};

}  // namespace nds::daemon
