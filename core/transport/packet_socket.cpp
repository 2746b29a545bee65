#include "transport/packet_socket.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <variant>

#include "transport/frame.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace pxe::transport {

namespace {

Error sock_error(const std::string& ifname, const std::string& what) {
  int e = errno;
  std::string msg = fmt::format("interface {}: {}: {}", ifname, what, std::strerror(e));
  if (e == EPERM || e == EACCES) msg += " (a packet socket needs root or CAP_NET_RAW)";
  return make_error(std::move(msg));
}

// ARP, IPv4 carrying UDP, and IPv4 TCP from port 445 (the SMB server a simulated WinPE talks to);
// everything else (the host's own TCP traffic above all) stays in the kernel.
sock_filter kFilter[] = {
    {0x28, 0, 0, 12},           // 0  ldh [12]                ethertype
    {0x15, 7, 0, ETH_P_ARP},    // 1  ARP -> accept
    {0x15, 0, 7, ETH_P_IP},     // 2  not IPv4 -> drop
    {0x30, 0, 0, 23},           // 3  ldb [23]                IPv4 protocol
    {0x15, 4, 0, IPPROTO_UDP},  // 4  UDP -> accept
    {0x15, 0, 4, IPPROTO_TCP},  // 5  not TCP -> drop
    {0xb1, 0, 0, 14},           // 6  ldxb 4*([14]&0xf)       IPv4 header length
    {0x48, 0, 0, 14},           // 7  ldh [x+14]              TCP source port
    {0x15, 0, 1, 445},          // 8  not from 445 -> drop
    {0x06, 0, 0, 0x40000},      // 9  accept (whole frame)
    {0x06, 0, 0, 0},            // 10 drop
};

// struct virtio_net_hdr (linux/virtio_net.h cannot be included from C++: a member is named
// `class`). Host byte order on a packet socket.
struct VnetHdr {
  std::uint8_t flags;
  std::uint8_t gso_type;
  std::uint16_t hdr_len, gso_size, csum_start, csum_offset;
};
constexpr std::size_t kVnetHdr = sizeof(VnetHdr);
static_assert(kVnetHdr == 10);
constexpr std::uint8_t kGsoNone = 0, kGsoTcpV4 = 1, kGsoUdp = 3, kGsoUdpL4 = 5, kGsoEcn = 0x80;

}  // namespace

Result<PacketSocket> PacketSocket::open(const std::string& ifname) {
  PacketSocket s;
  s.ifname_ = ifname;
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) return make_error(fmt::format("interface '{}': not a valid name", ifname));
  int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);  // protocol 0: nothing until bind
  if (fd < 0) return sock_error(ifname, "packet socket");
  s.fd_ = UniqueFd(fd);

  ifreq ifr{};
  std::memcpy(ifr.ifr_name, ifname.data(), ifname.size());
  if (::ioctl(fd, SIOCGIFINDEX, &ifr) != 0) return sock_error(ifname, "no such interface");
  s.ifindex_ = ifr.ifr_ifindex;
  if (::ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) return sock_error(ifname, "SIOCGIFHWADDR");
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
    return make_error(fmt::format("interface {}: not an Ethernet interface", ifname));
  s.mac_ = Mac::from_bytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(ifr.ifr_hwaddr.sa_data), 6));
  if (::ioctl(fd, SIOCGIFMTU, &ifr) == 0) s.mtu_ = ifr.ifr_mtu;

  sock_fprog prog{static_cast<unsigned short>(std::size(kFilter)), kFilter};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) return sock_error(ifname, "BPF filter");
  int one = 1;
  if (::setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) != 0) return sock_error(ifname, "PACKET_VNET_HDR");
  (void)::setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);  // < 4.20: skipped on receive

  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = s.ifindex_;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) return sock_error(ifname, "bind");

  packet_mreq mr{};
  mr.mr_ifindex = s.ifindex_;
  mr.mr_type = PACKET_MR_PROMISC;
  if (::setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
    return sock_error(ifname, "promiscuous mode");
  // Many clients on one socket: a classroom's broadcasts arrive in bursts, and 200 WinPE machines
  // reading setup.exe have 200 TCP windows in flight (128 KiB each). Root may exceed rmem_max.
  int rcvbuf = 32 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  s.buf_.resize(kVnetHdr + 65536 + 64);
  return s;
}

