// IPv4 TCP for the SMB server: a non-blocking listening socket and non-blocking connection
// sockets with gathered writes (sendmsg over an iovec) and sendfile() for file data, so a READ
// response's head and the file's bytes leave without a copy into our buffers. The only place the
// servers touch TCP sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "transport/udp.h"  // Endpoint

namespace pxe::transport {

// What a non-blocking read found.
struct TcpRead {
  std::size_t bytes = 0;  // copied into the caller's buffer
  bool eof = false;       // the peer closed its side (no more bytes will come)
  // bytes == 0 and !eof: nothing waiting (EAGAIN).
};

class TcpConnection {
 public:
  TcpConnection() = default;
  // Takes an accepted (or connected) socket; makes it non-blocking and sets TCP_NODELAY.
  explicit TcpConnection(UniqueFd fd);

  // A blocking connect, then non-blocking like an accepted socket (tests and tools).
  static Result<TcpConnection> connect(const Endpoint& to);

  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  Endpoint peer() const;
  Endpoint local() const;

  // Reads what is waiting (at most dst.size() bytes). A reset connection is an error.
  Result<TcpRead> read(std::span<std::uint8_t> dst);
  // Writes as much of `bytes` as the socket takes now; 0 when it takes nothing (EAGAIN).
  // Never raises SIGPIPE: a peer that went away is an error.
  Result<std::size_t> write(ByteSpan bytes);
  // The same for several buffers in order, in one system call (at most 64 of them are used).
  // `more`: more data follows at once (MSG_MORE), so a head and the file bytes sent after it by
  // send_file() share segments instead of the head leaving alone (TCP_NODELAY is on).
  Result<std::size_t> write_gathered(std::span<const ByteSpan> parts, bool more = false);
  // Sends up to `length` bytes of `file_fd` from `offset` (sendfile(2), no copy through user
  // space); returns how many went (0 when the socket takes nothing now). Fewer than asked also
  // when the file ends early: the caller sees 0 with `*eof` set.
  Result<std::size_t> send_file(int file_fd, std::uint64_t offset, std::size_t length, bool* eof);
  // No more writes from us (FIN); reads go on.
  void shutdown_write();
  // SO_SNDBUF / SO_RCVBUF (best effort: the kernel caps them).
  void set_buffers(int send_bytes, int receive_bytes);

 private:
  UniqueFd fd_;
};

class TcpListener {
 public:
  TcpListener() = default;
  // SO_REUSEADDR (a restarted server gets its port back while old connections sit in
  // TIME_WAIT), non-blocking, close-on-exec. Port 0: the kernel picks one (see local()).
  static Result<TcpListener> bind(Ipv4 addr, std::uint16_t port, int backlog = 128);

  int fd() const { return fd_.get(); }
  Endpoint local() const;

  // One waiting connection (accept4, non-blocking, close-on-exec, TCP_NODELAY), or nullopt when
  // none waits. A failed accept (EMFILE, ENFILE, ENOBUFS, ...) is an error; the listener stays
  // usable. Connections the peer reset before we accepted them are skipped.
  Result<std::optional<TcpConnection>> accept();

 private:
  explicit TcpListener(int fd) : fd_(fd) {}
  UniqueFd fd_;
};

}  // namespace pxe::transport
