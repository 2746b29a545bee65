#include "transport/udp.h"

#include "transport/sockaddr.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pxe::transport {

namespace {

using detail::errno_error;
using detail::from_sockaddr;
using detail::to_sockaddr;

}  // namespace

std::string Endpoint::str() const { return fmt::format("{}:{}", addr.str(), port); }

Result<UdpSocket> UdpSocket::bind(Ipv4 addr, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error("socket");
  UdpSocket s(fd);
  sockaddr_in sa = to_sockaddr({addr, port});
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return errno_error(fmt::format("bind {}:{}", addr.str(), port));
  return s;
}

Result<UdpSocket> UdpSocket::bind_in_range(Ipv4 addr, std::uint16_t low, std::uint16_t high) {
  for (std::uint32_t p = low; p <= high; ++p) {
    auto s = bind(addr, static_cast<std::uint16_t>(p));
    if (s) return s;
  }
  return make_error(fmt::format("no free port in {}-{} on {}", low, high, addr.str()));
}

Endpoint UdpSocket::local() const {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0) return {};
  return from_sockaddr(sa);
}

void UdpSocket::set_buffers(int bytes) {
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

Result<void> UdpSocket::enable_pktinfo() {
  int one = 1;
  if (::setsockopt(fd_.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0) return errno_error("IP_PKTINFO");
  return {};
}

Result<void> UdpSocket::send_to(ByteSpan bytes, const Endpoint& to) {
  sockaddr_in sa = to_sockaddr(to);
  ssize_t n = ::sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  if (n < 0) return errno_error("sendto " + to.str());
  return {};
}

namespace {

// Sends msgs[0..n) with as few sendmmsg calls as possible; how many went out (EAGAIN stops).
Result<std::size_t> send_all(int fd, mmsghdr* msgs, std::size_t n, const Endpoint& to) {
  std::size_t sent = 0;
  while (sent < n) {
    int r = ::sendmmsg(fd, msgs + sent, static_cast<unsigned>(std::min<std::size_t>(n - sent, 1024)), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) break;
      return errno_error("sendmmsg " + to.str());
    }
    sent += static_cast<std::size_t>(r);
    if (r == 0) break;
  }
  return sent;
}

}  // namespace

Result<std::size_t> UdpSocket::send_batch(std::span<const Bytes> datagrams, const Endpoint& to) {
  std::vector<GatherDatagram> parts;
  parts.reserve(datagrams.size());
  for (const auto& d : datagrams) parts.push_back({d, {}});
  return send_gathered(parts, to);
}

Result<std::size_t> UdpSocket::send_gathered(std::span<const GatherDatagram> datagrams, const Endpoint& to) {
  constexpr std::size_t kChunk = 64;
  sockaddr_in sa = to_sockaddr(to);
  std::size_t sent = 0;
  while (sent < datagrams.size()) {
    std::size_t n = std::min(kChunk, datagrams.size() - sent);
    mmsghdr msgs[kChunk];
    iovec iov[2 * kChunk];
    std::memset(msgs, 0, sizeof(mmsghdr) * n);
    for (std::size_t i = 0; i < n; ++i) {
      const GatherDatagram& d = datagrams[sent + i];
      iov[2 * i].iov_base = const_cast<std::uint8_t*>(d.head.data());
      iov[2 * i].iov_len = d.head.size();
      iov[2 * i + 1].iov_base = const_cast<std::uint8_t*>(d.body.data());
      iov[2 * i + 1].iov_len = d.body.size();
      msgs[i].msg_hdr.msg_iov = &iov[2 * i];
      msgs[i].msg_hdr.msg_iovlen = d.body.empty() ? 1 : 2;
      msgs[i].msg_hdr.msg_name = &sa;
      msgs[i].msg_hdr.msg_namelen = sizeof sa;
    }
    auto r = send_all(fd_.get(), msgs, n, to);
    if (!r) return r.error();
    sent += *r;
    if (*r < n) break;
  }
  return sent;
}

Result<std::size_t> UdpSocket::send_segmented(std::span<const GatherDatagram> datagrams, std::size_t segment,
                                              const Endpoint& to, bool* unsupported) {
  constexpr std::size_t kMaxMsgs = 16;
  constexpr std::size_t kMaxSegs = 64;
  constexpr std::size_t kMaxBytes = 65000;  // one IP datagram's worth, before segmentation
  *unsupported = false;
  if (segment == 0) return send_gathered(datagrams, to);
  const std::size_t per = std::min(kMaxSegs, kMaxBytes / segment);
  if (per < 2) return send_gathered(datagrams, to);
  sockaddr_in sa = to_sockaddr(to);
  constexpr std::size_t kCtl = CMSG_SPACE(sizeof(std::uint16_t));
  thread_local std::vector<iovec> iov;
  if (iov.size() < 2 * kMaxSegs * kMaxMsgs) iov.resize(2 * kMaxSegs * kMaxMsgs);
  mmsghdr msgs[kMaxMsgs];
  alignas(cmsghdr) std::uint8_t ctl[kMaxMsgs][kCtl];
  std::size_t counts[kMaxMsgs];
  std::size_t sent = 0;
  while (sent < datagrams.size()) {
    std::memset(msgs, 0, sizeof msgs);
    std::size_t nmsg = 0, next = sent, vi = 0;
    while (nmsg < kMaxMsgs && next < datagrams.size()) {
      std::size_t first_iov = vi, count = 0;
      while (count < per && next < datagrams.size()) {
        const GatherDatagram& d = datagrams[next];
        std::size_t len = d.head.size() + d.body.size();
        if (len != segment && !(next + 1 == datagrams.size() && len < segment)) {
          if (count == 0) return make_error("send_segmented: datagram of " + std::to_string(len) + " bytes, segment " +
                                            std::to_string(segment));
          break;
        }
        iov[vi++] = iovec{const_cast<std::uint8_t*>(d.head.data()), d.head.size()};
        if (!d.body.empty()) iov[vi++] = iovec{const_cast<std::uint8_t*>(d.body.data()), d.body.size()};
        ++count;
        ++next;
      }
      msghdr& h = msgs[nmsg].msg_hdr;
      h.msg_name = &sa;
      h.msg_namelen = sizeof sa;
      h.msg_iov = &iov[first_iov];
      h.msg_iovlen = vi - first_iov;
      if (count > 1) {
        h.msg_control = ctl[nmsg];
        h.msg_controllen = kCtl;
        cmsghdr* c = CMSG_FIRSTHDR(&h);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
        std::uint16_t seg = static_cast<std::uint16_t>(segment);
        std::memcpy(CMSG_DATA(c), &seg, sizeof seg);
      }
      counts[nmsg++] = count;
      if (count < per && next < datagrams.size()) break;  // a size change: send what we have first
    }
    int r = ::sendmmsg(fd_.get(), msgs, static_cast<unsigned>(nmsg), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return sent;
      if (errno == EINVAL || errno == EMSGSIZE || errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP) {
        *unsupported = true;
        return sent;
      }
      return errno_error("sendmmsg (UDP_SEGMENT) " + to.str());
    }
    for (int i = 0; i < r; ++i) sent += counts[i];
    if (static_cast<std::size_t>(r) < nmsg) return sent;  // the socket buffer is full
  }
  return sent;
}

Result<std::vector<Datagram>> UdpSocket::receive_batch(std::size_t max, std::size_t max_size) {
  std::vector<DatagramView> views;
  if (auto r = receive_views(views, max, max_size); !r) return r.error();
  std::vector<Datagram> out;
  out.reserve(views.size());
  for (const auto& v : views) out.push_back(Datagram{v.from, v.to, Bytes(v.bytes.begin(), v.bytes.end()), v.ifindex});
  return out;
}

Result<void> UdpSocket::receive_views(std::vector<DatagramView>& out, std::size_t max, std::size_t max_size) {
  constexpr std::size_t kChunk = 32;
  max = std::min(max, kChunk);
  out.clear();
  // One receive area per thread, reused: allocating (and zeroing) it per call costs more than
  // the datagrams.
  thread_local std::vector<std::uint8_t> buf;
  if (buf.size() < max * max_size) buf.resize(max * max_size);
  mmsghdr msgs[kChunk];
  iovec iov[kChunk];
  sockaddr_in from[kChunk];
  constexpr std::size_t kCtl = CMSG_SPACE(sizeof(in_pktinfo));
  alignas(cmsghdr) std::uint8_t ctl[kChunk][kCtl];
  std::memset(msgs, 0, sizeof(mmsghdr) * max);
  for (std::size_t i = 0; i < max; ++i) {
    iov[i].iov_base = buf.data() + i * max_size;
    iov[i].iov_len = max_size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    msgs[i].msg_hdr.msg_control = ctl[i];
    msgs[i].msg_hdr.msg_controllen = kCtl;
  }
  int r = ::recvmmsg(fd_.get(), msgs, static_cast<unsigned>(max), MSG_DONTWAIT, nullptr);
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {};
    // ICMP errors queued on the socket (port unreachable from a vanished client) are not fatal.
    if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) return {};
    return errno_error("recvmmsg");
  }
  for (int i = 0; i < r; ++i) {
    if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
    const auto* p = buf.data() + static_cast<std::size_t>(i) * max_size;
    Ipv4 to;
    int ifindex = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
        to = Ipv4(ntohl(pi.ipi_addr.s_addr));
        ifindex = pi.ipi_ifindex;
      }
    }
    out.push_back(DatagramView{from_sockaddr(from[i]), to, ByteSpan(p, msgs[i].msg_len), ifindex});
  }
  return {};
}

std::optional<std::uint32_t> path_mtu(const Endpoint& peer) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in sa = to_sockaddr(peer.port ? peer : Endpoint{peer.addr, 9});
  std::optional<std::uint32_t> mtu;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    int v = 0;
    socklen_t len = sizeof v;
    if (::getsockopt(fd, IPPROTO_IP, IP_MTU, &v, &len) == 0 && v > 0) mtu = static_cast<std::uint32_t>(v);
  }
  ::close(fd);
  return mtu;
}

}  // namespace pxe::transport
