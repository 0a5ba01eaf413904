#include "xds/ads_server.hpp"

#include <type_traits>

#include "xds/node_identity_check.hpp"
#include "xds/tsan_handoff.hpp"

namespace ambient::xds {

namespace {

/// Stream IDs, unique in the process (several services may feed one owner).
std::atomic<uint64_t> next_stream_id{1};

/// Where a stream is in its life; guarded by the stream's admission gate.
enum class stream_stage { admitting, open, finished };

/// What a stream and its pending verdict share: the verdict may arrive on any thread, after the
/// client has gone.
struct admission_gate {
  std::mutex mutex;
  stream_stage stage = stream_stage::admitting;
};

/// The string value of the node metadata field `key` of request `r`; empty when the request has
/// no node, or the field is absent or not a string.
template <class Request>
std::string metadata_text(const Request& r, const char* key) {
  const auto& fields = r.node().metadata().fields();
  auto it = fields.find(key);
  return it != fields.end() && it->second.has_string_value() ? it->second.string_value()
                                                             : std::string{};
}

/// The node a request claims, as the identity check reads it.
template <class Request>
node_claim claim_of(const Request& r) {
  node_claim out;
  out.id = r.node().id();
  out.namespace_ = metadata_text(r, "NAMESPACE");
  out.service_account = metadata_text(r, "SERVICE_ACCOUNT");
  return out;
}

/// One ADS stream of either protocol (gRPC owns it and deletes it in OnDone). It reads nothing
/// until its caller is authenticated, and checks the first request's node against that identity.
template <class Request, class Response>
class ads_stream final : public grpc::ServerBidiReactor<Request, Response>, public stream_writer {
public:
  static constexpr auto protocol = std::is_same_v<Request, delta_request_proto>
                                       ? stream_protocol::delta
                                       : stream_protocol::sotw;

  /// A stream that awaits its verdict (admit() delivers it).
  ads_stream(stream_event_sink sink, std::string peer)
    : id_(next_stream_id.fetch_add(1)), sink_(std::move(sink)), peer_(std::move(peer)),
      gate_(std::make_shared<admission_gate>()) {
    handoff_release(this); // OnCancel may run on another gRPC thread; it acquires `this` first
  }

  /// Delivers the verdict on the caller, on any thread, unless the client has cancelled first:
  /// a refused stream finishes with its status and is never announced; an admitted one is
  /// announced and starts reading. Calls nothing on the stream once it has left the admitting
  /// stage, so the stream may be gone by then; `gate` keeps the decision point alive.
  static void admit(ads_stream* stream, const std::shared_ptr<admission_gate>& gate,
                    caller_verdict verdict) {
    {
      std::lock_guard guard{gate->mutex};
      if (gate->stage != stream_stage::admitting)
        return;
      gate->stage = verdict.ok() ? stream_stage::open : stream_stage::finished;
    }
    // Past the gate the stream lives on: only a Finish called below or by its own reactions,
    // which need the read started below, lets OnDone run.
    stream->start(std::move(verdict));
  }

  /// The gate a pending verdict checks before touching the stream.
  std::shared_ptr<admission_gate> gate() const {
    return gate_;
  }

  /// Called with the port's mutex held; the owner guarantees one write at a time.
  void write(std::shared_ptr<const google::protobuf::Message> r) override {
    auto typed = std::static_pointer_cast<const Response>(std::move(r));
    const Response* msg = typed.get();
    {
      // Its own mutex: OnWriteDone runs on a gRPC thread (possibly inline) and must not need the
      // port's, which the owner holds here.
      std::lock_guard guard{write_mutex_};
      in_flight_ = std::move(typed);
    }
    handoff_release(&in_flight_);
    this->StartWrite(msg);
    // OnDone cannot have run: it follows Finish, which follows detaching the port this write
    // holds.
    handoff_release(this);
  }

  void OnReadDone(bool ok) override {
    handoff_acquire(&request_);
    if (!ok) { // the client closed its side, or the stream broke
      finish(grpc::Status::OK);
      return;
    }
    if (first_request_ && verdict_.authenticated) {
      if (auto why = node_identity_refusal(verdict_.identities, claim_of(request_)); !why.empty()) {
        sink_(stream_refused{peer_, why});
        finish(grpc::Status{grpc::StatusCode::PERMISSION_DENIED, why});
        return;
      }
    }
    first_request_ = false;
    if constexpr (protocol == stream_protocol::delta)
      sink_(stream_request{id_, to_delta_request(request_)});
    else
      sink_(sotw_stream_request{id_, to_sotw_request(request_)});
    request_.Clear();
    handoff_release(&request_);
    this->StartRead(&request_);
    handoff_release(this);
  }

  void OnWriteDone(bool ok) override {
    handoff_acquire(&in_flight_);
    {
      std::lock_guard guard{write_mutex_};
      in_flight_.reset();
    }
    if (ok)
      sink_(stream_written{id_});
    handoff_release(this);
  }

  /// The client went away: a stream still awaiting its verdict has no operation that would end
  /// it, so it finishes here (an open one ends through its failed read).
  void OnCancel() override {
    handoff_acquire(this);
    bool admitting = false;
    {
      std::lock_guard guard{gate_->mutex};
      admitting = gate_->stage == stream_stage::admitting;
      if (admitting)
        gate_->stage = stream_stage::finished;
    }
    handoff_release(this); // OnDone waits for this reaction to return
    if (admitting)
      this->Finish(grpc::Status::CANCELLED); // `this` may be gone after it
  }

