#include "kube/watch_framer.hpp"

#include "base/hex.hpp"

namespace ambient::kube {

void watch_framer::reset() {
  buf_.clear();
  depth_ = 0;
  in_string_ = false;
  escaped_ = false;
}

std::optional<std::string> watch_framer::feed(std::string_view bytes,
                                              std::vector<std::string>& out) {
  for (char c : bytes) {
    if (depth_ == 0) {
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
        continue;
      if (c != '{')
        return "watch stream: unexpected byte outside an event object (0x"
               + base::hex_encode({&c, 1}) + ")";
    }
    buf_ += c;
    if (buf_.size() > max_)
      return "watch stream: event larger than " + std::to_string(max_) + " bytes";
    if (in_string_) {
      if (escaped_)
        escaped_ = false;
      else if (c == '\\')
        escaped_ = true;
      else if (c == '"')
        in_string_ = false;
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '\n') {
      // An API server writes each event as one line of compact JSON (a JSON encoder per event,
      // then "\n"), so a line that ends inside an object is a malformed event. Counting on the
      // braces alone would swallow every later event into it until the size limit.
      return std::string{"watch stream: an event line ended inside its object"};
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        out.push_back(std::move(buf_));
        buf_.clear();
      } else if (depth_ < 0) {
        return "watch stream: unbalanced brackets";
      }
    }
  }
  return std::nullopt;
}

} // namespace ambient::kube
