#pragma once

#include <fstream>
#include <string>

namespace ambient::bench {

/// This process's resident set size in KiB (VmRSS of /proc/self/status), or -1 where there is
/// none to read.
inline long own_rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

} // namespace ambient::bench
