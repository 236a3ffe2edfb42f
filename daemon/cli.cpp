#include "daemon/cli.hpp"

namespace nds::daemon {

std::string usage_text() {
    return "usage:\n"
           "  netbox-dhcp-sync sync   [--config F] [--server NAME]... [--dry-run] [--allow-mass-delete]\n"
           "                          [--output text|json] [-v|--verbose]\n"
           "  netbox-dhcp-sync import --server NAME [--config F] [--dry-run] [--output text|json]\n"
           "  netbox-dhcp-sync run    [--config F]\n"
           "  netbox-dhcp-sync check  [--config F]\n"
           "  netbox-dhcp-sync --version | --help\n"
           "\n"
           "The config file is --config, else $NETBOX_DHCP_SYNC_CONFIG, else /etc/netbox-dhcp-sync/config.yaml.\n"
           "$NETBOX_TOKEN overrides netbox.token.\n"
           "Exit codes: 0 success; 1 a server or object failed; 2 usage or config error; 3 NetBox unreachable\n"
           "or token rejected.\n";
}

Expected<CliOptions> parse_cli(const std::vector<std::string>& args, EnvLookup env) {
    CliOptions options;
    if (args.empty()) return Error{make_error_code(errc::config), "no command given"};
    const auto& first = args.front();
    if (first == "--help" || first == "-h" || first == "help") {
        options.command = Command::help;
        return options;
    }
    if (first == "--version" || first == "version") {
        options.command = Command::version;
        return options;
    }
    if (first == "sync") options.command = Command::sync;
    else if (first == "import") options.command = Command::import;
    else if (first == "run") options.command = Command::run;
    else if (first == "check") options.command = Command::check;
    else return Error{make_error_code(errc::config), "unknown command '" + first + "'"};

    bool takes_sync_flags = options.command == Command::sync || options.command == Command::import;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto& arg = args[i];
        auto value = [&](const std::string& flag) -> Expected<std::string> {
            auto eq = arg.find('=');
            if (eq != std::string::npos) return arg.substr(eq + 1);
            if (i + 1 >= args.size()) return Error{make_error_code(errc::config), flag + " needs a value"};
            return args[++i];
        };
        auto is = [&](const char* flag) { return arg == flag || arg.rfind(std::string(flag) + "=", 0) == 0; };
        if (is("--config")) {
            auto v = value("--config");
            if (!v) return v.error();
            options.config_path = *v;
        } else if (takes_sync_flags && is("--server")) {
            auto v = value("--server");
            if (!v) return v.error();
            if (v->empty()) return Error{make_error_code(errc::config), "--server needs a server name"};
            options.servers.push_back(*v);
        } else if (takes_sync_flags && arg == "--dry-run") {
            options.dry_run = true;
        } else if (options.command == Command::sync && arg == "--allow-mass-delete") {
            options.allow_mass_delete = true;
        } else if (takes_sync_flags && is("--output")) {
            auto v = value("--output");
            if (!v) return v.error();
            if (*v == "json") options.output_json = true;
            else if (*v == "text") options.output_json = false;
            else return Error{make_error_code(errc::config), "--output: expected text or json, got '" + *v + "'"};
        } else if (arg == "-v" || arg == "--verbose") {
            options.verbose = true;
        } else if (arg == "--help" || arg == "-h") {
            options.command = Command::help;
            return options;
        } else {
            return Error{make_error_code(errc::config), "unknown option '" + arg + "' for '" + first + "'"};
        }
    }
    if (options.command == Command::import && options.servers.size() != 1)
        return Error{make_error_code(errc::config), "import needs exactly one --server NAME"};
    if (options.config_path.empty()) options.config_path = env("NETBOX_DHCP_SYNC_CONFIG");
    if (options.config_path.empty()) options.config_path = "/etc/netbox-dhcp-sync/config.yaml";
    return options;
}

}  // namespace nds::daemon
