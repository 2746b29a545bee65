// One running transfer on its own UDP socket (the server's TID): a read (the Sender machine
// serving a file) or a write (the Receiver machine storing an upload), datagrams waiting for
// socket buffer space, and the timer. The server loop calls it when its socket is readable or
// writable, or its timer is due.
//
// Memory per transfer is bounded: the Sender's read chunk (256 KiB at most), the pending queue
// (kMaxPendingBytes), the socket buffers (4 MiB asked, capped by net.core.wmem_max/rmem_max).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "proto/tftp/receiver.h"
#include "proto/tftp/sender.h"
#include "proto/tftp/tid.h"
#include "transport/udp.h"

namespace pxe::server::tftp {

class Transfer {
 public:
  // Datagrams the socket did not take yet are copied here, up to this many bytes (two full
  // windows of 64 blocks of 1468 bytes); past it they are dropped and the retransmission timer recovers.
  static constexpr std::size_t kMaxPendingBytes = 256 * 1024;
  // ERROR 5 (unknown transfer ID) answers per transfer and second (proto::tftp::UnknownTidReplies).
  static constexpr unsigned kTidErrorsPerSecond = proto::tftp::UnknownTidReplies::kPerSecond;

  // A read transfer (RRQ): `file` is what `sender` reads from.
  Transfer(transport::UdpSocket socket, transport::Endpoint peer, std::string path, std::string name,
           std::unique_ptr<proto::tftp::FileSource> file, std::unique_ptr<proto::tftp::Sender> sender);
  // A write transfer (WRQ): `sink` is what `receiver` writes to; `commit` runs once the last
  // block is stored (it puts the file in place) and `discard` when the transfer fails.
  Transfer(transport::UdpSocket socket, transport::Endpoint peer, std::string path, std::string name,
           std::unique_ptr<proto::tftp::FileSink> sink, std::unique_ptr<proto::tftp::Receiver> receiver,
           std::function<Result<void>()> commit, std::function<void()> discard);
  ~Transfer();

  void start(Timestamp now);
  void on_readable(Timestamp now);
  void on_writable();
  void on_timer(Timestamp now);
  // Ends the transfer now, telling the peer with ERROR 0 `message` (server shutting down, out of
  // memory); an unfinished upload is discarded.
  void abort(const std::string& message);
  // The mode as requested (to recognise a retransmitted request).
  void set_mode(std::string mode) { mode_ = std::move(mode); }

  int fd() const { return socket_.fd(); }
  const transport::Endpoint& peer() const { return peer_; }
  const std::string& name() const { return name_; }
  std::optional<Timestamp> timer() const { return timer_; }
  bool wants_write() const { return !pending_.empty(); }
  bool ended() const { return ended_; }
  const std::string& mode() const { return mode_; }
  bool is_write() const { return receiver_ != nullptr; }
  // The peer has answered (ACK of the first DATA/OACK, or DATA 1 of an upload).
  bool answered() const { return sender_ ? sender_->answered() : receiver_->answered(); }
  // A read whose peer answered, then went silent past a retransmission (Sender::stalled).
  bool stalled() const { return sender_ && sender_->stalled(); }
  std::uint64_t tid_errors_sent() const { return tid_replies_.sent(); }
  std::uint64_t pending_dropped() const { return pending_dropped_; }

 private:
  void apply(Timestamp now);  // carries out actions_
  void on_stranger(const transport::DatagramView& d, Timestamp now);
  void send_out();
  void flush();
  void log_end(const proto::tftp::Action& result, Timestamp now);

  transport::UdpSocket socket_;
  transport::Endpoint peer_;
  std::string path_;  // full path, for the log
  std::string name_;  // as requested, to recognise a retransmitted request
  std::string mode_ = "octet";
  std::unique_ptr<proto::tftp::FileSource> file_;
  std::unique_ptr<proto::tftp::Sender> sender_;
  std::unique_ptr<proto::tftp::FileSink> sink_;
  std::unique_ptr<proto::tftp::Receiver> receiver_;
  std::function<Result<void>()> commit_;
  std::function<void()> discard_;
  bool committed_ = false;
  bool gso_ = true;  // UDP_SEGMENT for windows, until the kernel refuses it
  proto::tftp::Actions actions_;                    // reused for every event
  std::vector<transport::GatherDatagram> out_;      // this event's datagrams (views)
  std::vector<transport::DatagramView> received_;   // reused receive list
  std::deque<Bytes> pending_;                       // waiting for socket buffer space (copies)
  std::size_t pending_bytes_ = 0;
  std::uint64_t pending_dropped_ = 0;
  proto::tftp::UnknownTidReplies tid_replies_;  // ERROR 5 to strangers, rate-bounded
  std::optional<Timestamp> timer_;
  Timestamp started_{};
  bool ended_ = false;
};

}  // namespace pxe::server::tftp
