#pragma once

#include <chrono>
#include <string>

#include "base/json_writer.hpp"

namespace ambient::sim {

/// RFC 3339 in UTC with second precision, as the API server writes timestamps.
std::string rfc3339(std::chrono::system_clock::time_point t);

/// A random version-4 UUID, as the API server assigns to metadata.uid.
std::string make_uid();

/// Writes the metadata member's name, namespace (if any), uid and creationTimestamp of a
/// generated object; leaves the metadata object open for labels and the rest.
void begin_metadata(base::json_writer& w, const std::string& ns, const std::string& name,
                    std::chrono::system_clock::time_point created);

} // namespace ambient::sim
