#include "sim/credentials.hpp"

namespace ambient::sim {

void credentials::add_token(const std::string& token) {
  std::lock_guard guard{mutex_};
  tokens_.insert(token);
}

void credentials::revoke_token(const std::string& token) {
  std::lock_guard guard{mutex_};
  tokens_.erase(token);
}

bool credentials::token_valid(const std::string& token) const {
  std::lock_guard guard{mutex_};
  return tokens_.contains(token);
}

} // namespace ambient::sim
