#include "daemon/logger.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <ctime>
#include <ostream>

namespace nds::daemon {
namespace {

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    auto seconds = std::chrono::system_clock::to_time_t(now);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    char out[40];
    std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(millis));
    return out;
}

}  // namespace

const char* to_string(LogLevel level) {
    switch (level) {
    case LogLevel::trace: return "trace";
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
    }
    return "info";
}

Logger::Logger(LogLevel level, LogFormat format, std::ostream& out) : level_(level), format_(format), out_(out) {}

Logger::Logger(Logger& parent, LogFields context, Tap tap)
    : level_(parent.level_), format_(parent.format_), out_(parent.out_), parent_(&parent), context_(std::move(context)),
      tap_(std::move(tap)) {}

void Logger::log(LogLevel level, std::string_view id, std::string_view message, const LogFields& fields) {
    if (!enabled(level)) return;
    if (parent_) {
        LogFields merged;
        merged.reserve(context_.size() + fields.size());
        auto own = [&](const std::string& key) {
            for (const auto& field : fields)
                if (field.first == key) return &field;
            return static_cast<const std::pair<std::string, std::string>*>(nullptr);
        };
        for (const auto& field : context_) {
            const auto* set = own(field.first);
            merged.push_back(set && !set->second.empty() ? *set : field);
        }
        for (const auto& field : fields) {
            bool in_context = false;
            for (const auto& c : context_) in_context = in_context || c.first == field.first;
            if (!in_context) merged.push_back(field);
        }
        if (tap_) tap_(level, id, message, merged);
        parent_->log(level, id, message, merged);
        return;
    }
    std::string line;
    if (format_ == LogFormat::json) {
        boost::json::object object;
        object["time"] = timestamp();
        object["level"] = to_string(level);
        object["id"] = id;
        object["message"] = message;
        for (const auto& [key, value] : fields) object[key] = value;
        line = boost::json::serialize(object);
    } else {
        line = timestamp() + " " + to_string(level) + " " + std::string(id) + " " + std::string(message);
        for (const auto& [key, value] : fields) line += " " + key + "=" + value;
    }
    std::lock_guard lock(mutex_);
    out_ << line << '\n';
    out_.flush();
}

}  // namespace nds::daemon
