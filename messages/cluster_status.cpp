#include "messages/cluster_status.hpp"

#include <array>

namespace ambient::messages {

namespace {

constexpr std::array<std::string_view, 6> state_names{"pending", "syncing", "synced",
                                                      "stale",   "failed",  "removed"};

} // namespace

std::string_view to_string(cluster_state s) {
  return state_names.at(static_cast<size_t>(s));
}

std::optional<cluster_state> parse_cluster_state(std::string_view name) {
  for (size_t i = 0; i < state_names.size(); ++i)
    if (state_names[i] == name)
      return static_cast<cluster_state>(i);
  return std::nullopt;
}

} // namespace ambient::messages
