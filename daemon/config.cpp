#include "daemon/config.hpp"

#include "http/url.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace nds::daemon {
namespace {

/// Thrown inside the parser only; parse_config turns it into an Error.
struct ConfigError {
    std::string message;
};

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
    throw ConfigError{key + ": " + problem};
}

std::string join(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

/// Expands ${VAR} references; an unset variable expands to "".
std::string expand(const std::string& key, const std::string& text, EnvLookup env) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, 2, "${") == 0) {
            auto end = text.find('}', i + 2);
            if (end == std::string::npos) fail(key, "unterminated ${ in '" + text + "'");
            auto name = text.substr(i + 2, end - i - 2);
            if (name.empty()) fail(key, "empty ${} in '" + text + "'");
            out += env(name.c_str());
            i = end + 1;
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::string read_secret_file(const std::string& key, const std::string& path) {
    std::ifstream in(path);
    if (!in) fail(key, "cannot read file '" + path + "'");
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto text = buffer.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    return text;
}

/// A value's key path for messages: "dhcp_servers.dhcp01.token".
std::string key_of(const std::string& parent, const YAML::Node& key) {
    return join(parent, key.IsScalar() ? key.Scalar() : std::string("?"));
}

/// A quoted scalar whose closing quote is not on its own line. YAML lets quoted text run over several lines,
/// so a quote left open silently swallows the keys below it (a protect_tag among them): the config refuses
/// it and asks for a block scalar (|) where text really spans lines.
void check_quote_closes_on_its_line(const std::string& key, const YAML::Node& node, const std::string& text) {
    if (!node.IsScalar() || node.Tag() != "!") return;  // plain scalars cannot run on past a "key:" line
    auto mark = node.Mark();
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size()) return;
    auto at = static_cast<std::size_t>(mark.pos);
    char quote = text[at];
    if (quote != '"' && quote != '\'') return;
    for (auto i = at + 1; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\n' || c == '\r')
            fail(key, "the quoted value opened on line " + std::to_string(mark.line + 1) +
                          " does not close on that line (close the quote, or use a block scalar | for text over "
                          "several lines)");
        if (quote == '"' && c == '\\') {
            ++i;  // an escape: the next character is part of the value
            continue;
        }
        if (c == quote) {
            if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
                ++i;  // '' is a quote inside single quotes
                continue;
            }
            return;
        }
    }
}

/// What the YAML library accepts but a config must not: a key given twice in one mapping (the library keeps
/// the first and drops the second silently, a second `sync:` section included) and quoted values left open.
void check_document(const YAML::Node& node, const std::string& path, const std::string& text) {
    if (node.IsMap()) {
        std::map<std::string, int> first_line;
        for (const auto& item : node) {
            auto key = key_of(path, item.first);
            check_quote_closes_on_its_line(key, item.first, text);
            auto name = item.first.IsScalar() ? item.first.Scalar() : std::string();
            auto line = item.first.Mark().line + 1;
            if (auto [seen, inserted] = first_line.emplace(name, line); !inserted)
                fail(key, "given twice (lines " + std::to_string(seen->second) + " and " + std::to_string(line) +
                              "); keep one");
            check_document(item.second, key, text);
        }
    } else if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i) check_document(node[i], path + "[" + std::to_string(i) + "]", text);
    } else {
        check_quote_closes_on_its_line(path.empty() ? "config" : path, node, text);
    }
}

