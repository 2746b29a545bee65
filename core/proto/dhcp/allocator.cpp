#include "proto/dhcp/allocator.h"

namespace pxe::proto::dhcp {

void Allocator::configure(const config::DhcpSettings& s) {
  std::vector<Pool> pools;
  for (const auto& r : s.ranges) {
    if (r.proxy || r.static_only || r.end.value < r.start.value) continue;
    bool dup = false;
    for (const auto& p : pools) dup = dup || p.same_range(r.start, r.end);
    if (dup) continue;
    Pool* old = pool_for(r.start, r.end);
    pools.push_back(old ? std::move(*old) : Pool(r.start, r.end));
  }
  pools_ = std::move(pools);
  // Offers on ranges that went away: given up.
  std::vector<std::uint32_t> orphans;
  for (const auto& [ip, o] : by_ip_)
    if (!pool_of(Ipv4(ip))) orphans.push_back(ip);
  for (auto ip : orphans) drop_ip(Ipv4(ip));
  absl::flat_hash_map<std::uint32_t, std::size_t> hosts;
  for (std::size_t i = 0; i < s.hosts.size(); ++i)
    if (s.hosts[i].ip) hosts.try_emplace(s.hosts[i].ip->value, i);
  for (const auto& [ip, i] : hosts_)
    if (!hosts.contains(ip)) freed(Ipv4(ip));
  hosts_ = std::move(hosts);
}

std::optional<std::size_t> Allocator::host_of(Ipv4 ip) const {
  auto it = hosts_.find(ip.value);
  if (it == hosts_.end()) return std::nullopt;
  return it->second;
}

Pool* Allocator::pool_for(Ipv4 start, Ipv4 end) {
  for (auto& p : pools_)
    if (p.same_range(start, end)) return &p;
  return nullptr;
}

// Pools are few (one per dhcp-range): a linear look is cheaper than an index.
Pool* Allocator::pool_of(Ipv4 ip) {
  for (auto& p : pools_)
    if (p.contains(ip)) return &p;
  return nullptr;
}

const Allocator::Offer* Allocator::offer_on(Ipv4 ip) const {
  auto it = by_ip_.find(ip.value);
  return it == by_ip_.end() ? nullptr : &it->second;
}

std::optional<Ipv4> Allocator::offer_of(const std::string& key) const {
  auto it = by_client_.find(key);
  if (it == by_client_.end()) return std::nullopt;
  return Ipv4(it->second);
}

bool Allocator::offered_to_other(Ipv4 ip, const std::string& key, Timestamp now) const {
  const Offer* o = offer_on(ip);
  return o && o->client_key != key && o->expires > now;
}

void Allocator::remove(absl::flat_hash_map<std::uint32_t, Offer>::iterator it) {
  Ipv4 ip(it->first);
  auto c = by_client_.find(it->second.client_key);
  if (c != by_client_.end() && c->second == ip.value) by_client_.erase(c);
  Pool* p = pool_of(ip);
  if (p && !it->second.probing) --p->live_offers_;
  by_ip_.erase(it);
  if (p) p->freed(ip);
}

void Allocator::drop_ip(Ipv4 ip) {
  auto it = by_ip_.find(ip.value);
  if (it != by_ip_.end()) remove(it);
}

void Allocator::drop_client(const std::string& key) {
  if (auto ip = offer_of(key)) drop_ip(*ip);
}

bool Allocator::current(Pool&, const std::pair<std::uint32_t, std::uint64_t>& e) const {
  const Offer* o = offer_on(Ipv4(e.first));
  return o && o->seq == e.second;
}

void Allocator::hold(const std::string& key, Ipv4 ip, Timestamp expires, bool probing) {
  Pool* p = pool_of(ip);
  if (!p) return;  // dhcp-host addresses outside the pools are reserved by the configuration
  if (auto mine = offer_of(key); mine && *mine != ip) drop_ip(*mine);
  drop_ip(ip);
  by_ip_[ip.value] = {key, expires, ++seq_, probing};
  by_client_[key] = ip.value;
  if (probing) return;
  p->offers_.push_back({ip.value, seq_});
  ++p->live_offers_;
  if (by_ip_.size() > kMaxOffers) take_oldest_offer(*p, key);
  // Entries of offers that ended otherwise (ACKed, replaced): dropped before they add up.
  if (p->offers_.size() > 2 * p->live_offers_ + 64)
    std::erase_if(p->offers_, [&](const auto& e) { return !current(*p, e); });
}

std::optional<Ipv4> Allocator::take_oldest_offer(Pool& pool, const std::string& key) {
  while (!pool.offers_.empty()) {
    auto e = pool.offers_.front();
    if (!current(pool, e)) {
      pool.offers_.pop_front();
      continue;
    }
    if (by_ip_.find(e.first)->second.client_key == key) return std::nullopt;  // its own, the newest
    pool.offers_.pop_front();
    drop_ip(Ipv4(e.first));
    return Ipv4(e.first);
  }
  return std::nullopt;
}

void Allocator::expire(Timestamp now) {
  for (auto& p : pools_) {
    while (!p.offers_.empty()) {
      auto e = p.offers_.front();
      bool live = current(p, e);
      if (live && by_ip_.find(e.first)->second.expires > now) break;
      p.offers_.pop_front();
      if (live) drop_ip(Ipv4(e.first));
    }
  }
}

void Allocator::freed(Ipv4 ip) {
  if (Pool* p = pool_of(ip)) p->freed(ip);
}

}  // namespace pxe::proto::dhcp
