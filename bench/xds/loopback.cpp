#include "bench/xds/loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ambient::bench {

double loopback_seconds(uint64_t bytes) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener, 1) != 0
      || ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("loopback: cannot listen");
  int out = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(out, reinterpret_cast<sockaddr*>(&addr), len) != 0)
    throw std::runtime_error("loopback: cannot connect");
  int in = ::accept(listener, nullptr, nullptr);
  std::vector<char> buf(256 * 1024, 'x');
  auto start = std::chrono::steady_clock::now();
  std::thread reader{[&] {
    std::vector<char> rbuf(256 * 1024);
    uint64_t got = 0;
    while (got < bytes) {
      auto n = ::read(in, rbuf.data(), rbuf.size());
      if (n <= 0)
        break;
      got += static_cast<uint64_t>(n);
    }
  }};
  uint64_t sent = 0;
  while (sent < bytes) {
    auto want = std::min<uint64_t>(buf.size(), bytes - sent);
    auto n = ::write(out, buf.data(), want);
    if (n <= 0)
      break;
    sent += static_cast<uint64_t>(n);
  }
  reader.join();
  auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(in);
  ::close(out);
  ::close(listener);
  return s;
}

} // namespace ambient::bench
