#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace ambient::xds {

/// The answer to "what changed since version v": the names, or "too far back, look at everything".
struct change_set {
  /// The log no longer reaches back to the asked version: compare the whole state instead.
  bool full_resync = false;
  /// Names upserted or removed after the asked version; sorted, unique; empty on full_resync.
  std::vector<std::string> names;
};

/// The names a resource table changed at each of its versions, oldest first, so a stream that
/// saw version v can ask for what changed after it in O(changes) instead of comparing every
/// resource. Bounded: past `max_entries` the oldest versions are dropped whole and the log
/// remembers the newest dropped version as its floor; asking from below the floor answers
/// full_resync.
class change_log {
public:
  explicit change_log(std::size_t max_entries);

  /// `name` changed at `version`; versions are recorded in non-decreasing order.
  void record(uint64_t version, std::string name);

  /// The names changed at versions greater than `since_version`.
  change_set since(uint64_t since_version) const;

  /// Versions up to and including the floor are no longer in the log (0: nothing dropped yet).
  uint64_t floor() const {
    return floor_;
  }

  /// Entries held now.
  std::size_t size() const {
    return records_.size();
  }

private:
  struct entry {
    uint64_t version;
    std::string name;
  };

  std::deque<entry> records_;
  std::size_t max_entries_;
  uint64_t floor_ = 0;
};

} // namespace ambient::xds
