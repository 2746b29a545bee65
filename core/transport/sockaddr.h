// IPv4 socket addresses to and from Endpoint, and an Error from errno: the small pieces every
// socket in core/transport needs (udp, tcp, the DHCP socket). Internal to the transports.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/result.h"
#include "transport/udp.h"

namespace pxe::transport::detail {

inline sockaddr_in to_sockaddr(const Endpoint& e) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(e.addr.value);
  sa.sin_port = htons(e.port);
  return sa;
}

inline Endpoint from_sockaddr(const sockaddr_in& sa) {
  return Endpoint{Ipv4(ntohl(sa.sin_addr.s_addr)), ntohs(sa.sin_port)};
}

// "WHAT: <strerror(errno)>"; read errno before anything else can change it.
inline Error errno_error(const std::string& what) { return make_error(what + ": " + std::strerror(errno)); }

}  // namespace pxe::transport::detail
