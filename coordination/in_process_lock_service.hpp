// The lock service without Redis: locks in a map of this process (one service, as before coordination).
#pragma once

#include "coordination/server_lock.hpp"

namespace nds::coordination {

std::unique_ptr<ServerLockService> make_in_process_lock_service(boost::asio::any_io_executor executor,
                                                                std::string process_id);

}  // namespace nds::coordination