Result<void> PacketSocket::send(ByteSpan frame) {
  VnetHdr h{};  // no offload asked
  iovec iov[2] = {{&h, kVnetHdr}, {const_cast<std::uint8_t*>(frame.data()), frame.size()}};
  msghdr m{};
  m.msg_iov = iov;
  m.msg_iovlen = 2;
  for (int tries = 0;; ++tries) {
    if (::sendmsg(fd_.get(), &m, 0) >= 0) return {};
    if ((errno == EAGAIN || errno == ENOBUFS) && tries < 50) {
      pollfd p{fd_.get(), POLLOUT, 0};
      ::poll(&p, 1, 10);
      continue;
    }
    if (errno == EINTR) continue;
    return sock_error(ifname_, fmt::format("send a {}-byte frame", frame.size()));
  }
}

Result<std::size_t> PacketSocket::receive(std::vector<Bytes>& out, std::size_t max) {
  std::size_t got = 0;
  for (std::size_t i = 0; i < max; ++i) {
    sockaddr_ll from{};
    socklen_t fl = sizeof from;
    ssize_t n = ::recvfrom(fd_.get(), buf_.data(), buf_.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return sock_error(ifname_, "receive");
    }
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    if (static_cast<std::size_t>(n) < kVnetHdr) continue;
    VnetHdr h;
    std::memcpy(&h, buf_.data(), kVnetHdr);
    ByteSpan frame(buf_.data() + kVnetHdr, static_cast<std::size_t>(n) - kVnetHdr);
    std::uint8_t gso = static_cast<std::uint8_t>(h.gso_type & ~kGsoEcn);
    if (gso == kGsoNone) {
      out.emplace_back(frame.begin(), frame.end());
      ++got;
      continue;
    }
    auto parts = split_offloaded(frame, gso, h.gso_size);
    ++split_;
    for (auto& p : parts) out.push_back(std::move(p)), ++got;
  }
  return got;
}

std::uint64_t PacketSocket::dropped() {
  tpacket_stats st{};
  socklen_t len = sizeof st;
  if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) dropped_ += st.tp_drops;
  return dropped_;
}

std::vector<Bytes> split_offloaded(ByteSpan frame, std::uint8_t gso_type, std::uint16_t gso_size) {
  std::vector<Bytes> parts;
  if (gso_type == kGsoNone) {
    parts.emplace_back(frame.begin(), frame.end());
    return parts;
  }
  if (gso_size == 0) return parts;
  auto parsed = parse_frame(frame);
  if (gso_type == kGsoTcpV4) {
    auto* t = std::get_if<TcpFrame>(&parsed);
    if (!t) return parts;
    // One segment per gso_size bytes, as the NIC would cut them: sequence numbers advance, FIN
    // and PSH stay on the last one.
    const auto& whole = t->segment.payload;
    if (whole.empty()) parts.emplace_back(frame.begin(), frame.end());
    for (std::size_t off = 0; off < whole.size(); off += gso_size) {
      TcpFrame seg = *t;
      std::size_t len = std::min<std::size_t>(gso_size, whole.size() - off);
      seg.segment.seq = t->segment.seq + static_cast<std::uint32_t>(off);
      seg.segment.payload.assign(whole.begin() + static_cast<std::ptrdiff_t>(off),
                                 whole.begin() + static_cast<std::ptrdiff_t>(off + len));
      if (off + len < whole.size()) seg.segment.flags &= static_cast<std::uint8_t>(~(wire::tcp::flag::kFin | wire::tcp::flag::kPsh));
      parts.push_back(build_tcp_frame(seg));
    }
    return parts;
  }
  if (gso_type != kGsoUdpL4 && gso_type != kGsoUdp) return parts;
  auto* u = std::get_if<UdpFrame>(&parsed);
  if (!u) return parts;
  for (std::size_t off = 0; off < u->payload.size(); off += gso_size) {
    UdpFrame seg = *u;
    std::size_t len = std::min<std::size_t>(gso_size, u->payload.size() - off);
    seg.payload.assign(u->payload.begin() + static_cast<std::ptrdiff_t>(off),
                       u->payload.begin() + static_cast<std::ptrdiff_t>(off + len));
    parts.push_back(build_udp_frame(seg));
  }
  return parts;
}

}  // namespace pxe::transport
