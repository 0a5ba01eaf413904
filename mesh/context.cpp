#include "mesh/context.hpp"

#include <arpa/inet.h>

namespace ambient::mesh {

std::string service_hostname(std::string_view name, std::string_view namespace_,
                             std::string_view cluster_domain) {
  std::string out;
  out.reserve(name.size() + namespace_.size() + cluster_domain.size() + 6);
  out.append(name).append(".").append(namespace_).append(".svc.").append(cluster_domain);
  return out;
}

std::optional<std::string> ip_bytes(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN)
    return std::nullopt;
  char z[INET6_ADDRSTRLEN + 1]; // inet_pton needs a terminated string
  text.copy(z, text.size());
  z[text.size()] = '\0';
  unsigned char buf[16];
  if (inet_pton(AF_INET, z, buf) == 1)
    return std::string{reinterpret_cast<const char*>(buf), 4};
  if (inet_pton(AF_INET6, z, buf) == 1)
    return std::string{reinterpret_cast<const char*>(buf), 16};
  return std::nullopt;
}

std::string ip_text(std::string_view bytes) {
  char out[INET6_ADDRSTRLEN] = {};
  int family = bytes.size() == 4 ? AF_INET : bytes.size() == 16 ? AF_INET6 : 0;
  if (family == 0 || inet_ntop(family, bytes.data(), out, sizeof out) == nullptr)
    return {};
  return out;
}

} // namespace ambient::mesh
