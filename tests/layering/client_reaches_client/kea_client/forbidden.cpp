// Fixture for the layering check (tests/CMakeLists.txt): one DHCP client may not include another.
#include "kea_client/kea_backend.hpp"
#include "psu_client/psu_client.hpp"
