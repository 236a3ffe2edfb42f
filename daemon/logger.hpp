// Leveled log lines on stderr, as text or one JSON object per line. Each line carries a stable message id
// (log_messages.hpp documents them) so operators can grep and alert on them. Secrets never reach here:
// callers log names and URLs, never tokens.
#pragma once

#include "daemon/config.hpp"

#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nds::daemon {

using LogFields = std::vector<std::pair<std::string, std::string>>;

/// "trace", "debug", "info", "warning", "error" (as in log.level).
const char* to_string(LogLevel level);

class Logger {
public:
    /// Sees every line a child logger writes (after its context fields were added).
    using Tap = std::function<void(LogLevel level, std::string_view id, std::string_view message, const LogFields& fields)>;

    Logger(LogLevel level, LogFormat format, std::ostream& out);
    /// A child: writes through `parent` (its level, format and stream), with `context` fields on every line
    /// (first, unless the line sets that field itself), and hands every line to `tap` (e.g. a job's log).
    Logger(Logger& parent, LogFields context, Tap tap = {});
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    bool enabled(LogLevel level) const { return parent_ ? parent_->enabled(level) : level >= level_; }
    void log(LogLevel level, std::string_view id, std::string_view message, const LogFields& fields = {});

    void trace(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::trace, id, message, fields); }
    void debug(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::debug, id, message, fields); }
    void info(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::info, id, message, fields); }
    void warning(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::warning, id, message, fields); }
    void error(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::error, id, message, fields); }

    void set_level(LogLevel level) { level_ = level; }
    void set_format(LogFormat format) { format_ = format; }

private:
    LogLevel level_;
    LogFormat format_;
    std::ostream& out_;
    std::mutex mutex_;
    Logger* parent_ = nullptr;
    LogFields context_;
    Tap tap_;
};

}  // namespace nds::daemon
