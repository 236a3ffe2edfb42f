#include "dhcpd_client/push_transaction.hpp"

#include <algorithm>

namespace nds::dhcpd {
namespace {

constexpr std::size_t kMaxRecordedOutput = 4000;

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
    std::size_t start = 0;
    while (start < text.size() && (text[start] == '\n' || text[start] == ' ')) ++start;
    text.erase(0, start);
    if (text.size() > kMaxRecordedOutput) text = text.substr(0, kMaxRecordedOutput) + " [...]";
    return text;
}

/// stderr then stdout, without dhcpd's banner and bug paragraph (dhcpd -t and a dhcpd start print them).
std::string combined_output(const CommandResult& r) {
    std::string out = trimmed(dhcpd_message(r.err));
    auto o = trimmed(dhcpd_message(r.out));
    if (!o.empty()) out += (out.empty() ? "" : "\n") + o;
    return out;
}

class Transaction {
public:
    Transaction(RemoteHost& remote, const PushSettings& settings, const std::optional<RemoteFile>& current,
                const CancelState& cancel)
        : remote_(remote), s_(settings), current_(current), cancel_(cancel),
          candidate_(candidate_path(settings.config_path)), mode_(current ? current->mode : 0644) {}

    PushOutcome run(const std::string& content) {
        if (current_ && current_->content == content) return std::move(out_);  // nothing to do, nothing touched
        bool ok = file_step("upload", [&] { return remote_.write_file(candidate_, content, mode_); }) &&
                  (s_.config_test.empty() || command_step("config test", config_test_command(s_.config_test, candidate_))) &&
                  (!current_ || file_step("backup", [&] {
                       return remote_.write_file(backup_path(s_.config_path), current_->content, mode_);
                   }));
        if (!ok) {
            clean_up();
            return finish();
        }
        ok = command_step("install", move_command(candidate_, s_.config_path));
        if (!ok) {
            clean_up();
            return finish();
        }
        out_.file_replaced = true;
        ok = (s_.server_stop.empty() || command_step("server stop", s_.server_stop)) &&
             command_step("server start", s_.server_start) && check_step("server check");
        if (!ok) back_out();
        return finish();
    }

private:
    PushOutcome finish() {
        out_.result = out_.failed_step.empty() ? PushOutcome::Result::pushed : PushOutcome::Result::failed;
        return std::move(out_);
    }

    /// A step of the push proper: the first failure ends the push (and is what the report names).
    bool begin(const std::string& step) {
        if (!out_.failed_step.empty()) return false;
        if (cancel_.terminal()) {
            fail(step, Error{make_error_code(errc::cancelled), "the run was cancelled before '" + step + "'"}, "");
            return false;
        }
        if (s_.before_step) s_.before_step(step);
        return true;
    }

    void fail(const std::string& step, Error error, const std::string& command) {
        out_.steps.push_back({step, command, false, -1, error.message});
        if (out_.failed_step.empty()) {
            out_.failed_step = step;
            out_.error = std::move(error);
        }
    }

    template <class F>
    bool file_step(const std::string& step, F action) {
        if (!begin(step)) return false;
        auto result = action();
        if (!result) {
            fail(step, result.error(), "");
            return false;
        }
        out_.steps.push_back({step, "", true, -1, ""});
        return true;
    }

    bool command_step(const std::string& step, const std::string& command) {
        if (!begin(step)) return false;
        return record_command(step, command, true);
    }

    bool check_step(const std::string& step) {
        if (s_.server_check.empty()) return true;
        remote_.pause(s_.server_check_delay);
        return command_step(step, s_.server_check);
    }

    /// Runs and records a command; a failure is the push's failure when `decisive`.
    bool record_command(const std::string& step, const std::string& command, bool decisive) {
        auto result = remote_.run(command, s_.command_timeout);
        if (!result) {
            if (decisive) fail(step, result.error(), command);
            else out_.steps.push_back({step, command, false, -1, result.error().message});
            return false;
        }
        StepRecord record{step, command, result->exit_status == 0, result->exit_status, combined_output(*result)};
        out_.steps.push_back(record);
        if (record.ok) return true;
        if (decisive && out_.failed_step.empty()) {
            const std::string& message = record.output;
            out_.failed_step = step;
            out_.error = Error{make_error_code(errc::command_failed),
                               step + " '" + command + "' exited " + std::to_string(result->exit_status) +
                                   (message.empty() ? std::string() : ": " + message)};
        }
        return false;
    }

