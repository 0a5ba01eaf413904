#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "kube/transport.hpp"

namespace ambient::fleet {

/// A request for the config cluster's API server.
struct api_call {
  std::string method;
  std::string path;
  std::string body; ///< "" for a GET
};

/// What a response to the status writer's request meant.
struct status_outcome {
  enum class kind { read, written, failed } what = kind::read;
  std::string message; ///< for `failed`: what failed, for the log
};

/// The status writer without actor or socket (the core of actors/status_writer). While this
/// replica leads it keeps one ConfigMap in the config cluster holding every cluster's status:
/// `clusters.json`, a `summary` with one line a cluster, and the writer's identity in the
/// `ambientd.io/writer` annotation. It reads the ConfigMap's version before the first write of a
/// term (creating the ConfigMap when there is none), writes only what changed, as a full update
/// at the version it read, and after a conflict or any failure reads again before writing.
class status_writer_core {
public:
  status_writer_core(std::string ns, std::string name);

  /// Leadership changed. The request in flight is abandoned (the shell cancels it) and the
  /// ConfigMap's version is forgotten: another replica may have written meanwhile.
  void on_leadership(bool leading, std::string identity);

  /// A fresh status: `clusters` (the clusters' JSON) and `summary` (text). Returns the request to
  /// send: none while not leading, while a request is in flight, or when it is what was written.
  std::optional<api_call> on_status(std::string clusters, std::string summary,
                                    std::chrono::system_clock::time_point now);

  /// The request in flight ended.
  status_outcome on_response(const kube::response_end& end);

  bool leading() const {
    return leading_;
  }
  /// The clusters' JSON the ConfigMap holds, as far as this writer knows ("" when unknown).
  const std::string& written() const {
    return written_;
  }

private:
  std::string collection() const;
  std::string item() const;
  std::string config_map_json(const std::string& clusters, const std::string& summary,
                              std::chrono::system_clock::time_point now) const;

  std::string namespace_, name_;
  bool leading_ = false;
  std::string identity_;
  bool in_flight_ = false;
  bool creating_ = false;        ///< the ConfigMap is missing: the next write is a POST
  std::string resource_version_; ///< of the ConfigMap, "" when unknown
  std::string written_;          ///< the clusters' JSON last written
  std::string pending_;          ///< what the write in flight carries
};

} // namespace ambient::fleet
