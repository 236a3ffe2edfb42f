// Decisions for a rejected bulk batch (see bulk_splitter.hpp).
#include "netbox_client/bulk_splitter.hpp"

#include <map>

namespace nds::netbox {

SplitDecision BulkSplitter::split(const std::vector<std::size_t>& batch, const std::vector<engine::ObjectId>& ids,
                                  const NetBoxError& error) {
    SplitDecision out;
    if (batch.empty()) return out;

    // Map every named error to a position in this batch. Errors that match nothing (an index beyond the
    // batch, an id we did not send) are ignored: NetBox may name an object we cannot place.
    std::map<std::size_t, std::string> by_position;  // position in batch -> message (ordered)
    for (const auto& e : error.objects()) {
        std::optional<std::size_t> position;
        if (e.index && *e.index < batch.size()) {
            position = *e.index;
        } else if (e.id) {
            for (std::size_t p = 0; p < batch.size(); ++p) {
                std::size_t object = batch[p];
                if (object < ids.size() && ids[object] != 0 && ids[object] == *e.id) {
                    position = p;
                    break;
                }
            }
        }
        if (!position) continue;
        auto& message = by_position[*position];
        if (!message.empty()) message += "; ";
        message += e.message;
    }

    if (!by_position.empty()) {
        std::vector<std::size_t> rest;
        for (std::size_t p = 0; p < batch.size(); ++p) {
            auto it = by_position.find(p);
            if (it != by_position.end()) out.failed.push_back({batch[p], it->second});
            else rest.push_back(batch[p]);
        }
        if (!rest.empty()) out.resend.push_back(std::move(rest));
        return out;
    }

    // Nothing names an object: a lone object is the culprit; a larger batch is bisected.
    if (batch.size() == 1) {
        out.failed.push_back({batch.front(), error.summary()});
        return out;
    }
    std::size_t half = batch.size() / 2;
    out.resend.emplace_back(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(half));
    out.resend.emplace_back(batch.begin() + static_cast<std::ptrdiff_t>(half), batch.end());
    return out;
}

}  // namespace nds::netbox
