// netbox.journal: after a job that wrote (not a dry run), one NetBox journal entry on each DHCP server object
// it synced (POST /api/extras/journal-entries/, assigned_object_type netbox_windows_dhcp.dhcpserver), written
// with the job's token so it is attributed to the same user as the changes. kind: success (no failures),
// warning (failures or errors), danger (the run could not read NetBox). A failed journal write is logged and
// does not change the job's outcome.
#pragma once

#include "daemon/config.hpp"
#include "daemon/job.hpp"
#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>

namespace nds::daemon {

class JournalWriter {
public:
    JournalWriter(boost::asio::any_io_executor executor, const Config& config, std::string token, Logger& log);

    /// Writes one entry per server of `report`; returns how many were written.
    boost::asio::awaitable<std::size_t> write(const Job& job, const RunReport& report);

    /// "success" | "warning" | "danger" for this server's part of the run.
    static const char* kind(const std::string& server, const RunReport& report);
    /// The entry's text (Markdown): job, who asked, counts per object type, failures and problems.
    static std::string comments(const Job& job, const std::string& server, const RunReport& report);

private:
    boost::asio::any_io_executor executor_;
    const Config& config_;
    std::string token_;
    Logger& log_;
};

}  // namespace nds::daemon
