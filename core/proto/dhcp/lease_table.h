// The server's bindings (RFC 2131 §4.2): client key -> address, with the address index that
// keeps one address to one client. These are the rows of the lease database: bound, released
// and declined addresses. Offers are not here (see allocator.h): an OFFER writes no row. The
// engine reports every change so the server can persist it before the reply that depends on it.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <deque>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/addr.h"
#include "base/clock.h"

namespace pxe::proto::dhcp {

enum class LeaseState : std::uint8_t {
  Offered = 0,   // written by older versions for an OFFER; skipped when restoring
  Bound = 1,     // ACKed
  Released = 2,  // RELEASEd: the record is kept so the client gets the same address again
  Declined = 3,  // the address is in use by someone else (DECLINE): held until `expires`
};
std::string_view lease_state_name(LeaseState s);

inline constexpr Timestamp kNever{INT64_MAX};

struct Lease {
  std::string client_key;  // "id:<hex of option 61>" or "mac:<chaddr>" (§4.2); "declined:<ip>"
  Mac mac;
  Ipv4 ip;
  std::string hostname;
  Timestamp expires;
  LeaseState state = LeaseState::Offered;
  friend bool operator==(const Lease&, const Lease&) = default;
};

struct LeaseChange {
  enum class Op : std::uint8_t { Upsert, Delete } op = Op::Upsert;
  Lease lease;  // for Delete only client_key (and ip) matter
};

class LeaseTable {
 public:
  // Declined (or ping-answered) addresses held at once; past this the oldest hold ends early.
  // A DECLINE is only taken from the address's owner, so holds cannot outnumber the leases a
  // sender obtained first; the cap bounds the rows whatever happens.
  static constexpr std::size_t kMaxDeclined = 1024;

  // Restores persisted leases (at start). Offer rows of older versions are skipped.
  void restore(const std::vector<Lease>& leases);

  const Lease* find_client(const std::string& key) const;
  const Lease* find_ip(Ipv4 ip) const;
  // The record made for a client identifier (an "id:" key) on this hardware address, the latest
  // if several: what a request from the same chaddr without a client identifier belongs to.
  const Lease* find_identified_by_mac(const Mac& mac) const;
  // True when `ip` is not held by another client (an unexpired binding or a decline).
  bool available(Ipv4 ip, const std::string& key, Timestamp now) const;

  // Records `lease` (replacing the client's record and any record on the same address);
  // appends the changes to persist to `out`, deletions first.
  void put(const Lease& lease, std::vector<LeaseChange>& out);
  void erase(const std::string& key, std::vector<LeaseChange>& out);
  // Ends bindings and declines whose time is over: declines are deleted (changes to `out`),
  // expired bindings stay (the client gets its address back) but their address is vacated.
  // Costs O(1) when nothing is due.
  void expire(Timestamp now, std::vector<LeaseChange>& out);

  // Addresses that may have become free (released, expired, declined hold over, client moved)
  // since the last call; the caller gives them back to its pools.
  std::vector<Ipv4>& vacated() { return vacated_; }

  std::size_t size() const { return by_client_.size(); }
  // Bindings not yet seen expired by expire(): dhcp-lease-max counts these.
  std::size_t bound() const { return bound_; }
  std::size_t declined() const { return declined_; }
  std::vector<Lease> all() const;

 private:
  struct Entry {
    Lease lease;
    bool counted = false;  // in bound_
  };
  static bool holds(const Lease& l, Timestamp now);
  void unlink(std::unordered_map<std::string, Entry>::iterator it, std::vector<LeaseChange>& out);
  void evict_oldest_decline(std::vector<LeaseChange>& out);
  bool decline_current(std::int64_t expires, std::uint32_t ip) const;

  std::unordered_map<std::string, Entry> by_client_;
  absl::flat_hash_map<std::uint32_t, std::string> by_ip_;
  // chaddr (48 bits) -> key of the latest "id:" record put with it.
  absl::flat_hash_map<std::uint64_t, std::string> by_mac_;
  // Bindings by expiry (at most one entry per address: `queued_`), checked lazily when due.
  using Due = std::pair<std::int64_t, std::uint32_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> expiry_;
  absl::flat_hash_set<std::uint32_t> queued_;
  // Declines in the order they end (all are held as long): entries no longer current are
  // skipped when met.
  std::deque<Due> declines_;
  std::size_t bound_ = 0, declined_ = 0;
  std::vector<Ipv4> vacated_;
};

}  // namespace pxe::proto::dhcp
