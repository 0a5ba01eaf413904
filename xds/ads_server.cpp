#include "xds/ads_server.hpp"

namespace ambient::xds {

/// One delta ADS stream (gRPC owns it and deletes it in OnDone).
class delta_stream final
  : public grpc::ServerBidiReactor<delta_request_proto, delta_response_proto> {
public:
  delta_stream(uint64_t id, stream_event_sink sink, std::string peer)
    : id_(id), sink_(std::move(sink)), port_(std::make_shared<stream_port>()) {
    port_->stream_ = this;
    sink_(stream_opened{id_, port_, std::move(peer)});
    StartRead(&request_);
  }

  /// Called with the port's mutex held; the owner guarantees one write at a time.
  void write(std::shared_ptr<const delta_response_proto> r) {
    const delta_response_proto* msg = r.get();
    {
      // Its own mutex: OnWriteDone runs on a gRPC thread (possibly inline) and must not need the
      // port's, which the owner holds here.
      std::lock_guard guard{write_mutex_};
      in_flight_ = std::move(r);
    }
    StartWrite(msg);
  }

  void OnReadDone(bool ok) override {
    if (!ok) { // the client closed its side, or the stream broke
      Finish(grpc::Status::OK);
      return;
    }
    sink_(stream_request{id_, to_delta_request(request_)});
    request_.Clear();
    StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard guard{write_mutex_};
      in_flight_.reset();
    }
    if (ok)
      sink_(stream_written{id_});
  }

  void OnDone() override {
    {
      std::lock_guard guard{port_->mutex_};
      port_->stream_ = nullptr;
    }
    sink_(stream_closed{id_});
    delete this;
  }

private:
  uint64_t id_;
  stream_event_sink sink_;
  std::shared_ptr<stream_port> port_;
  delta_request_proto request_;
  std::mutex write_mutex_;
  std::shared_ptr<const delta_response_proto> in_flight_; ///< kept alive until written
};

bool stream_port::send(std::shared_ptr<const delta_response_proto> r) {
  std::lock_guard guard{mutex_};
  if (stream_ == nullptr)
    return false;
  stream_->write(std::move(r));
  return true;
}

ads_service::ads_service(stream_event_sink sink) : sink_(std::move(sink)) {
  // nop
}

grpc::ServerBidiReactor<delta_request_proto, delta_response_proto>*
ads_service::DeltaAggregatedResources(grpc::CallbackServerContext* context) {
  return new delta_stream(next_id_.fetch_add(1), sink_, context->peer());
}

delta_request to_delta_request(const delta_request_proto& r) {
  delta_request out;
  out.type_url = r.type_url();
  out.subscribe.assign(r.resource_names_subscribe().begin(), r.resource_names_subscribe().end());
  out.unsubscribe.assign(r.resource_names_unsubscribe().begin(),
                         r.resource_names_unsubscribe().end());
  for (const auto& [name, version] : r.initial_resource_versions())
    out.initial_resource_versions.emplace(name, version);
  out.response_nonce = r.response_nonce();
  out.has_error = r.has_error_detail();
  if (out.has_error)
    out.error_message = r.error_detail().message();
  return out;
}

delta_response_proto to_proto(const delta_response& r, std::string_view type_url) {
  delta_response_proto out;
  out.set_type_url(std::string{type_url});
  out.set_nonce(r.nonce);
  out.set_system_version_info(r.system_version);
  for (const auto& e : r.resources) {
    auto* res = out.add_resources();
    res->set_name(e->name);
    res->set_version(e->version);
    for (const auto& a : e->aliases)
      res->add_aliases(a);
    res->mutable_resource()->set_type_url(std::string{type_url});
    res->mutable_resource()->set_value(e->bytes);
  }
  for (const auto& n : r.removed)
    out.add_removed_resources(n);
  return out;
}

} // namespace ambient::xds
