// REST calls to a running netbox_sim as one of its seeded users, for the simulator's own tests.
#pragma once

#include "tests/support/simulator.hpp"

#include <boost/json.hpp>

#include <string>
#include <utility>

namespace nds::testing {

struct SimReply {
    unsigned status = 0;
    boost::json::value body;  ///< null for an empty body
    http::Headers headers;
};

/// One REST call with `Authorization: <authorization>`; the parsed body (null when empty).
inline SimReply sim_call(Simulator& sim, const std::string& authorization, const std::string& method,
                         const std::string& target, const boost::json::value& body = nullptr) {
    http::Headers headers;
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    auto response = http_call(sim.port(), method, target, body.is_null() ? "" : boost::json::serialize(body), headers);
    SimReply reply;
    reply.status = response.status;
    reply.body = response.body.empty() ? boost::json::value(nullptr) : boost::json::parse(response.body);
    reply.headers = response.headers;
    return reply;
}

}  // namespace nds::testing
