#include "xds/stream_events.hpp"

namespace ambient::xds {

bool stream_port::send(std::shared_ptr<const google::protobuf::Message> r) {
  std::lock_guard guard{mutex_};
  if (stream_ == nullptr)
    return false;
  stream_->write(std::move(r));
  return true;
}

void stream_port::attach(stream_writer* w) {
  std::lock_guard guard{mutex_};
  stream_ = w;
}

} // namespace ambient::xds