    /// Steps after a failure run whatever happened before (each recorded, none decisive).
    void after_failure_step(const std::string& step) {
        if (s_.before_step) s_.before_step(step);
    }

    void clean_up() {
        after_failure_step("clean up");
        auto removed = remote_.remove_file(candidate_);
        out_.steps.push_back({"clean up", "", bool(removed), -1, removed ? "" : removed.error().message});
    }

    /// The file was replaced: put the previous one back and make the server run it.
    void back_out() {
        after_failure_step("restore");
        bool restored = false;
        if (current_) {
            auto written = remote_.write_file(candidate_, current_->content, mode_);
            if (!written) out_.steps.push_back({"restore", "", false, -1, written.error().message});
            else restored = record_command("restore", move_command(candidate_, s_.config_path), false);
        } else {
            auto removed = remote_.remove_file(s_.config_path);  // there was no file before this push
            out_.steps.push_back({"restore", "", bool(removed), -1, removed ? "" : removed.error().message});
            restored = bool(removed);
        }
        if (!s_.server_stop.empty()) {
            after_failure_step("server stop (back-out)");
            record_command("server stop (back-out)", s_.server_stop, false);  // may fail: already stopped
        }
        after_failure_step("server start (back-out)");
        bool started = record_command("server start (back-out)", s_.server_start, false);
        bool runs = started;
        if (started && !s_.server_check.empty()) {
            remote_.pause(s_.server_check_delay);
            after_failure_step("server check (back-out)");
            runs = record_command("server check (back-out)", s_.server_check, false);
        }
        out_.backed_out = restored && runs;
    }

    static std::string move_command(const std::string& from, const std::string& to) {
        return "mv -f -- " + shell_quote(from) + " " + shell_quote(to);
    }

    RemoteHost& remote_;
    const PushSettings& s_;
    const std::optional<RemoteFile>& current_;
    const CancelState& cancel_;
    const std::string candidate_;
    const std::uint32_t mode_;
    PushOutcome out_;
};

}  // namespace

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string candidate_path(const std::string& config_path) {
    auto slash = config_path.rfind('/');
    std::string dir = slash == std::string::npos ? std::string() : config_path.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? config_path : config_path.substr(slash + 1);
    return dir + "." + base + ".nds-new";
}

std::string backup_path(const std::string& config_path) { return config_path + ".nds-backup"; }

std::string config_test_command(const std::string& config_test, const std::string& file) {
    const std::string quoted = shell_quote(file);
    std::string out;
    std::size_t pos = 0;
    while (true) {
        auto found = config_test.find("{file}", pos);
        if (found == std::string::npos) {
            out += config_test.substr(pos);
            return out;
        }
        out += config_test.substr(pos, found - pos) + quoted;
        pos = found + 6;
    }
}

PushOutcome push_config(RemoteHost& remote, const PushSettings& settings, const std::optional<RemoteFile>& current,
                        const std::string& new_content, const CancelState& cancel) {
    return Transaction(remote, settings, current, cancel).run(new_content);
}

std::string dhcpd_message(std::string_view output) {
    static const std::string_view kDropped[] = {
        "Internet Systems Consortium DHCP Server", "Copyright ", "All rights reserved.", "For info, please visit",
        "Config file:", "Database file:", "PID file:", "Wrote ", "Ignoring requests on", "exiting."};
    std::string out;
    bool in_bug_paragraph = false;
    std::size_t pos = 0;
    while (pos <= output.size()) {
        auto eol = output.find('\n', pos);
        auto line = output.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        pos = eol == std::string_view::npos ? output.size() + 1 : eol + 1;
        if (line.rfind("If you think you have received this message", 0) == 0) in_bug_paragraph = true;
        if (in_bug_paragraph) {
            if (line.find("helpful for debugging.") != std::string_view::npos) in_bug_paragraph = false;
            continue;
        }
        bool drop = line.empty();
        for (auto prefix : kDropped)
            if (line.rfind(prefix, 0) == 0) drop = true;
        if (drop) continue;
        if (!out.empty()) out += '\n';
        out += line;
    }
    return out;
}

}  // namespace nds::dhcpd
