// The server's bindings (RFC 2131 §4.2): client key -> address, with the address index that
// keeps one address to one client. In memory; the engine reports every change so the server
// can persist it before the reply that depends on it is sent.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/addr.h"
#include "base/clock.h"

namespace pxe::proto::dhcp {

enum class LeaseState : std::uint8_t {
  Offered = 0,   // reserved by an OFFER, not yet requested
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
  // Restores persisted leases (at start).
  void restore(const std::vector<Lease>& leases);

  const Lease* find_client(const std::string& key) const;
  const Lease* find_ip(Ipv4 ip) const;
  // True when `ip` is not held by another client (an unexpired offer/binding or a decline).
  bool available(Ipv4 ip, const std::string& key, Timestamp now) const;
  // A free address in [start, end] not refused by `reserved`, searched from a rotating cursor.
  std::optional<Ipv4> allocate(Ipv4 start, Ipv4 end, const std::string& key, Timestamp now,
                               const std::function<bool(Ipv4)>& reserved);

  // Records `lease` (replacing the client's record and any stale record on the same address);
  // appends the changes to persist to `out`, deletions first.
  void put(const Lease& lease, std::vector<LeaseChange>& out);
  void erase(const std::string& key, std::vector<LeaseChange>& out);
  // Drops expired offers and declines; returns how many.
  std::size_t expire(Timestamp now, std::vector<LeaseChange>& out);

  std::size_t size() const { return by_client_.size(); }
  // Addresses held by clients now (unexpired offers and bindings): dhcp-lease-max counts these.
  std::size_t held(Timestamp now) const;
  std::vector<Lease> all() const;

 private:
  static bool holds(const Lease& l, Timestamp now);
  std::unordered_map<std::string, Lease> by_client_;
  std::unordered_map<std::uint32_t, std::string> by_ip_;
  std::unordered_map<std::uint64_t, std::uint32_t> cursor_;  // per range (start<<32|end)
};

}  // namespace pxe::proto::dhcp
