#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>

#include "fleet/status_writer_core.hpp"
#include "kube/transport.hpp"

namespace ambient::fleet {

/// What the CA's Secret exchange leads to next.
struct ca_secret_step {
  /// The request to send now (none when finished or failed).
  std::optional<api_call> call;
  /// Set once the Secret's data is settled: what the CA signs with (read, or created by us).
  std::optional<std::map<std::string, std::string>> data;
  /// Set when the exchange cannot go on (an error the operator must fix), for the log and exit.
  std::string error;
};

/// istiod's way of sharing its self-signed root between replicas and restarts
/// (security/pkg/pki/ca/ca.go): read Secret `istio-ca-secret` in the system namespace; when there
/// is none, create it with a root of our own; when another replica created it first (409), read
/// theirs. Pure: the caller sends the calls, passes the responses, and supplies the root's data
/// only when it is needed (generating a key is not free).
class ca_secret_sync {
public:
  /// `ns` is the system namespace; `name` the Secret (istio-ca-secret).
  ca_secret_sync(std::string ns, std::string name);

  /// The first request: read the Secret.
  api_call start() const;

  /// A response to the last request. `make_root` is called (at most once) when the Secret is
  /// missing and this replica must create it; it returns the Secret data to store.
  template <class MakeRoot>
  ca_secret_step on_response(const kube::response_end& end, MakeRoot&& make_root) {
    if (creating_ || end.status != 404)
      return advance(end, nullptr);
    auto data = make_root();
    return advance(end, &data);
  }

private:
  ca_secret_step advance(const kube::response_end& end,
                         const std::map<std::string, std::string>* new_root);
  std::string item() const;
  std::string secret_json(const std::map<std::string, std::string>& data) const;

  std::string namespace_, name_;
  bool creating_ = false;
  std::map<std::string, std::string> created_;
};

} // namespace ambient::fleet
