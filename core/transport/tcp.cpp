#include "transport/tcp.h"

#include "transport/sockaddr.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pxe::transport {

namespace {

using detail::errno_error;
using detail::from_sockaddr;
using detail::to_sockaddr;

bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK; }

Endpoint sock_name(int fd, bool peer) {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len)
               : ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  if (r != 0) return {};
  return from_sockaddr(sa);
}

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

TcpConnection::TcpConnection(UniqueFd fd) : fd_(std::move(fd)) {
  if (!fd_.valid()) return;
  int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags >= 0 && !(flags & O_NONBLOCK)) ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
  set_nodelay(fd_.get());
}

Result<TcpConnection> TcpConnection::connect(const Endpoint& to) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno_error("socket");
  sockaddr_in sa = to_sockaddr(to);
  int r;
  do r = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  while (r != 0 && errno == EINTR);
  if (r != 0) return errno_error("connect " + to.str());
  return TcpConnection(std::move(fd));
}

Endpoint TcpConnection::peer() const { return sock_name(fd_.get(), true); }
Endpoint TcpConnection::local() const { return sock_name(fd_.get(), false); }

Result<TcpRead> TcpConnection::read(std::span<std::uint8_t> dst) {
  for (;;) {
    ssize_t n = ::recv(fd_.get(), dst.data(), dst.size(), 0);
    if (n > 0) return TcpRead{static_cast<std::size_t>(n), false};
    if (n == 0) return TcpRead{0, !dst.empty()};
    if (errno == EINTR) continue;
    if (would_block()) return TcpRead{};
    return errno_error("recv");
  }
}

Result<std::size_t> TcpConnection::write(ByteSpan bytes) {
  for (;;) {
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (would_block()) return std::size_t{0};
    return errno_error("send");
  }
}

Result<std::size_t> TcpConnection::write_gathered(std::span<const ByteSpan> parts, bool more) {
  constexpr std::size_t kMaxParts = 64;
  iovec iov[kMaxParts];
  std::size_t count = 0;
  for (const auto& p : parts) {
    if (count == kMaxParts) break;
    if (p.empty()) continue;
    iov[count].iov_base = const_cast<std::uint8_t*>(p.data());
    iov[count].iov_len = p.size();
    ++count;
  }
  if (count == 0) return std::size_t{0};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  for (;;) {
    ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL | (more ? MSG_MORE : 0));  // writev() would raise SIGPIPE
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (would_block()) return std::size_t{0};
    return errno_error("sendmsg");
  }
}

Result<std::size_t> TcpConnection::send_file(int file_fd, std::uint64_t offset, std::size_t length, bool* eof) {
  if (eof) *eof = false;
  if (length == 0) return std::size_t{0};
  // sendfile() takes at most 0x7ffff000 bytes at once.
  std::size_t want = std::min<std::size_t>(length, 0x7ffff000);
  off_t off = static_cast<off_t>(offset);
  for (;;) {
    ssize_t n = ::sendfile(fd_.get(), file_fd, &off, want);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) {
      if (eof) *eof = true;  // the file is shorter than offset + length
      return std::size_t{0};
    }
    if (errno == EINTR) continue;
    if (would_block()) return std::size_t{0};
    return errno_error("sendfile");
  }
}

void TcpConnection::shutdown_write() {
  if (fd_.valid()) ::shutdown(fd_.get(), SHUT_WR);
}

void TcpConnection::set_buffers(int send_bytes, int receive_bytes) {
  if (send_bytes > 0) ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &send_bytes, sizeof send_bytes);
  if (receive_bytes > 0) ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &receive_bytes, sizeof receive_bytes);
}

Result<TcpListener> TcpListener::bind(Ipv4 addr, std::uint16_t port, int backlog) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error("socket");
  TcpListener l(fd);
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return errno_error("SO_REUSEADDR");
  sockaddr_in sa = to_sockaddr({addr, port});
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return errno_error(fmt::format("bind TCP {}:{}", addr.str(), port));
  if (::listen(fd, backlog) != 0) return errno_error(fmt::format("listen TCP {}:{}", addr.str(), port));
  return l;
}

Endpoint TcpListener::local() const { return sock_name(fd_.get(), false); }

Result<std::optional<TcpConnection>> TcpListener::accept() {
  for (;;) {
    int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) return std::optional<TcpConnection>(TcpConnection(UniqueFd(fd)));
    if (errno == EINTR) continue;
    if (would_block()) return std::optional<TcpConnection>();
    // accept(2): errors of the new connection itself are reported here; try the next one.
    if (errno == ECONNABORTED || errno == EPROTO) continue;
    return errno_error("accept");
  }
}

}  // namespace pxe::transport