/// A URL as it may appear in a message: a password in it ("https://user:secret@host") becomes "***".
std::string printable_url(const std::string& url) {
    auto scheme_end = url.find("://");
    auto authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    auto authority_end = url.find_first_of("/?#", authority_start);
    auto at = url.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
    if (at == std::string::npos || at < authority_start) return url;
    auto colon = url.find(':', authority_start);
    if (colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}

/// Header values (tokens, user names, passwords) with a line break would split the request header.
void check_single_line(const std::string& key, const std::string& value) {
    if (value.find_first_of("\r\n") != std::string::npos) fail(key, "contains a line break (CR or LF), which no token or password can hold");
}

/// Walks one YAML mapping; every key must be consumed by a handler or it is reported as unknown.
class Section {
public:
    Section(const YAML::Node& node, std::string path, EnvLookup env) : node_(node), path_(std::move(path)), env_(env) {
        if (node_ && !node_.IsNull() && !node_.IsMap()) fail(path_.empty() ? "config" : path_, "must be a mapping");
    }

    bool has(const std::string& key) const { return node_ && node_.IsMap() && node_[key]; }

    std::string string(const std::string& key, const std::string& fallback) {
        auto value = scalar(key);
        return value ? expand(join(path_, key), *value, env_) : fallback;
    }

    bool boolean(const std::string& key, bool fallback) {
        auto value = scalar(key);
        if (!value) return fallback;
        if (*value == "true" || *value == "yes" || *value == "on") return true;
        if (*value == "false" || *value == "no" || *value == "off") return false;
        fail(join(path_, key), "expected true or false, got '" + *value + "'");
    }

    long long integer(const std::string& key, long long fallback, long long min, long long max) {
        auto value = scalar(key);
        if (!value) return fallback;
        long long result = 0;
        std::size_t used = 0;
        try {
            result = std::stoll(*value, &used);
        } catch (...) {
            used = 0;
        }
        if (used == 0 || used != value->size()) fail(join(path_, key), "expected a whole number, got '" + *value + "'");
        if (result < min || result > max)
            fail(join(path_, key), "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                                       ", got " + *value);
        return result;
    }

    double real(const std::string& key, double fallback, double min, double max) {
        auto value = scalar(key);
        if (!value) return fallback;
        double result = 0;
        std::size_t used = 0;
        try {
            result = std::stod(*value, &used);
        } catch (...) {
            used = 0;
        }
        if (used == 0 || used != value->size()) fail(join(path_, key), "expected a number, got '" + *value + "'");
        if (result < min || result > max)
            fail(join(path_, key), "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                                       ", got " + *value);
        return result;
    }

    std::chrono::milliseconds duration(const std::string& key, std::chrono::milliseconds fallback,
                                       std::chrono::milliseconds min, std::chrono::milliseconds max) {
        auto value = scalar(key);
        if (!value) return fallback;
        auto parsed = parse_duration(*value);
        if (!parsed) fail(join(path_, key), "expected a duration such as 30s, 5m or 1h, got '" + *value + "'");
        if (*parsed < min || *parsed > max) fail(join(path_, key), "out of range: '" + *value + "'");
        return *parsed;
    }

    /// A byte count: a whole number, or one with a KiB/MiB/GiB suffix.
    std::size_t size(const std::string& key, std::size_t fallback, std::uint64_t min, std::uint64_t max) {
        auto value = scalar(key);
        if (!value) return fallback;
        auto parsed = parse_size(*value);
        if (!parsed) fail(join(path_, key), "expected a size such as 1048576, 512KiB or 64MiB, got '" + *value + "'");
        if (*parsed < min || *parsed > max)
            fail(join(path_, key), "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                                       " bytes, got '" + *value + "'");
        return static_cast<std::size_t>(*parsed);
    }

    /// A secret given as `key` (inline, ${VAR} expanded) or `key_file` (file contents).
    std::string secret(const std::string& key, const std::string& fallback) {
        auto inline_value = string(key, "");
        auto file = string(key + "_file", "");
        if (!inline_value.empty() && !file.empty()) fail(join(path_, key), "set either " + key + " or " + key + "_file, not both");
        if (!file.empty()) {
            auto from_file = read_secret_file(join(path_, key + "_file"), file);
            check_single_line(join(path_, key + "_file"), from_file);
            return from_file;
        }
        check_single_line(join(path_, key), inline_value);
        return inline_value.empty() ? fallback : inline_value;
    }

    /// A list of single values (free_lines); each item is expanded like a string.
    std::vector<std::string> strings(const std::string& key, const std::vector<std::string>& fallback) {
        seen_.insert(key);
        if (!node_ || !node_.IsMap()) return fallback;
        auto value = node_[key];
        if (!value || value.IsNull()) return fallback;
        if (!value.IsSequence()) fail(join(path_, key), "expected a list");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < value.size(); ++i) {
            auto item_key = join(path_, key) + "[" + std::to_string(i) + "]";
            if (!value[i].IsScalar()) fail(item_key, "expected a single value");
            out.push_back(expand(item_key, value[i].as<std::string>(), env_));
        }
        return out;
    }

    Section child(const std::string& key) {
        seen_.insert(key);
        return Section(node_ && node_.IsMap() ? node_[key] : YAML::Node(), join(path_, key), env_);
    }

    /// Every key of this mapping (for keyed maps such as dhcp_servers).
    std::vector<std::string> keys() const {
        std::vector<std::string> out;
        if (node_ && node_.IsMap())
            for (const auto& item : node_) out.push_back(item.first.as<std::string>());
        return out;
    }

    /// Reports the first key that no handler consumed (typos must not pass silently).
    void finish() const {
        if (!node_ || !node_.IsMap()) return;
        for (const auto& item : node_) {
            auto key = item.first.as<std::string>();
            if (!seen_.count(key)) fail(join(path_, key), "unknown key");
        }
    }

    const std::string& path() const { return path_; }

private:
    std::optional<std::string> scalar(const std::string& key) {
        seen_.insert(key);
        if (!node_ || !node_.IsMap()) return std::nullopt;
        auto value = node_[key];
        if (!value || value.IsNull()) return std::nullopt;
        if (!value.IsScalar()) fail(join(path_, key), "expected a single value");
        return value.as<std::string>();
    }

    YAML::Node node_;
    std::string path_;
    EnvLookup env_;
    std::set<std::string> seen_;
};

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

NetBoxConfig parse_netbox(Section section, EnvLookup env) {
    NetBoxConfig c;
    c.url = section.string("url", "");
    c.token = section.secret("token", "");
    if (auto override_token = std::string(env("NETBOX_TOKEN")); !override_token.empty()) c.token = override_token;
    c.plugin_path = section.string("plugin_path", c.plugin_path);
    c.verify_tls = section.boolean("verify_tls", c.verify_tls);
    c.ca_file = section.string("ca_file", "");
    c.timeout = section.duration("timeout", c.timeout, milliseconds(100), hours(1));
    c.page_size = static_cast<int>(section.integer("page_size", c.page_size, 1, 100000));
    c.max_concurrent_writes = static_cast<int>(section.integer("max_concurrent_writes", c.max_concurrent_writes, 1, 64));
    c.ip_write_batch_size = static_cast<int>(section.integer("ip_write_batch_size", c.ip_write_batch_size, 1, 100000));
    c.max_retries = static_cast<int>(section.integer("max_retries", c.max_retries, 0, 10));
    c.max_response_bytes = section.size("max_response_bytes", c.max_response_bytes, 64 * 1024, 4ULL << 30);
    c.journal = section.boolean("journal", c.journal);
    section.finish();

    if (c.url.empty()) fail("netbox.url", "is required");
    auto url = http::Url::parse(c.url);
    if (!url) fail("netbox.url", "expected an http:// or https:// URL without user or password (the token authenticates), got '" + printable_url(c.url) + "'");
    if (c.plugin_path.empty() || c.plugin_path.front() != '/') fail("netbox.plugin_path", "must start with '/', got '" + c.plugin_path + "'");
    if (c.plugin_path.back() != '/') c.plugin_path += '/';
    if (!c.ca_file.empty() && !std::ifstream(c.ca_file)) fail("netbox.ca_file", "cannot read '" + c.ca_file + "'");
    return c;
}

void check_slug(const std::string& key, const std::string& slug, bool allow_empty) {
    if (slug.empty()) {
        if (!allow_empty) fail(key, "must not be empty");
        return;
    }
    for (char ch : slug)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_'))
            fail(key, "'" + slug + "' is not a valid tag slug (letters, digits, '-' and '_')");
}

SyncConfig parse_sync(Section section) {
    SyncConfig c;
    auto& s = c.settings;
    s.ip_addresses = section.boolean("ip_addresses", s.ip_addresses);
    s.push_reservations = section.boolean("push_reservations", s.push_reservations);
    s.push_scope_info = section.boolean("push_scope_info", s.push_scope_info);
    s.active_scopes_only = section.boolean("active_scopes_only", s.active_scopes_only);
    s.lease_status = section.string("lease_status", s.lease_status);
    s.reservation_status = section.string("reservation_status", s.reservation_status);
    s.protect_tag = section.string("protect_tag", s.protect_tag);
    s.protect_update_client_id = section.boolean("protect_update_client_id", s.protect_update_client_id);
    s.create_missing_prefixes = section.boolean("create_missing_prefixes", s.create_missing_prefixes);
    s.managed_tag = section.string("managed_tag", s.managed_tag);
    s.maintenance_tag = section.string("maintenance_tag", s.maintenance_tag);
    s.max_delete_fraction = section.real("max_delete_fraction", s.max_delete_fraction, 0.0, 1.0);
    s.max_delete_min = static_cast<int>(section.integer("max_delete_min", s.max_delete_min, 0, 1000000));
    s.prune_reservations = section.boolean("prune_reservations", s.prune_reservations);
    c.interval = std::chrono::duration_cast<seconds>(section.duration("interval", c.interval, minutes(5), hours(24)));
    c.max_concurrent_servers = static_cast<int>(section.integer("max_concurrent_servers", c.max_concurrent_servers, 1, 256));
    section.finish();

    if (s.lease_status.empty()) fail("sync.lease_status", "must not be empty");
    if (s.reservation_status.empty()) fail("sync.reservation_status", "must not be empty");
    if (s.lease_status == s.reservation_status)
        fail("sync.reservation_status", "must differ from sync.lease_status (both are '" + s.lease_status + "')");
    check_slug("sync.protect_tag", s.protect_tag, true);
    check_slug("sync.managed_tag", s.managed_tag, false);
    check_slug("sync.maintenance_tag", s.maintenance_tag, false);
    return c;
}

BackendKind parse_backend(Section& section, BackendKind fallback) {
    auto text = section.string("backend", to_string(fallback));
    if (text == "psu") return BackendKind::psu;
    if (text == "kea") return BackendKind::kea;
    if (text == "dhcpd") return BackendKind::dhcpd;
    fail(section.path() + ".backend", "expected psu, kea or dhcpd, got '" + text + "'");
}

/// The keys only one backend has; a server of another backend naming one is told whose key it is.
const std::map<std::string, BackendKind>& backend_keys() {
    static const std::map<std::string, BackendKind> keys{
        {"token", BackendKind::psu},          {"token_file", BackendKind::psu},
        {"psu_script_fixed", BackendKind::psu}, {"url", BackendKind::kea},
        {"kea_service", BackendKind::kea},    {"username", BackendKind::kea},
        {"password", BackendKind::kea},       {"password_file", BackendKind::kea},
        {"cert_file", BackendKind::kea},      {"key_file", BackendKind::kea},
        {"ssh", BackendKind::dhcpd},          {"config_path", BackendKind::dhcpd},
        {"leases_path", BackendKind::dhcpd},  {"config_test", BackendKind::dhcpd},
        {"server_stop", BackendKind::dhcpd},  {"server_start", BackendKind::dhcpd},
        {"server_check", BackendKind::dhcpd}, {"server_check_delay", BackendKind::dhcpd},
        {"version_command", BackendKind::dhcpd}, {"command_timeout", BackendKind::dhcpd},
        {"globals", BackendKind::dhcpd},      {"free_lines", BackendKind::dhcpd},
        {"failover", BackendKind::dhcpd},     {"max_config_bytes", BackendKind::dhcpd},
        {"max_leases_bytes", BackendKind::dhcpd}};
    return keys;
}

void check_backend_keys(const Section& section, BackendKind backend) {
    for (const auto& key : section.keys()) {
        auto found = backend_keys().find(key);
        if (found != backend_keys().end() && found->second != backend)
            fail(section.path() + "." + key, std::string("is a key of backend ") + to_string(found->second) +
                                                 ", but this server's backend is " + to_string(backend));
    }
}

void check_readable(const std::string& key, const std::string& path) {
    if (!path.empty() && !std::ifstream(path)) fail(key, "cannot read '" + path + "'");
}

/// The keys of a dhcpd server (dhcpd_client/dhcpd_options.hpp; docs/dhcpd.md).
dhcpd::DhcpdOptions parse_dhcpd(Section& section, const dhcpd::DhcpdOptions& defaults) {
    dhcpd::DhcpdOptions o = defaults;
    auto ssh = section.child("ssh");
    o.ssh.host = ssh.string("host", defaults.ssh.host);
    o.ssh.port = static_cast<int>(ssh.integer("port", defaults.ssh.port, 1, 65535));
    o.ssh.user = ssh.string("user", defaults.ssh.user);
    o.ssh.key_file = ssh.string("key_file", defaults.ssh.key_file);
    o.ssh.password_file = ssh.string("password_file", defaults.ssh.password_file);
    o.ssh.known_hosts = ssh.string("known_hosts", defaults.ssh.known_hosts);
    o.ssh.accept_new_host_key = ssh.boolean("accept_new_host_key", defaults.ssh.accept_new_host_key);
    o.ssh.timeout = ssh.duration("timeout", defaults.ssh.timeout, milliseconds(100), hours(1));
    ssh.finish();
    o.config_path = section.string("config_path", defaults.config_path);
    o.leases_path = section.string("leases_path", defaults.leases_path);
    o.config_test = section.string("config_test", defaults.config_test);
    o.server_stop = section.string("server_stop", defaults.server_stop);
    o.server_start = section.string("server_start", defaults.server_start);
    o.server_check = section.string("server_check", defaults.server_check);
    o.server_check_delay = section.duration("server_check_delay", defaults.server_check_delay, milliseconds(0), hours(1));
    o.version_command = section.string("version_command", defaults.version_command);
    o.command_timeout = section.duration("command_timeout", defaults.command_timeout, milliseconds(100), hours(1));
    auto globals = section.child("globals");
    o.globals.authoritative = globals.boolean("authoritative", defaults.globals.authoritative);
    o.globals.default_lease_time = globals.integer("default_lease_time", defaults.globals.default_lease_time, 0, 1LL << 31);
    o.globals.max_lease_time = globals.integer("max_lease_time", defaults.globals.max_lease_time, 0, 1LL << 31);
    o.globals.local_port = static_cast<int>(globals.integer("local_port", defaults.globals.local_port, 0, 65535));
    o.globals.log_facility = globals.string("log_facility", defaults.globals.log_facility);
    o.globals.option_routers = globals.string("option_routers", defaults.globals.option_routers);
    o.globals.option_domain_name_servers =
        globals.string("option_domain_name_servers", defaults.globals.option_domain_name_servers);
    o.globals.option_domain_name = globals.string("option_domain_name", defaults.globals.option_domain_name);
    globals.finish();
    o.free_lines = section.strings("free_lines", defaults.free_lines);
    auto failover = section.child("failover");
    o.failover.address = failover.string("address", defaults.failover.address);
    o.failover.port = static_cast<int>(failover.integer("port", defaults.failover.port, 1, 65535));
    o.failover.peer_port = static_cast<int>(failover.integer("peer_port", defaults.failover.peer_port, 1, 65535));
    o.failover.max_unacked_updates =
        static_cast<int>(failover.integer("max_unacked_updates", defaults.failover.max_unacked_updates, 1, 65535));
    o.failover.load_balance_max_seconds =
        static_cast<int>(failover.integer("load_balance_max_seconds", defaults.failover.load_balance_max_seconds, 1, 3600));
    failover.finish();
    o.max_config_bytes = section.size("max_config_bytes", defaults.max_config_bytes, 1024, 1ULL << 30);
    o.max_leases_bytes = section.size("max_leases_bytes", defaults.max_leases_bytes, 1024, 64ULL << 30);
    return o;
}

/// `defaults` is the `default:` entry (for the default entry itself: the built-in defaults); it may hold the
/// keys of any backend, a server's own entry only those of its backend.
DhcpServerConfig parse_dhcp_server(Section section, const DhcpServerConfig& defaults, bool is_default) {
    DhcpServerConfig c = defaults;
    c.backend = parse_backend(section, defaults.backend);
    if (!is_default) check_backend_keys(section, c.backend);
    c.ca_file = section.string("ca_file", defaults.ca_file);
    c.verify_tls = section.boolean("verify_tls", defaults.verify_tls);
    auto timeout_fallback = c.backend == BackendKind::kea && !section.has("timeout") && defaults.backend != BackendKind::kea
                                ? milliseconds(10000)
                                : defaults.timeout;
    c.timeout = section.duration("timeout", timeout_fallback, milliseconds(100), hours(1));
    c.max_concurrent = static_cast<int>(section.integer("max_concurrent", defaults.max_concurrent, 1, 256));
    c.max_retries = static_cast<int>(section.integer("max_retries", defaults.max_retries, 0, 10));
    c.max_response_bytes = section.size("max_response_bytes", defaults.max_response_bytes, 64 * 1024, 4ULL << 30);
    if (is_default || c.backend == BackendKind::psu) {
        c.token = section.secret("token", defaults.token);
        c.psu_script_fixed = section.boolean("psu_script_fixed", defaults.psu_script_fixed);
    }
    if (is_default || c.backend == BackendKind::kea) {
        c.url = section.string("url", defaults.url);
        c.kea_service = section.string("kea_service", defaults.kea_service);
        c.username = section.string("username", defaults.username);
        check_single_line(section.path() + ".username", c.username);
        c.password = section.secret("password", defaults.password);
        c.cert_file = section.string("cert_file", defaults.cert_file);
        c.key_file = section.string("key_file", defaults.key_file);
    }
    if (is_default || c.backend == BackendKind::dhcpd) c.dhcpd = parse_dhcpd(section, defaults.dhcpd);
    section.finish();
    check_readable(section.path() + ".ca_file", c.ca_file);
    if (!is_default && c.backend == BackendKind::dhcpd) {
        auto name = section.path().substr(section.path().rfind('.') + 1);
        if (auto valid = dhcpd::validate(c.dhcpd, name); !valid) throw ConfigError{valid.error().message};
        check_readable(section.path() + ".ssh.key_file", c.dhcpd.ssh.key_file);
        check_readable(section.path() + ".ssh.password_file", c.dhcpd.ssh.password_file);
    }
    if (!is_default && c.backend == BackendKind::kea) {
        if (c.url.empty()) fail(section.path() + ".url", "is required for backend kea (the Kea control agent or socket)");
        auto url = http::Url::parse(c.url);
        if (!url) fail(section.path() + ".url", "expected an http:// or https:// URL without user or password (username and password are keys of their own), got '" + printable_url(c.url) + "'");
        if (c.kea_service != "" && c.kea_service != "dhcp4")
            fail(section.path() + ".kea_service", "expected dhcp4 or \"\" (Kea's own control socket), got '" + c.kea_service + "'");
        if (c.cert_file.empty() != c.key_file.empty())
            fail(section.path() + (c.cert_file.empty() ? ".cert_file" : ".key_file"), "set both cert_file and key_file, or neither");
        check_readable(section.path() + ".cert_file", c.cert_file);
        check_readable(section.path() + ".key_file", c.key_file);
    }
    return c;
}

ServiceConfig parse_service(Section section) {
    ServiceConfig c;
    c.listen = section.string("listen", c.listen);
    c.webhook_secret = section.secret("webhook_secret", "");
    c.webhook_debounce = section.duration("webhook_debounce", c.webhook_debounce, milliseconds(0), hours(1));
    c.job_history = static_cast<int>(section.integer("job_history", c.job_history, 1, 100000));
    c.job_retention = section.duration("job_retention", c.job_retention, seconds(10), hours(24 * 30));
    c.max_queued_jobs = static_cast<int>(section.integer("max_queued_jobs", c.max_queued_jobs, 1, 100000));
    c.job_log_lines = static_cast<int>(section.integer("job_log_lines", c.job_log_lines, 0, 1000000));
    c.max_body_bytes = section.size("max_body_bytes", c.max_body_bytes, 1024, 64ULL * 1024 * 1024);
    c.max_connections = static_cast<int>(section.integer("max_connections", c.max_connections, 1, 100000));
    c.idle_timeout = section.duration("idle_timeout", c.idle_timeout, seconds(1), hours(1));
    c.header_timeout = section.duration("header_timeout", c.header_timeout, seconds(1), hours(1));
    c.max_connections_per_client =
        static_cast<int>(section.integer("max_connections_per_client", c.max_connections_per_client, 1, 100000));
    c.webhook_max_pending = static_cast<int>(section.integer("webhook_max_pending", c.webhook_max_pending, 1, 1000000));
    c.shutdown_timeout = section.duration("shutdown_timeout", c.shutdown_timeout, seconds(1), hours(1));
    section.finish();
    auto colon = c.listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == c.listen.size())
        fail("service.listen", "expected HOST:PORT, got '" + c.listen + "'");
    return c;
}

LogConfig parse_log(Section section) {
    LogConfig c;
    auto level = section.string("level", "info");
    auto format = section.string("format", "text");
    section.finish();
    static const std::map<std::string, LogLevel> levels{{"trace", LogLevel::trace}, {"debug", LogLevel::debug},
                                                        {"info", LogLevel::info}, {"warning", LogLevel::warning},
                                                        {"error", LogLevel::error}};
    auto found = levels.find(level);
    if (found == levels.end()) fail("log.level", "expected trace, debug, info, warning or error, got '" + level + "'");
    c.level = found->second;
    if (format == "text") c.format = LogFormat::text;
    else if (format == "json") c.format = LogFormat::json;
    else fail("log.format", "expected text or json, got '" + format + "'");
    return c;
}

}  // namespace

/// `coordination.redis`: the Redis that holds the per-server locks. Checked whole here (URL, timings against
/// each other) so a bad value is a load error naming the key, not a failure at the first sync.
CoordinationConfig parse_coordination(Section section) {
    CoordinationConfig c;
    if (section.has("redis")) {
        auto redis = section.child("redis");
        coordination::RedisOptions o;
        o.url = redis.string("url", o.url);
        o.password = redis.secret("password", "");
        o.tls = redis.boolean("tls", o.tls);
        o.ca_file = redis.string("ca_file", "");
        o.key_prefix = redis.string("key_prefix", o.key_prefix);
        o.lock_ttl = redis.duration("lock_ttl", o.lock_ttl, milliseconds(100), hours(1));
        o.renew_every = redis.duration("renew_every", o.renew_every, milliseconds(10), hours(1));  // absent: lock_ttl / 3
        o.connect_timeout = redis.duration("connect_timeout", o.connect_timeout, milliseconds(100), minutes(5));
        o.command_timeout = redis.duration("command_timeout", o.command_timeout, milliseconds(100), minutes(5));
        redis.finish();
        check_readable("coordination.redis.ca_file", o.ca_file);
        if (auto resolved = coordination::resolve_redis_options(o); !resolved) throw ConfigError{resolved.error().message};
        c.redis = std::move(o);
    }
    section.finish();
    return c;
}

const char* to_string(BackendKind kind) {
    switch (kind) {
    case BackendKind::psu: return "psu";
    case BackendKind::kea: return "kea";
    case BackendKind::dhcpd: return "dhcpd";
    }
    return "?";
}

std::string process_env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == 0 || digits > 9) return std::nullopt;
    long long value = std::stoll(text.substr(0, digits));
    auto unit = text.substr(digits);
    if (unit == "ms") return std::chrono::milliseconds(value);
    if (unit == "s") return std::chrono::seconds(value);
    if (unit == "m") return std::chrono::minutes(value);
    if (unit == "h") return std::chrono::hours(value);
    return std::nullopt;
}

