#include "transport/dhcp_socket.h"

#include "transport/sockaddr.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/icmp.h>
#include <netinet/ip.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pxe::transport {

namespace {

using detail::errno_error;
using detail::to_sockaddr;

}  // namespace

Result<std::vector<NetInterface>> list_interfaces() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return errno_error("getifaddrs");
  std::vector<NetInterface> out;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    bool seen = false;
    for (const auto& i : out) seen = seen || i.name == a->ifa_name;
    if (seen) continue;
    NetInterface i;
    i.name = a->ifa_name;
    i.index = int(if_nametoindex(a->ifa_name));
    i.address = Ipv4(ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr));
    if (a->ifa_netmask) i.netmask = Ipv4(ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr));
    out.push_back(i);
  }
  freeifaddrs(list);
  return out;
}

Result<DhcpSocket> DhcpSocket::open(std::uint16_t port, const std::string& device) {
  DhcpSocket s;
  s.fd_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s.fd_.valid()) return errno_error("socket");
  s.port_ = port;
  int on = 1;
  if (setsockopt(s.fd_.get(), SOL_SOCKET, SO_BROADCAST, &on, sizeof on) != 0) return errno_error("SO_BROADCAST");
  if (setsockopt(s.fd_.get(), IPPROTO_IP, IP_PKTINFO, &on, sizeof on) != 0) return errno_error("IP_PKTINFO");
  if (!device.empty()) {
    // Several per-device sockets share 0.0.0.0:port.
    setsockopt(s.fd_.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (setsockopt(s.fd_.get(), SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), socklen_t(device.size())) != 0)
      return errno_error("SO_BINDTODEVICE " + device);
  }
  // Room for a burst of a few thousand requests (the FORCE variants pass rmem_max as root).
  int buf = 2 << 20;
  if (setsockopt(s.fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0)
    setsockopt(s.fd_.get(), SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  if (setsockopt(s.fd_.get(), SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf) != 0)
    setsockopt(s.fd_.get(), SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  auto sa = to_sockaddr({Ipv4(), port});
  if (::bind(s.fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return errno_error("bind 0.0.0.0:" + std::to_string(port) + (device.empty() ? "" : " on " + device));
  return s;
}

namespace {

constexpr std::size_t kBatch = 64;          // datagrams per recvmmsg/sendmmsg call
constexpr std::size_t kMaxDatagram = 4096;  // bigger than any DHCP message we accept

void fill_pktinfo(msghdr& msg, char* control, int ifindex, Ipv4 from) {
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  in_pktinfo pi{};
  pi.ipi_ifindex = ifindex;
  pi.ipi_spec_dst.s_addr = htonl(from.value);
  std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
}

}  // namespace

std::vector<DhcpDatagram> DhcpSocket::receive(std::size_t max) {
  std::vector<DhcpDatagram> out;
  if (rx_.empty()) rx_.resize(kBatch * kMaxDatagram);
  sockaddr_in from[kBatch];
  iovec iov[kBatch];
  mmsghdr msgs[kBatch];
  alignas(cmsghdr) char control[kBatch][128];
  while (out.size() < max) {
    unsigned want = unsigned(std::min(kBatch, max - out.size()));
    for (unsigned i = 0; i < want; ++i) {
      iov[i] = {rx_.data() + i * kMaxDatagram, kMaxDatagram};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    int n = ::recvmmsg(fd_.get(), msgs, want, MSG_DONTWAIT, nullptr);
    if (n <= 0) break;
    for (int i = 0; i < n; ++i) {
      msghdr& msg = msgs[i].msg_hdr;
      if (msg.msg_flags & MSG_TRUNC) continue;
      DhcpDatagram d;
      const std::uint8_t* p = rx_.data() + std::size_t(i) * kMaxDatagram;
      d.bytes.assign(p, p + msgs[i].msg_len);
      d.src = Ipv4(ntohl(from[i].sin_addr.s_addr));
      d.src_port = ntohs(from[i].sin_port);
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          in_pktinfo pi;
          std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
          d.ifindex = pi.ipi_ifindex;
          d.dst = Ipv4(ntohl(pi.ipi_addr.s_addr));
        }
      }
      out.push_back(std::move(d));
    }
    if (unsigned(n) < want) break;  // drained
  }
  return out;
}

Result<void> DhcpSocket::send_many(const std::vector<DhcpOutgoing>& out) {
  Result<void> first_error;
  sockaddr_in to[kBatch];
  iovec iov[kBatch];
  mmsghdr msgs[kBatch];
  alignas(cmsghdr) char control[kBatch][CMSG_SPACE(sizeof(in_pktinfo))];
  for (std::size_t base = 0; base < out.size(); base += kBatch) {
    unsigned n = unsigned(std::min(kBatch, out.size() - base));
    for (unsigned i = 0; i < n; ++i) {
      const auto& d = out[base + i];
      to[i] = to_sockaddr({d.to, d.port});
      iov[i] = {const_cast<std::uint8_t*>(d.bytes.data()), d.bytes.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &to[i];
      msgs[i].msg_hdr.msg_namelen = sizeof to[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      std::memset(control[i], 0, sizeof control[i]);
      fill_pktinfo(msgs[i].msg_hdr, control[i], d.ifindex, d.from);
    }
    unsigned done = 0;
    while (done < n) {
      int k = ::sendmmsg(fd_.get(), msgs + done, n - done, 0);
      if (k > 0) {
        done += unsigned(k);
        continue;
      }
      // The datagram at `done` failed: note it, skip it, send the rest.
      const auto& d = out[base + done];
      if (first_error) first_error = errno_error("send to " + d.to.str() + ":" + std::to_string(d.port));
      ++done;
    }
  }
  return first_error;
}

Result<void> DhcpSocket::send(ByteSpan bytes, Ipv4 to, std::uint16_t port, int ifindex, Ipv4 from) {
  auto sa = to_sockaddr({to, port});
  iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
  msghdr msg{};
  msg.msg_name = &sa;
  msg.msg_namelen = sizeof sa;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  in_pktinfo pi{};
  pi.ipi_ifindex = ifindex;
  pi.ipi_spec_dst.s_addr = htonl(from.value);
  std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
  if (::sendmsg(fd_.get(), &msg, 0) < 0)
    return errno_error("send to " + to.str() + ":" + std::to_string(port));
  return {};
}

Result<void> DhcpSocket::set_arp_entry(const std::string& device, Ipv4 ip, const Mac& mac) {
  arpreq req{};
  auto sa = to_sockaddr({ip, 0});
  std::memcpy(&req.arp_pa, &sa, sizeof sa);
  req.arp_ha.sa_family = ARPHRD_ETHER;
  std::memcpy(req.arp_ha.sa_data, mac.octets.data(), 6);
  req.arp_flags = ATF_COM;
  std::strncpy(req.arp_dev, device.c_str(), sizeof req.arp_dev - 1);
  if (ioctl(fd_.get(), SIOCSARP, &req) != 0) return errno_error("SIOCSARP " + ip.str() + " on " + device);
  return {};
}

namespace {

std::uint16_t icmp_checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t(p[i]) << 8 | p[i + 1];
  if (n & 1) sum += std::uint32_t(p[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return std::uint16_t(~sum);
}

}  // namespace

Result<PingSocket> PingSocket::open() {
  PingSocket s;
  s.fd_.reset(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP));
  if (!s.fd_.valid()) return errno_error("ICMP socket for the DHCP ping check (needs root)");
  icmp_filter filter{};
  filter.data = ~(1u << ICMP_ECHOREPLY);  // a set bit drops that ICMP type
  if (setsockopt(s.fd_.get(), SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0)
    return errno_error("ICMP_FILTER on the ping check socket");
  if (::getrandom(&s.ident_, sizeof s.ident_, 0) != ssize_t(sizeof s.ident_))
    return errno_error("getrandom for the ping check identifier");
  return s;
}

Result<void> PingSocket::send_echo(Ipv4 to, std::uint16_t seq) {
  std::uint8_t pkt[16] = {8 /* echo request */, 0, 0, 0,
                          std::uint8_t(ident_ >> 8), std::uint8_t(ident_), std::uint8_t(seq >> 8), std::uint8_t(seq),
                          'p', 'x', 'e', 'k', 'i', 't', 0, 0};
  std::uint16_t sum = icmp_checksum(pkt, sizeof pkt);
  pkt[2] = std::uint8_t(sum >> 8);
  pkt[3] = std::uint8_t(sum);
  auto sa = to_sockaddr({to, 0});
  if (::sendto(fd_.get(), pkt, sizeof pkt, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
    return errno_error("ping " + to.str());
  return {};
}

std::vector<PingSocket::Reply> PingSocket::receive() {
  std::vector<Reply> out;
  std::uint8_t buf[1500];
  while (true) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_.get(), buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) break;
    // A raw ICMP socket delivers the IP header too.
    std::size_t ihl = n > 0 ? std::size_t(buf[0] & 0x0f) * 4 : 0;
    if (n < ssize_t(ihl + 8)) continue;
    const std::uint8_t* icmp = buf + ihl;
    if (icmp[0] != 0 /* echo reply */ || (std::uint16_t(icmp[4] << 8 | icmp[5])) != ident_) continue;
    out.push_back({Ipv4(ntohl(from.sin_addr.s_addr)), std::uint16_t(icmp[6] << 8 | icmp[7])});
  }
  return out;
}

}  // namespace pxe::transport
