#include "transport/tcp.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <string>

namespace pxe::transport {
namespace {

const Ipv4 kLoopback(127, 0, 0, 1);

// Waits until fd is readable (or 2 s pass).
bool wait_readable(int fd, int ms = 2000) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1;
}

struct Pair {
  TcpListener listener;
  TcpConnection client, server;
};

Pair connected_pair() {
  Pair p;
  auto l = TcpListener::bind(kLoopback, 0);
  EXPECT_TRUE(l) << (l ? "" : l.error().what);
  p.listener = std::move(*l);
  auto c = TcpConnection::connect(p.listener.local());
  EXPECT_TRUE(c) << (c ? "" : c.error().what);
  p.client = std::move(*c);
  EXPECT_TRUE(wait_readable(p.listener.fd()));
  auto a = p.listener.accept();
  EXPECT_TRUE(a && a->has_value());
  p.server = std::move(**a);
  return p;
}

// Reads exactly n bytes (polling), or fewer on EOF/timeout.
Bytes read_n(TcpConnection& c, std::size_t n) {
  Bytes out;
  std::uint8_t buf[65536];
  while (out.size() < n) {
    if (!wait_readable(c.fd())) break;
    auto r = c.read(std::span(buf, std::min(sizeof buf, n - out.size())));
    if (!r || r->eof) break;
    out.insert(out.end(), buf, buf + r->bytes);
  }
  return out;
}

TEST(TcpListener, BindsAnEphemeralPortAndAcceptsNothingWhenNoneWaits) {
  auto l = TcpListener::bind(kLoopback, 0);
  ASSERT_TRUE(l) << l.error().what;
  EXPECT_NE(l->local().port, 0);
  EXPECT_EQ(l->local().addr, kLoopback);
  auto a = l->accept();
  ASSERT_TRUE(a) << a.error().what;
  EXPECT_FALSE(a->has_value());
}

TEST(TcpListener, ABusyPortIsAnErrorNamingIt) {
  auto l = TcpListener::bind(kLoopback, 0);
  ASSERT_TRUE(l);
  auto again = TcpListener::bind(kLoopback, l->local().port);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().what.find(std::to_string(l->local().port)), std::string::npos) << again.error().what;
}

TEST(TcpListener, RebindsItsPortWhileAnOldConnectionIsInTimeWait) {
  std::uint16_t port;
  {
    Pair p = connected_pair();
    port = p.listener.local().port;
    // The server closes first: its side goes to TIME_WAIT.
    p.server = TcpConnection();
    read_n(p.client, 1);
  }
  auto l = TcpListener::bind(kLoopback, port);
  EXPECT_TRUE(l) << l.error().what;
}

TEST(TcpConnection, AcceptedSocketsAreNonBlockingWithNoDelay) {
  Pair p = connected_pair();
  EXPECT_TRUE(::fcntl(p.server.fd(), F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(p.server.fd(), F_GETFD) & FD_CLOEXEC);
  int v = 0;
  socklen_t len = sizeof v;
  ASSERT_EQ(::getsockopt(p.server.fd(), IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
  EXPECT_NE(v, 0);
  EXPECT_EQ(p.server.peer(), p.client.local());
  EXPECT_EQ(p.server.local(), p.client.peer());
}

TEST(TcpConnection, ReadReportsNothingWaitingThenDataThenEof) {
  Pair p = connected_pair();
  std::uint8_t buf[16];
  auto r = p.server.read(buf);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bytes, 0u);
  EXPECT_FALSE(r->eof);
  const Bytes hello{'h', 'e', 'l', 'l', 'o'};
  ASSERT_EQ(*p.client.write(hello), 5u);
  EXPECT_EQ(read_n(p.server, 5), hello);
  p.client = TcpConnection();
  ASSERT_TRUE(wait_readable(p.server.fd()));
  r = p.server.read(buf);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->eof);
}

TEST(TcpConnection, GatheredWriteSendsThePartsInOrder) {
  Pair p = connected_pair();
  Bytes a{1, 2, 3}, empty, b{4, 5}, c{6};
  ByteSpan parts[] = {a, empty, b, c};
  auto n = p.server.write_gathered(parts);
  ASSERT_TRUE(n) << n.error().what;
  EXPECT_EQ(*n, 6u);
  EXPECT_EQ(read_n(p.client, 6), (Bytes{1, 2, 3, 4, 5, 6}));
}

std::string temp_file(const Bytes& content) {
  char path[] = "/tmp/pxe-tcp-test-XXXXXX";
  int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, content.data(), content.size()), ssize_t(content.size()));
  ::close(fd);
  return path;
}

TEST(TcpConnection, SendFileSendsTheFileBytesFromAnOffset) {
  Bytes content(300000);
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = std::uint8_t(i * 31 + i / 977);
  std::string path = temp_file(content);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Pair p = connected_pair();
  const std::uint64_t offset = 1234;
  const std::size_t length = 200000;
  Bytes got;
  std::size_t sent = 0;
  while (sent < length) {
    bool eof = true;
    auto n = p.server.send_file(fd, offset + sent, length - sent, &eof);
    ASSERT_TRUE(n) << n.error().what;
    EXPECT_FALSE(eof);
    sent += *n;
    Bytes chunk = read_n(p.client, *n);  // drain so the socket takes more
    got.insert(got.end(), chunk.begin(), chunk.end());
  }
  EXPECT_EQ(sent, length);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), content.begin() + offset));
  EXPECT_EQ(got.size(), length);
  ::close(fd);
  ::unlink(path.c_str());
}

TEST(TcpConnection, SendFileSaysEofWhenTheFileIsShorterThanAsked) {
  std::string path = temp_file(Bytes(100, 7));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  Pair p = connected_pair();
  bool eof = false;
  auto n = p.server.send_file(fd, 60, 1000, &eof);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 40u);
  EXPECT_FALSE(eof);
  n = p.server.send_file(fd, 100, 900, &eof);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
  EXPECT_TRUE(eof);
  ::close(fd);
  ::unlink(path.c_str());
}

TEST(TcpConnection, WritesStopAtZeroWhenThePeerDoesNotRead) {
  Pair p = connected_pair();
  p.server.set_buffers(4096, 0);
  p.client.set_buffers(0, 4096);
  Bytes block(65536, 0x5a);
  std::size_t total = 0;
  bool blocked = false;
  for (int i = 0; i < 1000 && !blocked; ++i) {
    auto n = p.server.write(block);
    ASSERT_TRUE(n) << n.error().what;
    if (*n == 0) blocked = true;
    total += *n;
  }
  EXPECT_TRUE(blocked) << "wrote " << total << " bytes without the peer reading";
  EXPECT_LT(total, 64u << 20);
}

TEST(TcpConnection, WritingToAPeerThatWentAwayIsAnErrorNotSigpipe) {
  Pair p = connected_pair();
  // SO_LINGER 0: the close resets the connection.
  linger lg{1, 0};
  ::setsockopt(p.client.fd(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  p.client = TcpConnection();
  ASSERT_TRUE(wait_readable(p.server.fd()));
  Bytes block(1000, 1);
  bool failed = false;
  for (int i = 0; i < 50 && !failed; ++i) {
    ByteSpan parts[] = {block, block};
    auto n = p.server.write_gathered(parts);
    if (!n) failed = true;
    auto m = p.server.write(block);
    if (!m) failed = true;
  }
  EXPECT_TRUE(failed);  // and the process is still alive
}

}  // namespace
}  // namespace pxe::transport