std::optional<std::uint64_t> parse_size(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == 0 || digits > 15) return std::nullopt;
    std::uint64_t value = std::stoull(text.substr(0, digits));
    auto unit = text.substr(digits);
    std::uint64_t factor = 0;
    if (unit.empty()) factor = 1;
    else if (unit == "KiB") factor = 1ULL << 10;
    else if (unit == "MiB") factor = 1ULL << 20;
    else if (unit == "GiB") factor = 1ULL << 30;
    else return std::nullopt;
    if (value > (1ULL << 50) / factor) return std::nullopt;
    return value * factor;
}

DhcpServerConfig Config::server(const std::string& name) const {
    if (auto found = dhcp_servers.find(name); found != dhcp_servers.end()) return found->second;
    if (auto found = dhcp_servers.find("default"); found != dhcp_servers.end()) return found->second;
    return {};
}

Expected<Config> parse_config(const std::string& yaml_text, EnvLookup env) {
    try {
        YAML::Node root;
        try {
            root = YAML::Load(yaml_text);
        } catch (const YAML::Exception& e) {
            return Error{make_error_code(errc::config), "config: not valid YAML: " + std::string(e.what())};
        }
        check_document(root, "", yaml_text);
        Section top(root, "", env);
        Config config;
        config.netbox = parse_netbox(top.child("netbox"), env);
        config.sync = parse_sync(top.child("sync"));

        auto servers = top.child("dhcp_servers");
        DhcpServerConfig defaults;
        if (servers.has("default")) defaults = parse_dhcp_server(servers.child("default"), DhcpServerConfig{}, true);
        config.dhcp_servers["default"] = defaults;
        for (const auto& name : servers.keys()) {
            if (name == "default") continue;
            config.dhcp_servers[name] = parse_dhcp_server(servers.child(name), defaults, false);
        }
        servers.finish();

        config.service = parse_service(top.child("service"));
        config.log = parse_log(top.child("log"));
        config.coordination = parse_coordination(top.child("coordination"));
        top.finish();
        return config;
    } catch (const ConfigError& e) {
        return Error{make_error_code(errc::config), "config: " + e.message};
    } catch (const YAML::Exception& e) {
        return Error{make_error_code(errc::config), "config: " + std::string(e.what())};
    }
}

Expected<Config> load_config(const std::string& path, EnvLookup env) {
    std::ifstream in(path);
    if (!in) return Error{make_error_code(errc::config), "config: cannot read '" + path + "'"};
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto result = parse_config(buffer.str(), env);
    if (!result) return Error{make_error_code(errc::config), result.error().message + " (in " + path + ")"};
    return result;
}

}  // namespace nds::daemon
