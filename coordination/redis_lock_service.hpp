// The lock service on Redis (server_lock.hpp; key layout in lock_records.hpp). Throws std::runtime_error
// when the CA file cannot be loaded (make_server_lock_service turns it into errc::config).
#pragma once

#include "coordination/redis_options.hpp"
#include "coordination/server_lock.hpp"

namespace nds::coordination {

std::unique_ptr<ServerLockService> make_redis_lock_service(boost::asio::any_io_executor executor,
                                                           ResolvedRedisOptions options, std::string process_id);

}  // namespace nds::coordination
