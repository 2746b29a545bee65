// Engine: parsing, context selection (range by giaddr or interface), dispatch, and the DHCP
// address lifecycle (RFC 2131 §4.3). Proxy and boot server replies are in engine_pxe.cpp.
#include "proto/dhcp/engine.h"

#include "base/text.h"
#include "proto/dhcp/engine_context.h"
#include "proto/dhcp/hostname.h"
#include "proto/dhcp/reply.h"

namespace pxe::proto::dhcp {

namespace wd = wire::dhcp;


Engine::Engine(config::DhcpSettings settings) : s_(std::move(settings)) { alloc_.configure(s_); }


void Engine::on_datagram(ByteSpan payload, const DatagramMeta& meta, Timestamp now, Actions& out) {
  ++counters_.received;
  tick(now, out);
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
  // §4.2: a client is known by its identifier (61), else by chaddr. A DISCOVER or REQUEST
  // without 61 from hardware whose binding was made with one is that machine at its next boot
  // stage (syslinux.efi asks again without the firmware's 61): it is given that binding, not a
  // NAK for "address in use" (dnsmasq 2.90 does the same, uefi-syslinux-menu.pcap). A DECLINE or
  // RELEASE still has to come from the binding's own client: a chaddr alone ends nothing.
  bool asks_for_address = *type == wd::MessageType::Discover || *type == wd::MessageType::Request;
  if (asks_for_address && !m.client_id() && c.client.key.rfind("mac:", 0) == 0 && !leases_.find_client(c.client.key))
    if (const Lease* l = leases_.find_identified_by_mac(c.client.mac)) c.client.key = l->client_key;
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
  if (auto h = m.hostname()) {
    // Client-chosen text: only a legal host name reaches the database, the logs and option 12.
    if (auto legal = legal_hostname(*h)) {
      c.hostname = std::move(*legal);
    } else {
      ++counters_.hostnames_dropped;
      log(out, LogLevel::Debug, [&] {
        return fmt_xid(m.xid) + " " + c.client.mac.str() + " host name \"" + log_safe(*h, 64) + "\" ignored: not legal";
      });
    }
  }
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
  // A short hold in memory keeps other DISCOVERs off the address; no row is written. A dhcp-host
  // address needs none (the configuration reserves it) and must never be taken as an offer.
  if (!bound && !c.has_host_address()) alloc_.hold(c.client.key, *ip, c.now + kOfferHold, false);
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
  // Before the client's own record: an expired or released binding taken up again is a new one.
  if (lease_limit_reached(c)) return {Verdict::Nak, "no leases left"};
  const Lease* l = leases_.find_client(c.client.key);
  if (l && l->ip == ip && l->state != LeaseState::Declined) return {Verdict::Ack, {}};
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
    // SELECTING another server's offer: ours is free again.
    alloc_.drop_client(c.client.key);
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
  // The binding replaces the client's offer and any other client's offer on the address (which
  // that client's REQUEST will find bound: NAK, and it starts again).
  alloc_.drop_client(c.client.key);
  alloc_.drop_ip(ip);
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

}  // namespace pxe::proto::dhcp
