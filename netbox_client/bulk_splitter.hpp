// What to do with a bulk request NetBox rejected with 400. NetBox bulk writes are all-or-none (one
// transaction per request, NetBox's REST API), so one bad object blocks the whole batch. The splitter
// decides, without any I/O, which objects failed and which sub-batches to send again:
//   - the error names objects (4.5/4.6 create array by position, 4.7 "index" or "id"): exactly those fail,
//     the rest go again as one batch;
//   - otherwise (4.5/4.6 update: one field dict without index; {"detail"}; a non-JSON body): a single
//     object fails with the message, a larger batch is cut in two halves, each sent again, until the bad
//     objects are isolated.
// Every decision strictly shrinks what is resent, so the resend loop always ends.
#pragma once

#include "netbox_client/netbox_error.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace nds::netbox {

struct SplitDecision {
    struct Failed {
        std::size_t object = 0;   ///< index into the caller's object list
        std::string message;      ///< NetBox's message for it
    };
    std::vector<Failed> failed;
    std::vector<std::vector<std::size_t>> resend;   ///< batches of object indexes to send again, in order
};

class BulkSplitter {
public:
    /// `batch`: the objects that were sent, as indexes into the caller's list, in request order.
    /// `ids`: the object id of every object in the caller's list (0 for creates), to match 4.7 "id" errors;
    /// may be empty when no object has an id.
    static SplitDecision split(const std::vector<std::size_t>& batch, const std::vector<engine::ObjectId>& ids,
                               const NetBoxError& error);
};

}  // namespace nds::netbox
