#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ambient::kube {

/// Cuts a watch stream into whole JSON objects, however the bytes were chunked: it tracks brace
/// depth outside strings (with escapes), so an event split across chunks, several events in one
/// chunk, or newlines inside strings all frame correctly. Pure and incremental.
class watch_framer {
public:
  explicit watch_framer(size_t max_object_bytes = 4u << 20) : max_(max_object_bytes) {
    // nop
  }

  /// Feeds bytes; appends every completed object to `out`. Returns an error message when the
  /// stream is not a sequence of one-line JSON objects (bytes outside an object, a line that
  /// ends inside an object, or an object over the size limit); the framer must then be reset
  /// (the watch is restarted).
  std::optional<std::string> feed(std::string_view bytes, std::vector<std::string>& out);

  /// True when bytes of an unfinished object are buffered (a truncated stream at its end).
  bool has_partial() const {
    return depth_ > 0;
  }

  void reset();

private:
  size_t max_;
  std::string buf_;
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
};

} // namespace ambient::kube
