// Engine: the lease lifecycle around the address choice: restoring and reloading, time passing,
// dhcp-lease-max, and the messages that end a binding (DECLINE §4.3.3, RELEASE §4.3.4) or need
// none (INFORM §4.3.5).
#include "proto/dhcp/engine_context.h"
#include "proto/dhcp/reply.h"

namespace pxe::proto::dhcp {

void Engine::restore(const std::vector<Lease>& leases) {
  leases_.restore(leases);
  leases_.vacated().clear();
}

void Engine::reload(config::DhcpSettings settings) {
  // Probes waiting keep their datagram, not pointers into the settings: nothing else refers to
  // the old settings once a datagram has been handled.
  s_ = std::move(settings);
  alloc_.configure(s_);
}

void Engine::return_vacated() {
  for (Ipv4 ip : leases_.vacated()) alloc_.freed(ip);
  leases_.vacated().clear();
}

void Engine::tick(Timestamp now, Actions& out) {
  leases_.expire(now, out.lease_changes);
  alloc_.expire(now);
  return_vacated();
}

void Engine::on_timer(Timestamp now, Actions& out) {
  tick(now, out);
  while (!probe_order_.empty() && now - probe_order_.front().second > kProbeForget) {
    end_probe(probe_order_.front().first);
    probe_order_.pop_front();
  }
  while (!probed_order_.empty() && now - probed_order_.front().second > kProbedFreeFor) {
    auto [ip, at] = probed_order_.front();
    probed_order_.pop_front();
    if (auto f = probed_free_.find(ip); f != probed_free_.end() && f->second == at) probed_free_.erase(f);
  }
}

// dhcp-lease-max: a client that holds no binding gets nothing once that many are bound. Offers
// are not counted (they write nothing and last seconds), so a DISCOVER flood cannot use it up.
bool Engine::lease_limit_reached(const Context& c) const {
  if (!s_.lease_max) return false;
  const Lease* l = leases_.find_client(c.client.key);
  bool holding = l && l->state == LeaseState::Bound && l->expires > c.now;
  return !holding && leases_.bound() >= *s_.lease_max;
}

// Kea's rule for DECLINE and RELEASE: acted on only when the message names us (option 54),
// the address is one we serve, and its lease belongs to the sender. Anything else (a spoofed
// chaddr, a message meant for another server, a stale address) changes nothing.
namespace {

const char* foreign_reason(std::optional<Ipv4> sid, Ipv4 server, bool served, const Lease* l,
                           const std::string& key) {
  if (!sid) return "no server id";
  if (*sid != server) return "for another server";
  if (!served) return "address not served here";
  if (!l || l->client_key != key || l->state != LeaseState::Bound) return "lease not the sender's";
  return nullptr;
}

}  // namespace

void Engine::on_decline(Context& c, Actions& out) {
  auto ip = c.req.requested_ip().value_or(Ipv4());
  bool served = c.in_network(ip) && (c.in_range(ip) || alloc_.host_of(ip));
  const Lease* l = leases_.find_ip(ip);
  if (const char* why = foreign_reason(c.req.server_id(), c.server, served, l, c.client.key)) {
    ++counters_.declines_ignored;
    log(out, LogLevel::Debug, [&] {
      return "DHCPDECLINE" + c.where() + " " + ip.str() + " " + c.client.mac.str() + " ignored: " + why;
    });
    return;
  }
  log(out, LogLevel::Warn, [&] { return "DHCPDECLINE" + c.where() + " " + ip.str() + " " + c.client.mac.str(); });
  // §4.3.3: the address is in use by someone else; do not hand it out for a while. The hold
  // replaces the client's binding.
  leases_.put({"declined:" + ip.str(), Mac{}, ip, {}, c.now + kDeclineHold, LeaseState::Declined},
              out.lease_changes);
  ++counters_.declines;
}

void Engine::on_release(Context& c, Actions& out) {
  Ipv4 ip = c.req.ciaddr;
  bool served = c.in_network(ip) && (c.in_range(ip) || alloc_.host_of(ip));
  const Lease* l = leases_.find_ip(ip);
  if (const char* why = foreign_reason(c.req.server_id(), c.server, served, l, c.client.key)) {
    ++counters_.releases_ignored;
    log(out, LogLevel::Debug, [&] {
      return "DHCPRELEASE" + c.where() + " " + ip.str() + " " + c.client.mac.str() + " ignored: " + why;
    });
    return;
  }
  log(out, LogLevel::Info, [&] { return "DHCPRELEASE" + c.where() + " " + ip.str() + " " + c.client.mac.str(); });
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
