// Fixture for the layering check (tests/CMakeLists.txt): the engine is pure, no Asio.
#include <boost/asio/awaitable.hpp>
