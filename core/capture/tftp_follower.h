// Follows TFTP off port 69: an RRQ/WRQ from client:cport to server:69 opens a transfer whose
// DATA/ACK/OACK/ERROR travel between client:cport and server:<ephemeral> (RFC 1350 TIDs).
// Bounded: transfers idle for longer than the expiry, or beyond the capacity, are forgotten.
#pragma once

#include <cstdint>

#include <absl/container/flat_hash_map.h>

#include "base/clock.h"

namespace pxe::capture {

class TftpFollower {
 public:
  explicit TftpFollower(std::size_t capacity = 65536,
                        Duration expiry = std::chrono::seconds(300))
      : capacity_(capacity), expiry_(expiry) {}

  // A request was seen from client (ip, port) to server ip on port 69.
  void on_request(std::uint32_t client_ip, std::uint16_t client_port, std::uint32_t server_ip,
                  Timestamp now);
  // True if this UDP datagram belongs to a followed transfer (either direction).
  bool matches(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
               std::uint16_t dport, Timestamp now);
  std::size_t size() const { return transfers_.size(); }

 private:
  static std::uint64_t key(std::uint32_t client_ip, std::uint16_t client_port) {
    return std::uint64_t(client_ip) << 16 | client_port;
  }
  void evict(Timestamp now);

  struct Transfer {
    std::uint32_t server_ip;
    Timestamp last_seen;
  };
  absl::flat_hash_map<std::uint64_t, Transfer> transfers_;  // one probe per packet, no nodes
  std::size_t capacity_;
  Duration expiry_;
};

}  // namespace pxe::capture
