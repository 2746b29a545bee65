// A non-blocking IPv4 UDP socket: bind (a fixed port, any ephemeral port, or one from a range),
// send one datagram or a batch (sendmmsg), receive a batch (recvmmsg). The only place the servers
// touch UDP sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace pxe::transport {

struct Endpoint {
  Ipv4 addr;
  std::uint16_t port = 0;
  std::string str() const;  // 192.168.42.17:2070
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct Datagram {
  Endpoint from;
  Ipv4 to;  // the local address it was sent to (only with enable_pktinfo(); else 0.0.0.0)
  Bytes bytes;
  int ifindex = 0;  // the interface it arrived on (only with enable_pktinfo(); else 0)
};

// A received datagram whose bytes live in the receiving thread's buffer: valid until the next
// receive on that thread.
struct DatagramView {
  Endpoint from;
  Ipv4 to;
  ByteSpan bytes;
  int ifindex = 0;
};

// A datagram to send in two parts (a header and a payload kept elsewhere), sent as one.
struct GatherDatagram {
  ByteSpan head;
  ByteSpan body;
};

class UdpSocket {
 public:
  UdpSocket() = default;

  // port 0: the kernel picks an ephemeral port. SO_REUSEADDR is not set: a busy port is an error.
  static Result<UdpSocket> bind(Ipv4 addr, std::uint16_t port);
  // The first free port in [low, high].
  static Result<UdpSocket> bind_in_range(Ipv4 addr, std::uint16_t low, std::uint16_t high);

  int fd() const { return fd_.get(); }
  Endpoint local() const;

  Result<void> send_to(ByteSpan bytes, const Endpoint& to);
  // Sends all datagrams to one peer with as few sendmmsg calls as possible. Returns how many
  // went out; fewer than asked when the socket buffer is full (EAGAIN).
  Result<std::size_t> send_batch(std::span<const Bytes> datagrams, const Endpoint& to);
  // The same for datagrams in two parts (no copy to join them).
  Result<std::size_t> send_gathered(std::span<const GatherDatagram> datagrams, const Endpoint& to);
  // The same with UDP generic segmentation offload (UDP_SEGMENT): runs of datagrams of exactly
  // `segment` bytes (the last of the span may be shorter) go down the stack as one buffer each,
  // up to 64 datagrams or 64 KB, and are cut into datagrams late (in the driver or, over veth and
  // loopback, at the receiving socket), which saves most of the per-datagram cost of the send
  // path. When the kernel refuses it (no GSO, or a segment larger than the path MTU),
  // `*unsupported` is set and the datagrams not sent yet are left to the caller.
  Result<std::size_t> send_segmented(std::span<const GatherDatagram> datagrams, std::size_t segment,
                                     const Endpoint& to, bool* unsupported);
  // Receives up to `max` waiting datagrams (recvmmsg) without blocking; empty when none wait.
  // Datagrams longer than max_size are truncated and dropped.
  Result<std::vector<Datagram>> receive_batch(std::size_t max, std::size_t max_size = 65536);
  // The same without copying: fills `out` (cleared first) with views into a per-thread buffer.
  Result<void> receive_views(std::vector<DatagramView>& out, std::size_t max, std::size_t max_size = 65536);

  // Reports each datagram's destination address (IP_PKTINFO): a server bound to 0.0.0.0 answers
  // from the address the client talked to.
  Result<void> enable_pktinfo();

  // Sets SO_SNDBUF/SO_RCVBUF (best effort: the kernel may cap them).
  void set_buffers(int bytes);

 private:
  explicit UdpSocket(int fd) : fd_(fd) {}
  UniqueFd fd_;
};

// The path MTU the kernel knows towards `peer` (IP_MTU of a connected probe socket), or nullopt.
std::optional<std::uint32_t> path_mtu(const Endpoint& peer);

}  // namespace pxe::transport
