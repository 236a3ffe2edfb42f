// The Kea tests' skip: a machine without Kea says why in the test output and the test returns, never a silent pass.
#pragma once

#include "tests/kea/kea_instance.hpp"

#include <doctest/doctest.h>

#define SKIP_WITHOUT_KEA()                                                     \
    if (auto why = ::nds::testing::KeaInstance::unavailable()) {               \
        MESSAGE("skipped: Kea cannot run here: " << *why);                     \
        return;                                                                \
    }
