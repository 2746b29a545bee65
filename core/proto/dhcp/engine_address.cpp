// Engine: choosing an address (RFC 2131 §4.3.1) and the ping check that may come before it is
// offered.
#include "proto/dhcp/engine_context.h"

namespace pxe::proto::dhcp {

bool Engine::reserved_for_other_host(Ipv4 ip, const Client& client) const {
  auto h = alloc_.host_of(ip);
  return h && &s_.hosts[*h] != client.host;
}

bool Engine::free_for(Context& c, Ipv4 ip) const {
  return ip != c.server && leases_.available(ip, c.client.key, c.now) &&
         !alloc_.offered_to_other(ip, c.client.key, c.now) && !reserved_for_other_host(ip, c.client);
}

// §4.3.1: a dhcp-host address, else the client's current or previous binding (or the address
// it was just offered), else the requested address, else a free one from the pool, else the
// pool's oldest outstanding offer. Each step is a constant number of table look-ups.
std::optional<Ipv4> Engine::choose_address(Context& c) {
  const auto& key = c.client.key;
  if (c.has_host_address()) {
    Ipv4 ip = *c.client.host->ip;
    if (c.in_network(ip) && leases_.available(ip, key, c.now)) return ip;
    return std::nullopt;
  }
  if (c.range->static_only) return std::nullopt;  // dhcp-range=...,static: dhcp-host addresses only
  auto usable = [&](Ipv4 ip) { return c.in_range(ip) && free_for(c, ip); };
  if (const Lease* l = leases_.find_client(key); l && l->state != LeaseState::Declined && usable(l->ip))
    return l->ip;
  if (auto mine = alloc_.offer_of(key); mine && usable(*mine)) return *mine;
  if (auto want = c.req.requested_ip(); want && usable(*want)) return *want;
  Pool* pool = alloc_.pool_for(c.range->start, c.range->end);
  if (!pool) return std::nullopt;
  if (auto ip = pool->take(usable)) return ip;
  // Nothing free: an offer is a promise of seconds, a real client must not wait behind it.
  auto taken = alloc_.take_oldest_offer(*pool, key);
  if (taken && usable(*taken)) return taken;
  return std::nullopt;
}

// Ping check (dnsmasq's, without blocking): a pool address new to the client is reserved (in
// memory) and probed; the DISCOVER is answered when the probe's result comes back.
bool Engine::wait_for_probe(Context& c, ByteSpan payload, Ipv4 ip, Actions& out) {
  if (!s_.ping_check || c.has_host_address()) return false;
  const Lease* cur = leases_.find_client(c.client.key);
  if (cur && cur->ip == ip && (cur->state == LeaseState::Bound || cur->state == LeaseState::Released)) return false;
  if (auto it = probed_free_.find(ip.value); it != probed_free_.end() && c.now - it->second <= kProbedFreeFor)
    return false;
  if (probing_ip_.contains(ip.value)) return true;  // a retransmission: the probe already running answers it
  if (probing_.size() >= kMaxProbes) {
    ++counters_.ignored;
    log(out, LogLevel::Warn,
        [&] { return "DHCPDISCOVER" + c.where() + " " + c.client.mac.str() + " dropped: too many ping checks"; });
    return true;
  }
  // Reserved while probing, so that other clients are given other addresses.
  alloc_.hold(c.client.key, ip, kNever, true);
  std::uint64_t id = next_probe_++;
  probing_[id] = {Bytes(payload.begin(), payload.end()), c.meta, ip, c.now};
  probing_ip_[ip.value] = id;
  probe_order_.push_back({id, c.now});
  out.probes.push_back({id, ip, c.meta.iface.name});
  ++counters_.probes;
  log(out, LogLevel::Debug,
      [&] { return fmt_xid(c.req.xid) + " ping check " + ip.str() + " for " + c.client.mac.str(); });
  return true;
}

void Engine::end_probe(std::uint64_t id) {
  auto it = probing_.find(id);
  if (it == probing_.end()) return;
  Ipv4 ip = it->second.ip;
  probing_ip_.erase(ip.value);
  if (const auto* o = alloc_.offer_on(ip); o && o->probing) alloc_.drop_ip(ip);
  probing_.erase(it);
}

void Engine::on_probe_result(std::uint64_t id, bool answered, Timestamp now, Actions& out) {
  auto it = probing_.find(id);
  if (it == probing_.end()) return;
  WaitingDiscover w = std::move(it->second);
  // The reservation becomes the client's offer when the DISCOVER is answered again below.
  const auto* o = alloc_.offer_on(w.ip);
  std::string holder = o && o->probing ? o->client_key : std::string();
  end_probe(id);
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
    probed_order_.push_back({w.ip.value, now});
    while (probed_order_.size() > kMaxProbedFree) {
      auto [ip, at] = probed_order_.front();
      probed_order_.pop_front();
      if (auto f = probed_free_.find(ip); f != probed_free_.end() && f->second == at) probed_free_.erase(f);
    }
    // Kept for the same client while its DISCOVER is answered.
    if (!holder.empty()) alloc_.hold(holder, w.ip, now + kOfferHold, false);
  }
  after_probe_ = true;
  on_datagram(w.payload, w.meta, now, out);
  after_probe_ = false;
}

}  // namespace pxe::proto::dhcp