  void OnDone() override {
    // Every operation has completed by now: whatever any of them started is visible.
    handoff_acquire(this);
    handoff_acquire(&request_);
    handoff_acquire(&in_flight_);
    if (port_) {
      port_->attach(nullptr);
      sink_(stream_closed{id_});
    }
    delete this;
  }

private:
  /// Acts on the verdict admit() let through.
  void start(caller_verdict verdict) {
    if (!verdict.ok()) {
      sink_(stream_refused{peer_, verdict.reason});
      handoff_release(this);
      this->Finish(grpc::Status{verdict.code, verdict.reason});
      return; // `this` may be gone: OnDone can run as soon as Finish is called
    }
    verdict_ = std::move(verdict);
    port_ = std::make_shared<stream_port>();
    port_->attach(this);
    sink_(stream_opened{id_, port_, peer_, protocol});
    handoff_release(&request_);
    handoff_release(this);
    this->StartRead(&request_);
  }

  /// Ends an open stream from one of its reactions.
  void finish(const grpc::Status& status) {
    // Detached first: no write may start once Finish is called.
    port_->attach(nullptr);
    this->Finish(status);
    handoff_release(this); // OnDone waits for this reaction to return
  }

  uint64_t id_ = 0;
  stream_event_sink sink_;
  std::string peer_;
  std::shared_ptr<admission_gate> gate_;
  caller_verdict verdict_;
  bool first_request_ = true;
  std::shared_ptr<stream_port> port_; ///< null until admitted
  Request request_;
  std::mutex write_mutex_;
  std::shared_ptr<const Response> in_flight_; ///< kept alive until written
};

using delta_stream = ads_stream<delta_request_proto, delta_response_proto>;
using sotw_stream = ads_stream<sotw_request_proto, sotw_response_proto>;

/// Copies what ACK/NACK handling reads, the same in both request protos: the nonce answered and
/// the error detail of a NACK.
template <class Proto, class Request>
void read_ack(const Proto& r, Request& out) {
  out.response_nonce = r.response_nonce();
  out.has_error = r.has_error_detail();
  if (out.has_error)
    out.error_message = r.error_detail().message();
}

/// Creates the stream and starts deciding on its caller; the verdict may come later, on any
/// thread, and is dropped if the stream has ended by then.
template <class Stream>
Stream* start_stream(const stream_event_sink& sink,
                     const std::optional<caller_authenticator>& authenticator,
                     grpc::CallbackServerContext* context) {
  auto* stream = new Stream(sink, context->peer());
  auto gate = stream->gate();
  if (!authenticator) {
    Stream::admit(stream, gate, caller_verdict{});
    return stream;
  }
  authenticator->authenticate(credentials_of(*context), [stream, gate](caller_verdict v) {
    Stream::admit(stream, gate, std::move(v));
  });
  return stream;
}

} // namespace

ads_service::ads_service(stream_event_sink sink, std::optional<caller_authenticator> authenticator)
  : sink_(std::move(sink)), authenticator_(std::move(authenticator)) {
  // nop
}

grpc::ServerBidiReactor<delta_request_proto, delta_response_proto>*
ads_service::DeltaAggregatedResources(grpc::CallbackServerContext* context) {
  return start_stream<delta_stream>(sink_, authenticator_, context);
}

grpc::ServerBidiReactor<sotw_request_proto, sotw_response_proto>*
ads_service::StreamAggregatedResources(grpc::CallbackServerContext* context) {
  return start_stream<sotw_stream>(sink_, authenticator_, context);
}

delta_request to_delta_request(const delta_request_proto& r) {
  delta_request out;
  out.type_url = r.type_url();
  out.subscribe.assign(r.resource_names_subscribe().begin(), r.resource_names_subscribe().end());
  out.unsubscribe.assign(r.resource_names_unsubscribe().begin(),
                         r.resource_names_unsubscribe().end());
  for (const auto& [name, version] : r.initial_resource_versions())
    out.initial_resource_versions.emplace(name, version);
  out.node_name = metadata_text(r, "NODE_NAME");
  read_ack(r, out);
  return out;
}

sotw_request to_sotw_request(const sotw_request_proto& r) {
  sotw_request out;
  out.type_url = r.type_url();
  out.version_info = r.version_info();
  out.resource_names.assign(r.resource_names().begin(), r.resource_names().end());
  read_ack(r, out);
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
    if (r.with_aliases)
      for (const auto& a : e->aliases)
        res->add_aliases(a);
    res->mutable_resource()->set_type_url(std::string{type_url});
    res->mutable_resource()->set_value(e->bytes);
  }
  for (const auto& n : r.removed)
    out.add_removed_resources(n);
  return out;
}

sotw_response_proto to_proto(const sotw_response& r, std::string_view type_url) {
  sotw_response_proto out;
  out.set_type_url(std::string{type_url});
  out.set_version_info(r.version_info);
  out.set_nonce(r.nonce);
  for (const auto& e : r.resources) {
    auto* any = out.add_resources();
    any->set_type_url(std::string{type_url});
    any->set_value(e->bytes);
  }
  return out;
}

} // namespace ambient::xds
