#pragma once
// A request the client got wrong (4xx): thrown by validation and the stream rules, turned into
// {"error": message, "field": field} by the router. Distinct from infrastructure failures (5xx).
#include <stdexcept>
#include <string>

namespace pulse::lifecycle {

struct ClientError : std::runtime_error {
    ClientError(int status_code, std::string msg, std::string field_name = {})
        : std::runtime_error(msg), status(status_code), field(std::move(field_name)) {}
    int status;         // 400, 404, 409, 413, 415, ...
    std::string field;  // the offending request field, empty when none applies
};

}  // namespace pulse::lifecycle
