// Engine: parsing, context selection (range by giaddr or interface), dispatch, and the DHCP
// address lifecycle (RFC 2131 §4.3). Proxy and boot server replies are in engine_pxe.cpp.
#include "proto/dhcp/engine.h"

#include "proto/dhcp/engine_context.h"
#include "proto/dhcp/reply.h"

namespace pxe::proto::dhcp {

namespace wd = wire::dhcp;


Engine::Engine(config::DhcpSettings settings) : s_(std::move(settings)) {}


void Engine::on_datagram(ByteSpan payload, const DatagramMeta& meta, Timestamp now, Actions& out) {
  ++counters_.received;
  payload_ = payload;
  auto parsed = wd::parse(payload);
  if (!parsed) {
    ++counters_.malformed;
    out.log.push_back({LogLevel::Warn, "malformed DHCP packet(" + meta.iface.name + ") from " + meta.src_ip.str() +
                                           ": " + parsed.error().what + " at offset " +
                                           std::to_string(parsed.error().offset)});
    return;
  }
  const wd::Message& m = *parsed;
  auto type = m.message_type();
  if (m.op != std::uint8_t(wd::Op::Request) || !m.has_cookie || !type || m.hlen > 16) {
    ++counters_.ignored;  // replies from other servers, plain BOOTP
    return;
  }
  Context c{m, meta, now, classify_client(m, s_), {}, nullptr, meta.iface.address, {}, {}};
  if (c.client.host && c.client.host->ignore) {
    ++counters_.ignored;
    log(out, LogLevel::Info, [&] { return "DHCPDISCOVER" + c.where() + " " + c.client.mac.str() + " ignored"; });
    return;
  }
  c.tags = base_tags(m, c.client, s_, meta.iface.name);
  // The client's link: the relay's address, else the receiving interface's (§4.3.1).
  Ipv4 link = m.giaddr.is_zero() ? meta.iface.address : m.giaddr;
  for (const auto& r : s_.ranges) {
    if (!tags_match(r.tags, c.tags)) continue;
    Ipv4 mask = !r.netmask.is_zero() ? r.netmask
                : (m.giaddr.is_zero() && !meta.iface.netmask.is_zero()) ? meta.iface.netmask
                                                                        : Ipv4(255, 255, 255, 0);
    if ((r.start.value & mask.value) == (link.value & mask.value)) {
      c.range = &r;
      c.netmask = mask;
      break;
    }
  }
  if (meta.local_port == s_.boot_server_port) {
    finish_tags(c.tags, c.range, s_);
    on_boot_server(c, out);
    return;
  }
  if (!c.range) {
    ++counters_.ignored;
    log(out, LogLevel::Info, [&] {
      return "DHCPPACKET" + c.where() + " no address range available for DHCP request via " +
             (m.giaddr.is_zero() ? meta.iface.name : m.giaddr.str());
    });
    return;
  }
  finish_tags(c.tags, c.range, s_);
  if (auto h = m.hostname()) c.hostname = *h;
  if (c.client.host && !c.client.host->hostname.empty()) c.hostname = c.client.host->hostname;
  if (s_.log_dhcp) {
    std::string t;
    for (const auto& tag : c.tags) t += (t.empty() ? "" : ", ") + tag;
    log(out, LogLevel::Debug, [&] { return fmt_xid(m.xid) + " tags: " + t; });
  }
  if (c.range->proxy) {
    on_proxy(c, out);
    return;
  }
  switch (*type) {
    case wd::MessageType::Discover: on_discover(c, out); break;
    case wd::MessageType::Request: on_request(c, out); break;
    case wd::MessageType::Decline: on_decline(c, out); break;
    case wd::MessageType::Release: on_release(c, out); break;
    case wd::MessageType::Inform: on_inform(c, out); break;
    default: ++counters_.ignored; break;
  }
}

void Engine::on_timer(Timestamp now, Actions& out) {
  leases_.expire(now, out.lease_changes);
  std::erase_if(probing_, [&](const auto& p) { return now - p.second.since > kProbeForget; });
  std::erase_if(probed_free_, [&](const auto& p) { return now - p.second > kOfferHold; });
}

bool Engine::reserved_for_other_host(Ipv4 ip, const Client& client) const {
  for (const auto& h : s_.hosts)
    if (h.ip && *h.ip == ip && &h != client.host) return true;
  return false;
}

// dhcp-lease-max: a client that holds nothing yet gets nothing once the limit is reached.
bool Engine::lease_limit_reached(const Context& c) const {
  if (!s_.lease_max) return false;
  const Lease* l = leases_.find_client(c.client.key);
  bool holding = l && (l->state == LeaseState::Offered || l->state == LeaseState::Bound) && l->expires > c.now;
  return !holding && leases_.held(c.now) >= *s_.lease_max;
}

// Ping check (dnsmasq's, without blocking): a pool address new to the client is reserved and
// probed; the DISCOVER is answered when the probe's result comes back (on_probe_result).
bool Engine::wait_for_probe(Context& c, ByteSpan payload, Ipv4 ip, Actions& out) {
  if (!s_.ping_check || c.has_host_address()) return false;
  const Lease* cur = leases_.find_client(c.client.key);
  if (cur && cur->ip == ip && (cur->state == LeaseState::Bound || cur->state == LeaseState::Released)) return false;
  if (auto it = probed_free_.find(ip.value); it != probed_free_.end() && c.now - it->second <= kOfferHold) return false;
  for (const auto& [id, w] : probing_)
    if (w.ip == ip) return true;  // a retransmission: the probe already running answers it
  if (probing_.size() >= kMaxProbes) {
    ++counters_.ignored;
    log(out, LogLevel::Warn,
        [&] { return "DHCPDISCOVER" + c.where() + " " + c.client.mac.str() + " dropped: too many ping checks"; });
    return true;
  }
  // Reserved while probing, so that other clients are given other addresses.
  leases_.put({c.client.key, c.client.mac, ip, c.hostname, c.now + kOfferHold, LeaseState::Offered},
              out.lease_changes);
  std::uint64_t id = next_probe_++;
  probing_[id] = {Bytes(payload.begin(), payload.end()), c.meta, ip, c.now};
  out.probes.push_back({id, ip, c.meta.iface.name});
  ++counters_.probes;
  log(out, LogLevel::Debug,
      [&] { return fmt_xid(c.req.xid) + " ping check " + ip.str() + " for " + c.client.mac.str(); });
  return true;
}

void Engine::on_probe_result(std::uint64_t id, bool answered, Timestamp now, Actions& out) {
  auto it = probing_.find(id);
  if (it == probing_.end()) return;
  WaitingDiscover w = std::move(it->second);
  probing_.erase(it);
  if (answered) {
    // In use by a host we do not know: held like a DECLINE (§4.3.3), then the client is offered
    // (and the check runs for) another address.
    ++counters_.probes_answered;
    log(out, LogLevel::Warn,
        [&] { return "DHCPDISCOVER(" + w.meta.iface.name + ") " + w.ip.str() + " in use (answered a ping)"; });
    leases_.put({"in-use:" + w.ip.str(), Mac{}, w.ip, {}, now + kDeclineHold, LeaseState::Declined},
                out.lease_changes);
  } else {
    probed_free_[w.ip.value] = now;
  }
  after_probe_ = true;
  on_datagram(w.payload, w.meta, now, out);
  after_probe_ = false;
}

// §4.3.1: a dhcp-host address, else the client's current or previous binding, else the
// requested address, else a free one from the pool.
std::optional<Ipv4> Engine::choose_address(Context& c) {
  const auto& key = c.client.key;
  if (c.has_host_address()) {
    Ipv4 ip = *c.client.host->ip;
    if (c.in_network(ip) && leases_.available(ip, key, c.now)) return ip;
    return std::nullopt;
  }
  if (c.range->static_only) return std::nullopt;  // dhcp-range=...,static: dhcp-host addresses only
  auto usable = [&](Ipv4 ip) {
    return c.in_range(ip) && ip != c.server && leases_.available(ip, key, c.now) &&
           !reserved_for_other_host(ip, c.client);
  };
  if (const Lease* l = leases_.find_client(key); l && l->state != LeaseState::Declined && usable(l->ip))
    return l->ip;
  if (auto want = c.req.requested_ip(); want && usable(*want)) return *want;
  return leases_.allocate(c.range->start, c.range->end, key, c.now,
                          [&](Ipv4 ip) { return ip == c.server || reserved_for_other_host(ip, c.client); });
}

void Engine::on_discover(Context& c, Actions& out) {
  auto want = c.req.requested_ip();
  if (!after_probe_)
    log(out, LogLevel::Info,
        [&] { return "DHCPDISCOVER" + c.where() + " " + (want ? want->str() + " " : "") + c.client.mac.str(); });
  if (lease_limit_reached(c)) {
    log(out, LogLevel::Warn,
        [&] { return "DHCPDISCOVER" + c.where() + " " + c.client.mac.str() + " no leases left (dhcp-lease-max)"; });
    return;
  }
  auto ip = choose_address(c);
  if (!ip) {
    log(out, LogLevel::Warn,
        [&] { return "DHCPDISCOVER" + c.where() + " " + c.client.mac.str() + " no address available"; });
    return;
  }
  if (wait_for_probe(c, payload_, *ip, out)) return;
  const Lease* cur = leases_.find_client(c.client.key);
  bool bound = cur && cur->ip == *ip && cur->state == LeaseState::Bound && cur->expires > c.now;
  if (!bound) {  // reserve the address for the offer, persisted before the OFFER goes out
    leases_.put({c.client.key, c.client.mac, *ip, c.hostname, c.now + kOfferHold, LeaseState::Offered},
                out.lease_changes);
  }
  auto b = start_reply(c.req, wd::MessageType::Offer, c.server);
  b.yiaddr(*ip);
  add_lease_times(b, c.lease_s());
  std::vector<std::uint8_t> optional;
  add_configured_options(b, c.req, c.tags, s_, c.server, c.netmask, *ip, c.hostname, optional);
  add_boot_fields(c, b);
  ++counters_.offers;
  send(c, b, optional, out);
  log(out, LogLevel::Info, [&] { return "DHCPOFFER" + c.where() + " " + ip->str() + " " + c.client.mac.str(); });
}

Engine::Verdict Engine::judge_request(Context& c, Ipv4 ip, bool selecting) {
  if (!c.in_network(ip)) return {Verdict::Nak, "wrong network"};
  if (!leases_.available(ip, c.client.key, c.now) || reserved_for_other_host(ip, c.client))
    return {Verdict::Nak, "address in use"};
  if (c.has_host_address() && *c.client.host->ip != ip) return {Verdict::Nak, "wrong address"};
  if (c.range->static_only && !c.has_host_address()) return {Verdict::Nak, "no static address"};
  const Lease* l = leases_.find_client(c.client.key);
  if (l && l->ip == ip && l->state != LeaseState::Declined) return {Verdict::Ack, {}};
  if (lease_limit_reached(c)) return {Verdict::Nak, "no leases left"};
  bool ours = c.in_range(ip) || c.has_host_address();
  if (!ours) return {Verdict::Nak, "address not available"};
  if (l && l->ip != ip && l->state == LeaseState::Bound && l->expires > c.now) return {Verdict::Nak, "wrong address"};
  // No record (INIT-REBOOT, RENEWING): RFC 2131 §4.3.2 says stay silent unless authoritative.
  if (selecting || s_.authoritative) return {Verdict::Ack, {}};
  return {Verdict::Silent, {}};
}

void Engine::on_request(Context& c, Actions& out) {
  auto sid = c.req.server_id();
  auto want = c.req.requested_ip();
  if (sid && *sid != c.server) {
    // SELECTING another server's offer: our reservation is free again.
    const Lease* l = leases_.find_client(c.client.key);
    if (l && l->state == LeaseState::Offered) leases_.erase(c.client.key, out.lease_changes);
    log(out, LogLevel::Debug,
        [&] { return "DHCPREQUEST" + c.where() + " " + c.client.mac.str() + " for server " + sid->str(); });
    return;
  }
  Ipv4 ip = want ? *want : c.req.ciaddr;
  log(out, LogLevel::Info, [&] { return "DHCPREQUEST" + c.where() + " " + ip.str() + " " + c.client.mac.str(); });
  if (ip.is_zero()) {
    nak(c, "no address requested", out);
    return;
  }
  auto v = judge_request(c, ip, sid.has_value());
  if (v.kind == Verdict::Ack) ack(c, ip, out);
  else if (v.kind == Verdict::Nak) nak(c, v.why, out);
  else ++counters_.ignored;
}

void Engine::ack(Context& c, Ipv4 ip, Actions& out) {
  std::uint32_t lease_s = c.lease_s();
  Timestamp expires = lease_s == config::kInfiniteLease ? kNever : c.now + std::chrono::seconds(lease_s);
  leases_.put({c.client.key, c.client.mac, ip, c.hostname, expires, LeaseState::Bound}, out.lease_changes);
  auto b = start_reply(c.req, wd::MessageType::Ack, c.server);
  b.yiaddr(ip);
  add_lease_times(b, lease_s);
  std::vector<std::uint8_t> optional;
  add_configured_options(b, c.req, c.tags, s_, c.server, c.netmask, ip, c.hostname, optional);
  add_boot_fields(c, b);
  ++counters_.acks;
  send(c, b, optional, out);
  log(out, LogLevel::Info, [&] { return "DHCPACK" + c.where() + " " + ip.str() + " " + c.client.mac.str() +
                               (c.hostname.empty() ? "" : " " + c.hostname); });
}

void Engine::nak(Context& c, const std::string& why, Actions& out) {
  auto b = start_reply(c.req, wd::MessageType::Nak, c.server);
  b.option_str(wd::opt::kMessage, why);
  if (!c.req.giaddr.is_zero()) b.broadcast(true);  // §4.3.2: NAK via a relay sets the B flag
  ++counters_.naks;
  send(c, b, {}, out);
  Ipv4 ip = c.req.requested_ip().value_or(c.req.ciaddr);
  log(out, LogLevel::Info,
      [&] { return "DHCPNAK" + c.where() + " " + ip.str() + " " + c.client.mac.str() + " " + why; });
}

void Engine::on_decline(Context& c, Actions& out) {
  auto sid = c.req.server_id();
  auto ip = c.req.requested_ip();
  if ((sid && *sid != c.server) || !ip) return;
  log(out, LogLevel::Warn, [&] { return "DHCPDECLINE" + c.where() + " " + ip->str() + " " + c.client.mac.str(); });
  const Lease* l = leases_.find_client(c.client.key);
  if (l && l->ip == *ip) leases_.erase(c.client.key, out.lease_changes);
  // §4.3.3: the address is in use by someone else; do not hand it out for a while.
  leases_.put({"declined:" + ip->str(), Mac{}, *ip, {}, c.now + kDeclineHold, LeaseState::Declined},
              out.lease_changes);
  ++counters_.declines;
}

void Engine::on_release(Context& c, Actions& out) {
  Ipv4 ip = c.req.ciaddr;
  log(out, LogLevel::Info, [&] { return "DHCPRELEASE" + c.where() + " " + ip.str() + " " + c.client.mac.str(); });
  const Lease* l = leases_.find_client(c.client.key);
  if (!l || l->ip != ip) return;
  // §4.3.4: the address is free, the record stays so the client gets it back.
  Lease released = *l;
  released.state = LeaseState::Released;
  released.expires = c.now;
  leases_.put(released, out.lease_changes);
  ++counters_.releases;
}

void Engine::on_inform(Context& c, Actions& out) {
  Ipv4 ip = c.req.ciaddr;
  log(out, LogLevel::Info, [&] { return "DHCPINFORM" + c.where() + " " + ip.str() + " " + c.client.mac.str(); });
  // §4.3.5: no lease time, no yiaddr; sent to ciaddr.
  auto b = start_reply(c.req, wd::MessageType::Ack, c.server);
  std::vector<std::uint8_t> optional;
  add_configured_options(b, c.req, c.tags, s_, c.server, c.netmask, ip, {}, optional);
  add_boot_fields(c, b);
  ++counters_.informs;
  send(c, b, optional, out);
  log(out, LogLevel::Info, [&] { return "DHCPACK" + c.where() + " " + ip.str() + " " + c.client.mac.str(); });
}

}  // namespace pxe::proto::dhcp
