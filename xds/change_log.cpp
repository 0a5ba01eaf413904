#include "xds/change_log.hpp"

#include <algorithm>
#include <stdexcept>

namespace ambient::xds {

change_log::change_log(std::size_t max_entries) : max_entries_(max_entries) {}

void change_log::record(uint64_t version, std::string name) {
  if (!records_.empty() && records_.back().version > version)
    throw std::logic_error("change_log: version " + std::to_string(version) + " recorded after "
                           + std::to_string(records_.back().version));
  records_.push_back(entry{version, std::move(name)});
  if (records_.size() <= max_entries_)
    return;
  // Drop the oldest versions whole, so a kept version is never partly recorded.
  uint64_t dropped = 0;
  while (records_.size() > max_entries_) {
    dropped = records_.front().version;
    records_.pop_front();
  }
  while (!records_.empty() && records_.front().version == dropped)
    records_.pop_front();
  floor_ = std::max(floor_, dropped);
}

change_set change_log::since(uint64_t since_version) const {
  change_set out;
  if (since_version < floor_) {
    out.full_resync = true;
    return out;
  }
  auto first = std::upper_bound(records_.begin(), records_.end(), since_version,
                                [](uint64_t v, const entry& e) { return v < e.version; });
  for (auto i = first; i != records_.end(); ++i)
    out.names.push_back(i->name);
  std::sort(out.names.begin(), out.names.end());
  out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
  return out;
}

} // namespace ambient::xds
