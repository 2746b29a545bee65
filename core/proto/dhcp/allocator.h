// Which address a new client gets, in O(1) however large or full the pool (RFC 2131 §4.3.1's
// last step, "a new address allocated from the server's pool"), and the offers' short,
// in-memory holds.
//
// Each dynamic dhcp-range is a Pool: a cursor over addresses never handed out since start, and a
// FIFO of addresses freed since (released, expired, declined hold over, offer given up). Entries
// are not removed when their address is taken by other means (a requested address, a client's
// old binding): they are checked when they reach the front and dropped if no longer free. Every
// change that frees an address queues it again, at most once.
//
// An OFFER holds its address for kOfferHold in memory (no database row). A hold keeps other
// DISCOVERs off the address, never a REQUEST: the first valid REQUEST gets the ACK, as with Kea
// and dnsmasq. When a pool has nothing free, a DISCOVER takes the address of its oldest
// outstanding offer, so a flood of DISCOVERs from made-up MACs cannot keep a real client out.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/clock.h"
#include "config/dhcp_settings.h"

namespace pxe::proto::dhcp {

// How long an OFFER keeps its address from other DISCOVERs (not from REQUESTs).
inline constexpr Duration kOfferHold = std::chrono::seconds(5);
// Offers outstanding at once, all pools together; past this a pool's oldest offer is given up.
inline constexpr std::size_t kMaxOffers = 65536;

class Pool {
 public:
  Pool(Ipv4 start, Ipv4 end) : start_(start.value), end_(end.value) {}
  bool contains(Ipv4 ip) const { return ip.value >= start_ && ip.value <= end_; }
  bool same_range(Ipv4 start, Ipv4 end) const { return start.value == start_ && end.value == end_; }

  // The oldest freed address that is still free, else the next never handed out that is free;
  // `free(ip)` says whether it is. Amortised O(1): each queued or never-used address is looked
  // at once.
  template <typename Free>
  std::optional<Ipv4> take(Free&& free) {
    while (!freed_.empty()) {
      Ipv4 ip(freed_.front());
      freed_.pop_front();
      queued_.erase(ip.value);
      if (free(ip)) return ip;
    }
    for (std::uint64_t span = std::uint64_t(end_) - start_ + 1; next_ < span;) {
      Ipv4 ip(std::uint32_t(start_ + next_++));
      if (free(ip)) return ip;
    }
    return std::nullopt;
  }
  // `ip` may be free again: queued (once) behind the others.
  void freed(Ipv4 ip) {
    if (ip.value - start_ < next_ && contains(ip) && queued_.insert(ip.value).second) freed_.push_back(ip.value);
  }
  std::size_t queued() const { return freed_.size(); }

 private:
  friend class Allocator;
  std::uint32_t start_, end_;
  std::uint64_t next_ = 0;  // offset of the first address never handed out
  std::deque<std::uint32_t> freed_;
  absl::flat_hash_set<std::uint32_t> queued_;
  // Offers on this pool, oldest first: (address, the hold's sequence number).
  std::deque<std::pair<std::uint32_t, std::uint64_t>> offers_;
  std::size_t live_offers_ = 0;
};

class Allocator {
 public:
  struct Offer {
    std::string client_key;
    Timestamp expires;
    std::uint64_t seq = 0;
    bool probing = false;  // reserved while its ping check runs: not taken by other DISCOVERs
  };

  // The pools of the dynamic ranges and the dhcp-host addresses. Pools of ranges that stay keep
  // their state and offers; addresses no longer reserved are freed.
  void configure(const config::DhcpSettings& s);

  // The dhcp-host line (index into settings().hosts) that reserves `ip`, if any.
  std::optional<std::size_t> host_of(Ipv4 ip) const;
  Pool* pool_for(Ipv4 start, Ipv4 end);

  const Offer* offer_on(Ipv4 ip) const;
  std::optional<Ipv4> offer_of(const std::string& key) const;
  // True when `ip` is held by an offer to another client.
  bool offered_to_other(Ipv4 ip, const std::string& key, Timestamp now) const;
  // Holds `ip` for `key` until `expires` (replacing the client's other offer and another
  // client's offer on `ip`).
  void hold(const std::string& key, Ipv4 ip, Timestamp expires, bool probing);
  void drop_client(const std::string& key);
  void drop_ip(Ipv4 ip);
  // A pool's oldest outstanding offer (not a ping-check reservation), taken from its client.
  std::optional<Ipv4> take_oldest_offer(Pool& pool, const std::string& key);
  // Gives up offers whose hold is over.
  void expire(Timestamp now);
  // `ip` may be free again (from the lease table): back to its pool.
  void freed(Ipv4 ip);

  std::size_t offers() const { return by_ip_.size(); }
  // fn(address, offer, the address the offer's client is recorded with): for invariant checks.
  template <typename Fn>
  void each_offer(Fn&& fn) const {
    for (const auto& [ip, o] : by_ip_) fn(Ipv4(ip), o, offer_of(o.client_key));
  }
  std::size_t pool_count() const { return pools_.size(); }
  const std::vector<Pool>& pools() const { return pools_; }

 private:
  Pool* pool_of(Ipv4 ip);
  void remove(absl::flat_hash_map<std::uint32_t, Offer>::iterator it);
  bool current(Pool& p, const std::pair<std::uint32_t, std::uint64_t>& e) const;

  std::vector<Pool> pools_;
  absl::flat_hash_map<std::uint32_t, std::size_t> hosts_;  // reserved address -> dhcp-host index
  absl::flat_hash_map<std::uint32_t, Offer> by_ip_;
  absl::flat_hash_map<std::string, std::uint32_t> by_client_;
  std::uint64_t seq_ = 0;
};

}  // namespace pxe::proto::dhcp
