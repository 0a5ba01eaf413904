#include "actors/request_slot.hpp"

#include <caf/all.hpp>

#include "messages/type_ids.hpp"

namespace ambient::actors {

request_slot::request_slot(std::shared_ptr<kube::transport> transport,
                           kube::transport::client_id client)
  : transport_(std::move(transport)), client_(client) {}

request_slot::~request_slot() {
  cancel();
}

void request_slot::start(const caf::actor& owner, std::string method, std::string path,
                         std::string body, bool stream) {
  cancel();
  auto ticket = ++ticket_;
  kube::transport::data_fn on_data;
  if (stream)
    on_data = [owner, ticket](std::string_view chunk) {
      caf::anon_send(owner, messages::watch_data{ticket, std::string{chunk}});
    };
  open_ = transport_->start(client_, std::move(method), std::move(path), std::move(body),
                            std::move(on_data), [owner, ticket](kube::response_end end) {
                              caf::anon_send(owner, messages::api_response{ticket, std::move(end)});
                            });
}

void request_slot::cancel() {
  if (open_ != 0 && transport_)
    transport_->cancel(open_);
  open_ = 0;
  ++ticket_; // answers of the abandoned request are dropped from now on
}

bool request_slot::take(uint64_t ticket) {
  if (!current(ticket))
    return false;
  open_ = 0;
  ++ticket_;
  return true;
}

} // namespace ambient::actors
