// A unified diff ("diff -u", 3 lines of context) of two texts: what a push would change, shown by
// --dry-run and reported before every push. Myers' algorithm on the lines between the common head and tail;
// past 2000 differing lines it shows the differing middle as removed and added instead. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nds::dhcpd {

struct DiffResult {
    std::string text;          ///< "" when the texts are equal
    std::size_t added = 0;     ///< lines
    std::size_t removed = 0;
};

DiffResult unified_diff(std::string_view old_text, std::string_view new_text, std::string_view old_label,
                        std::string_view new_label, std::size_t context = 3);

}  // namespace nds::dhcpd
