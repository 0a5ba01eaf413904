#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

/// The short names of Boost.Asio and Boost.Beast that the HTTP servers (admin/ and sim/) write,
/// spelled once: a server's file says `using namespace base::net_names;`.
namespace ambient::base::net_names {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

} // namespace ambient::base::net_names
