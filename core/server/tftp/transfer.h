// One running read transfer: its own UDP socket (the server's TID), the Sender machine, datagrams
// waiting for socket buffer space, and the timer. The server loop calls it when its socket is
// readable or writable, or its timer is due.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "proto/tftp/sender.h"
#include "transport/udp.h"

namespace pxe::server::tftp {

class Transfer {
 public:
  Transfer(transport::UdpSocket socket, transport::Endpoint peer, std::string path, std::string name,
           std::unique_ptr<proto::tftp::FileSource> file, std::unique_ptr<proto::tftp::Sender> sender);

  void start(Timestamp now);
  void on_readable(Timestamp now);
  void on_writable();
  void on_timer(Timestamp now);

  int fd() const { return socket_.fd(); }
  const transport::Endpoint& peer() const { return peer_; }
  const std::string& name() const { return name_; }
  std::optional<Timestamp> timer() const { return timer_; }
  bool wants_write() const { return !pending_.empty(); }
  bool ended() const { return ended_; }
  bool progressed() const { return progressed_; }

 private:
  void apply(proto::tftp::Actions actions, Timestamp now);
  void flush();
  void log_end(const proto::tftp::Action& result, Timestamp now);

  transport::UdpSocket socket_;
  transport::Endpoint peer_;
  std::string path_;  // full path, for the log
  std::string name_;  // as requested, to recognise a retransmitted RRQ
  std::unique_ptr<proto::tftp::FileSource> file_;
  std::unique_ptr<proto::tftp::Sender> sender_;
  std::deque<Bytes> pending_;
  std::optional<Timestamp> timer_;
  Timestamp started_{};
  bool ended_ = false;
  bool progressed_ = false;
};

}  // namespace pxe::server::tftp
