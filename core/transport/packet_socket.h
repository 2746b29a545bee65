// An AF_PACKET socket on one interface: whole Ethernet frames out and in, so simulated clients
// speak Ethernet themselves with their own MACs (pxekit client --interface). Needs CAP_NET_RAW.
//
//   - A BPF filter keeps ARP and IPv4/UDP only; the interface is made promiscuous
//     (PACKET_ADD_MEMBERSHIP, undone when the socket closes) so frames to the clients' MACs arrive.
//   - Frames this host sends are not received back (PACKET_IGNORE_OUTGOING, and PACKET_OUTGOING
//     skipped on kernels without it).
//   - PACKET_VNET_HDR: a frame handed over with segmentation offload (a sender's UDP GSO on a
//     veth: one "datagram" holding several) is split into the datagrams it stands for.
// Non-blocking: poll fd() for input, then receive().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace pxe::transport {

class PacketSocket {
 public:
  // Errors name the interface and say when CAP_NET_RAW is missing.
  static Result<PacketSocket> open(const std::string& ifname);

  int fd() const { return fd_.get(); }
  int ifindex() const { return ifindex_; }
  const std::string& ifname() const { return ifname_; }
  Mac mac() const { return mac_; }  // the interface's own address
  int mtu() const { return mtu_; }

  // One whole Ethernet frame (destination MAC first); waits briefly when the queue is full.
  Result<void> send(ByteSpan frame);
  // Appends the frames waiting (at most `max` reads); 0 when none. GSO frames come out split.
  Result<std::size_t> receive(std::vector<Bytes>& out, std::size_t max = 64);

  std::uint64_t split_frames() const { return split_; }  // GSO frames split so far
  // Frames the kernel could not queue for this socket (its receive buffer was full) since it was
  // opened (PACKET_STATISTICS; reading them resets the kernel's count, so they add up here).
  std::uint64_t dropped();

 private:
  PacketSocket() = default;
  UniqueFd fd_;
  int ifindex_ = 0;
  int mtu_ = 1500;
  std::string ifname_;
  Mac mac_;
  Bytes buf_;
  std::uint64_t split_ = 0;
  std::uint64_t dropped_ = 0;
};

// Splits a received frame with its virtio_net_hdr facts: gso_type 0 gives the frame back;
// UDP segmentation (VIRTIO_NET_HDR_GSO_UDP / _UDP_L4) gives one frame per gso_size bytes of
// UDP payload, TCP segmentation (_TCPV4) one segment per gso_size bytes of TCP payload
// (checksums filled). Exposed for tests.
std::vector<Bytes> split_offloaded(ByteSpan frame, std::uint8_t gso_type, std::uint16_t gso_size);

}  // namespace pxe::transport
