// Fixture for the layering check (tests/CMakeLists.txt): the engine may not include the transport.
#include "sync_engine/plan.hpp"
#include "http/http_client.hpp"
