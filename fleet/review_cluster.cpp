#include "fleet/review_cluster.hpp"

#include <algorithm>

namespace ambient::fleet {

namespace {

constexpr size_t max_quoted_id = 64;
constexpr size_t max_listed = 10;

/// An untrusted ID made safe for a log line.
std::string printable(std::string_view id) {
  std::string out{id.substr(0, max_quoted_id)};
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '"')
      c = '?';
  if (id.size() > max_quoted_id)
    out += "...";
  return out;
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

} // namespace

std::variant<std::string, unknown_cluster>
choose_review_cluster(std::string_view cluster_id, std::string_view config_cluster_id,
                      const std::vector<std::string>& config_aliases,
                      const std::vector<std::string>& synced_remote_ids) {
  if (cluster_id.empty() || cluster_id == config_cluster_id || contains(config_aliases, cluster_id))
    return std::string{config_cluster_id};
  if (contains(synced_remote_ids, cluster_id))
    return std::string{cluster_id};
  std::vector<std::string> remotes = synced_remote_ids;
  std::sort(remotes.begin(), remotes.end());
  remotes.erase(std::unique(remotes.begin(), remotes.end()), remotes.end());
  remotes.erase(std::remove(remotes.begin(), remotes.end(), config_cluster_id), remotes.end());
  std::string known{config_cluster_id.empty() ? "\"\" (the config cluster)" : config_cluster_id};
  size_t listed = 0;
  for (const auto& r : remotes) {
    if (listed == max_listed) {
      known += ", and " + std::to_string(remotes.size() - listed) + " more";
      break;
    }
    known += ", " + r;
    ++listed;
  }
  return unknown_cluster{"unknown cluster \"" + printable(cluster_id) + "\"; known: " + known};
}

} // namespace ambient::fleet
