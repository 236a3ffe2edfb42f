// Leveled log lines on stderr, as text or one JSON object per line. Each line carries a stable message id
// (log_messages.hpp documents them) so operators can grep and alert on them. Secrets never reach here:
// callers log names and URLs, never tokens.
#pragma once

#include "daemon/config.hpp"

#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nds::daemon {

using LogFields = std::vector<std::pair<std::string, std::string>>;

class Logger {
public:
    Logger(LogLevel level, LogFormat format, std::ostream& out);

    bool enabled(LogLevel level) const { return level >= level_; }
    void log(LogLevel level, std::string_view id, std::string_view message, const LogFields& fields = {});

    void trace(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::trace, id, message, fields); }
    void debug(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::debug, id, message, fields); }
    void info(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::info, id, message, fields); }
    void warning(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::warning, id, message, fields); }
    void error(std::string_view id, std::string_view message, const LogFields& fields = {}) { log(LogLevel::error, id, message, fields); }

    void set_level(LogLevel level) { level_ = level; }

private:
    LogLevel level_;
    LogFormat format_;
    std::ostream& out_;
    std::mutex mutex_;
};

}  // namespace nds::daemon
