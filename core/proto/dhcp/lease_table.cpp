#include "proto/dhcp/lease_table.h"

#include <algorithm>

namespace pxe::proto::dhcp {

namespace {

std::uint64_t mac_key(const Mac& m) {
  std::uint64_t v = 0;
  for (auto o : m.octets) v = v << 8 | o;
  return v;
}

bool identified(const std::string& client_key) { return client_key.rfind("id:", 0) == 0; }

}  // namespace

std::string_view lease_state_name(LeaseState s) {
  switch (s) {
    case LeaseState::Offered: return "offered";
    case LeaseState::Bound: return "bound";
    case LeaseState::Released: return "released";
    case LeaseState::Declined: return "declined";
  }
  return "?";
}

bool LeaseTable::holds(const Lease& l, Timestamp now) {
  return l.state != LeaseState::Released && l.expires > now;
}

void LeaseTable::restore(const std::vector<Lease>& leases) {
  std::vector<LeaseChange> ignored;
  std::vector<const Lease*> declines;
  for (const auto& l : leases) {
    if (l.state == LeaseState::Declined) declines.push_back(&l);
    else if (l.state != LeaseState::Offered) put(l, ignored);
  }
  // Declines go in the order they end, so that the oldest is the one dropped at the cap.
  std::sort(declines.begin(), declines.end(), [](const Lease* a, const Lease* b) { return a->expires < b->expires; });
  for (const Lease* l : declines) put(*l, ignored);
  vacated_.clear();
}

const Lease* LeaseTable::find_client(const std::string& key) const {
  auto it = by_client_.find(key);
  return it == by_client_.end() ? nullptr : &it->second.lease;
}

const Lease* LeaseTable::find_ip(Ipv4 ip) const {
  auto it = by_ip_.find(ip.value);
  return it == by_ip_.end() ? nullptr : find_client(it->second);
}

const Lease* LeaseTable::find_identified_by_mac(const Mac& mac) const {
  auto it = by_mac_.find(mac_key(mac));
  return it == by_mac_.end() ? nullptr : find_client(it->second);
}

bool LeaseTable::available(Ipv4 ip, const std::string& key, Timestamp now) const {
  const Lease* l = find_ip(ip);
  return !l || l->client_key == key || !holds(*l, now);
}

void LeaseTable::unlink(std::unordered_map<std::string, Entry>::iterator it, std::vector<LeaseChange>& out) {
  const Lease& l = it->second.lease;
  auto ip_it = by_ip_.find(l.ip.value);
  if (ip_it != by_ip_.end() && ip_it->second == l.client_key) {
    by_ip_.erase(ip_it);
    vacated_.push_back(l.ip);
  }
  if (auto m = by_mac_.find(mac_key(l.mac)); m != by_mac_.end() && m->second == l.client_key) by_mac_.erase(m);
  if (it->second.counted) --bound_;
  if (l.state == LeaseState::Declined) --declined_;
  out.push_back({LeaseChange::Op::Delete, l});
  by_client_.erase(it);
}

void LeaseTable::erase(const std::string& key, std::vector<LeaseChange>& out) {
  auto it = by_client_.find(key);
  if (it != by_client_.end()) unlink(it, out);
}

void LeaseTable::put(const Lease& lease, std::vector<LeaseChange>& out) {
  auto ip_it = by_ip_.find(lease.ip.value);
  if (ip_it != by_ip_.end() && ip_it->second != lease.client_key) {
    auto other = by_client_.find(ip_it->second);
    by_ip_.erase(ip_it);  // the address passes to `lease`: not vacated
    if (other != by_client_.end()) unlink(other, out);
  }
  auto [it, fresh] = by_client_.try_emplace(lease.client_key);
  Entry& e = it->second;
  if (!fresh) {
    if (e.lease.ip != lease.ip) {
      auto prev = by_ip_.find(e.lease.ip.value);
      if (prev != by_ip_.end() && prev->second == lease.client_key) by_ip_.erase(prev);
      vacated_.push_back(e.lease.ip);
    }
    if (e.lease.mac != lease.mac)
      if (auto m = by_mac_.find(mac_key(e.lease.mac)); m != by_mac_.end() && m->second == lease.client_key)
        by_mac_.erase(m);
    if (e.counted) --bound_;
    if (e.lease.state == LeaseState::Declined) --declined_;
  }
  e.lease = lease;
  if (identified(lease.client_key) && !lease.mac.is_zero()) by_mac_[mac_key(lease.mac)] = lease.client_key;
  e.counted = lease.state == LeaseState::Bound;
  bound_ += e.counted;
  by_ip_[lease.ip.value] = lease.client_key;
  out.push_back({LeaseChange::Op::Upsert, lease});
  if (lease.state == LeaseState::Bound && lease.expires != kNever && queued_.insert(lease.ip.value).second)
    expiry_.push({lease.expires.us, lease.ip.value});
  if (lease.state == LeaseState::Released) vacated_.push_back(lease.ip);
  if (lease.state == LeaseState::Declined) {
    ++declined_;
    declines_.push_back({lease.expires.us, lease.ip.value});
    while (declined_ > kMaxDeclined) evict_oldest_decline(out);
    // Entries left by declines that ended otherwise: drop them before they add up.
    if (declines_.size() > 2 * declined_ + 64)
      std::erase_if(declines_, [&](const Due& d) { return !decline_current(d.first, d.second); });
  }
}

bool LeaseTable::decline_current(std::int64_t expires, std::uint32_t ip) const {
  const Lease* l = find_ip(Ipv4(ip));
  return l && l->state == LeaseState::Declined && l->expires.us == expires;
}

void LeaseTable::evict_oldest_decline(std::vector<LeaseChange>& out) {
  while (!declines_.empty()) {
    auto [expires, ip] = declines_.front();
    declines_.pop_front();
    if (decline_current(expires, ip)) {
      erase(find_ip(Ipv4(ip))->client_key, out);
      return;
    }
  }
}

void LeaseTable::expire(Timestamp now, std::vector<LeaseChange>& out) {
  while (!declines_.empty() && declines_.front().first <= now.us) {
    auto [expires, ip] = declines_.front();
    declines_.pop_front();
    if (decline_current(expires, ip)) erase(find_ip(Ipv4(ip))->client_key, out);
  }
  while (!expiry_.empty() && expiry_.top().first <= now.us) {
    std::uint32_t ip = expiry_.top().second;
    expiry_.pop();
    auto ip_it = by_ip_.find(ip);
    Entry* e = nullptr;
    if (ip_it != by_ip_.end()) e = &by_client_.find(ip_it->second)->second;
    if (!e || e->lease.state != LeaseState::Bound || e->lease.expires == kNever) {
      queued_.erase(ip);
    } else if (e->lease.expires > now) {
      expiry_.push({e->lease.expires.us, ip});  // renewed since it was queued
    } else {
      queued_.erase(ip);
      if (e->counted) --bound_;
      e->counted = false;
      vacated_.push_back(Ipv4(ip));
    }
  }
}

std::vector<Lease> LeaseTable::all() const {
  std::vector<Lease> v;
  v.reserve(by_client_.size());
  for (const auto& [k, e] : by_client_) v.push_back(e.lease);
  return v;
}

}  // namespace pxe::proto::dhcp
