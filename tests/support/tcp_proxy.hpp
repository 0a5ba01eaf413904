#pragma once

#include <cstdint>
#include <memory>

namespace ambient::test {

/// A TCP forwarder on 127.0.0.1 (port picked by the kernel) to 127.0.0.1:`upstream`, that a test
/// can cut: cut() drops every connection and refuses new ones (they are closed at once) until
/// heal(). It stands for a network partition between one client and its server (TLS passes
/// through untouched). Runs its own thread; stops when destroyed.
class tcp_proxy {
public:
  explicit tcp_proxy(uint16_t upstream);
  ~tcp_proxy();
  tcp_proxy(const tcp_proxy&) = delete;
  tcp_proxy& operator=(const tcp_proxy&) = delete;

  uint16_t port() const;
  void cut();
  void heal();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace ambient::test
