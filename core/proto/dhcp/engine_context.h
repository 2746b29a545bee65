// Internal to the engine (engine.cpp, engine_pxe.cpp): one request being answered.
#pragma once

#include <string>

#include "proto/dhcp/engine.h"

namespace pxe::proto::dhcp {

namespace wd = wire::dhcp;

struct Engine::Context {
  const wd::Message& req;
  const DatagramMeta& meta;
  Timestamp now;
  Client client;
  Tags tags;
  const config::DhcpRange* range = nullptr;
  Ipv4 server;   // our address on the client's link: option 54, default siaddr
  Ipv4 netmask;  // the client's subnet
  std::string hostname;

  bool in_network(Ipv4 ip) const {
    return (ip.value & netmask.value) == (range->start.value & netmask.value);
  }
  // In the dynamic pool (a `static` range has none).
  bool in_range(Ipv4 ip) const { return !range->static_only && ip >= range->start && ip <= range->end; }
  bool has_host_address() const { return client.host && client.host->ip; }
  std::uint32_t lease_s() const {
    return client.host && client.host->lease_s ? *client.host->lease_s : range->lease_s;
  }
  std::string where() const { return "(" + meta.iface.name + ")"; }
};

}  // namespace pxe::proto::dhcp
