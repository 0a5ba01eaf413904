#pragma once

#include <functional>
#include <mutex>
#include <set>
#include <string>

namespace ambient::sim {

/// Who may call: valid bearer tokens (client certificates from the CA are always accepted).
/// Safe to use from any thread.
class credentials {
public:
  /// Accepts `token` from now on.
  void add_token(const std::string& token);
  /// Refuses `token` from now on (kube-sim's revoke-token fault).
  void revoke_token(const std::string& token);
  /// Whether `token` is accepted.
  bool token_valid(const std::string& token) const;

private:
  mutable std::mutex mutex_;
  std::set<std::string, std::less<>> tokens_;
};

} // namespace ambient::sim
