#include "proto/dhcp/lease_table.h"

namespace pxe::proto::dhcp {

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
  for (const auto& l : leases) put(l, ignored);
}

const Lease* LeaseTable::find_client(const std::string& key) const {
  auto it = by_client_.find(key);
  return it == by_client_.end() ? nullptr : &it->second;
}

const Lease* LeaseTable::find_ip(Ipv4 ip) const {
  auto it = by_ip_.find(ip.value);
  return it == by_ip_.end() ? nullptr : find_client(it->second);
}

bool LeaseTable::available(Ipv4 ip, const std::string& key, Timestamp now) const {
  const Lease* l = find_ip(ip);
  return !l || l->client_key == key || !holds(*l, now);
}

std::optional<Ipv4> LeaseTable::allocate(Ipv4 start, Ipv4 end, const std::string& key, Timestamp now,
                                         const std::function<bool(Ipv4)>& reserved) {
  std::uint64_t span = std::uint64_t(end.value) - start.value + 1;
  auto& cursor = cursor_[std::uint64_t(start.value) << 32 | end.value];
  for (std::uint64_t i = 0; i < span; ++i) {
    Ipv4 ip(std::uint32_t(start.value + (cursor + i) % span));
    if (available(ip, key, now) && !(reserved && reserved(ip))) {
      cursor = std::uint32_t((cursor + i + 1) % span);
      return ip;
    }
  }
  return std::nullopt;
}

void LeaseTable::erase(const std::string& key, std::vector<LeaseChange>& out) {
  auto it = by_client_.find(key);
  if (it == by_client_.end()) return;
  auto ip_it = by_ip_.find(it->second.ip.value);
  if (ip_it != by_ip_.end() && ip_it->second == key) by_ip_.erase(ip_it);
  out.push_back({LeaseChange::Op::Delete, it->second});
  by_client_.erase(it);
}

void LeaseTable::put(const Lease& lease, std::vector<LeaseChange>& out) {
  auto ip_it = by_ip_.find(lease.ip.value);
  if (ip_it != by_ip_.end() && ip_it->second != lease.client_key) erase(std::string(ip_it->second), out);
  auto old = by_client_.find(lease.client_key);
  if (old != by_client_.end() && old->second.ip != lease.ip) {
    auto prev = by_ip_.find(old->second.ip.value);
    if (prev != by_ip_.end() && prev->second == lease.client_key) by_ip_.erase(prev);
  }
  by_client_[lease.client_key] = lease;
  by_ip_[lease.ip.value] = lease.client_key;
  out.push_back({LeaseChange::Op::Upsert, lease});
}

std::size_t LeaseTable::expire(Timestamp now, std::vector<LeaseChange>& out) {
  std::vector<std::string> gone;
  for (const auto& [key, l] : by_client_)
    if ((l.state == LeaseState::Offered || l.state == LeaseState::Declined) && l.expires <= now)
      gone.push_back(key);
  for (const auto& k : gone) erase(k, out);
  return gone.size();
}

std::vector<Lease> LeaseTable::all() const {
  std::vector<Lease> v;
  v.reserve(by_client_.size());
  for (const auto& [k, l] : by_client_) v.push_back(l);
  return v;
}

}  // namespace pxe::proto::dhcp

namespace pxe::proto::dhcp {

std::size_t LeaseTable::held(Timestamp now) const {
  std::size_t n = 0;
  for (const auto& [key, l] : by_client_)
    n += (l.state == LeaseState::Offered || l.state == LeaseState::Bound) && holds(l, now);
  return n;
}

}  // namespace pxe::proto::dhcp
