// systemd readiness notification without libsystemd: one datagram ("READY=1", "STOPPING=1", ...) to the
// AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace). Does nothing when
// the variable is unset (not started by systemd with Type=notify), so it is always safe to call.
#pragma once

#include <string>

namespace nds::daemon {

/// Sends `state` (e.g. "READY=1\nSTATUS=listening on 127.0.0.1:9595"). Returns false when $NOTIFY_SOCKET
/// is set but the message could not be sent; true otherwise.
bool sd_notify(const std::string& state);

}  // namespace nds::daemon
