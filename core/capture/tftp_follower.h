// Follows TFTP off port 69: an RRQ/WRQ from client:cport to server:69 opens a transfer whose
// DATA/ACK/OACK/ERROR travel between client:cport and server:<ephemeral> (RFC 1350 TIDs).
// Bounded: transfers idle for longer than the expiry, or beyond the capacity, are forgotten.
#pragma once

#include <cstdint>
#include <list>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "base/bytes.h"
#include "base/clock.h"

namespace pxe::capture {

// Transfers are kept in least-recently-seen order beside the map, so making room costs O(1) per
// forgotten transfer: a capture crafted to keep the table full (one new transfer per expiry)
// cannot turn every request into a scan of 65,536 entries.
class TftpFollower {
 public:
  explicit TftpFollower(std::size_t capacity = 65536,
                        Duration expiry = std::chrono::seconds(300))
      : capacity_(capacity < 1 ? 1 : capacity), expiry_(expiry) {}

  // A request was seen from client (ip, port) to server ip on port 69. When the table is full,
  // the transfers idle longer than the expiry are forgotten, then (if still full) the one seen
  // longest ago.
  void on_request(std::uint32_t client_ip, std::uint16_t client_port, std::uint32_t server_ip,
                  Timestamp now);
  // True if this UDP datagram belongs to a followed transfer (either direction).
  bool matches(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
               std::uint16_t dport, Timestamp now);
  // The block size of the followed transfer this datagram belongs to: 512 (RFC 1350) until an
  // OACK names another (set_block_size), 0 when the datagram is not part of a followed transfer.
  // Neither call counts as seeing the transfer (no change to its place in the order).
  std::uint16_t block_size(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
                           std::uint16_t dport) const;
  void set_block_size(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
                      std::uint16_t dport, std::uint16_t blksize);
  std::size_t size() const { return transfers_.size(); }
  // Entries eviction has looked at since construction: never more than the transfers ever
  // added, whatever the traffic (the amortised O(1) bound, checked by a test).
  std::uint64_t eviction_steps() const { return eviction_steps_; }

 private:
  static std::uint64_t key(std::uint32_t client_ip, std::uint16_t client_port) {
    return std::uint64_t(client_ip) << 16 | client_port;
  }
  void make_room(Timestamp now);

  struct Transfer {
    std::uint64_t key;
    std::uint32_t server_ip;
    Timestamp last_seen;
    std::uint16_t blksize = 512;
  };
  using Order = std::list<Transfer>;  // front: seen longest ago
  // The transfer of a datagram in either direction (server -> client first), or nullptr.
  Transfer* find(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
                 std::uint16_t dport) const;
  // Seen again: to the back of the order (a splice, no allocation).
  bool touch(Order::iterator it, Timestamp now);

  Order order_;
  absl::flat_hash_map<std::uint64_t, Order::iterator> transfers_;  // one probe per packet
  std::size_t capacity_;
  Duration expiry_;
  std::uint64_t eviction_steps_ = 0;
};

// A sender's UDP segmentation offload seen before segmentation (tcpdump on the sending host, e.g.
// a windowed TFTP server on a veth): one UDP payload holding several datagrams. The payload is
// taken as such when it is a DATA longer than one block of `blksize` and splits exactly into
// DATA datagrams of blksize + 4 bytes with consecutive block numbers (wrapping after 65535), the
// last one possibly shorter (at least its 4-byte header). On success `out` holds the datagrams
// (views into `payload`) and true is returned; otherwise `out` is empty.
bool split_tftp_gso(ByteSpan payload, std::uint16_t blksize, std::vector<ByteSpan>& out);

}  // namespace pxe::capture
