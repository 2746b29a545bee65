// The sending side of a TFTP transfer (the server answering an RRQ): RFC 1350 lock-step, or
// RFC 7440 windows of N DATA blocks per ACK.
//
//   server                        client
//   [OACK]  ------------------->          (only when options were accepted)
//           <-------------------  ACK 0
//   DATA 1..N  ---------------->          (N = windowsize)
//           <-------------------  ACK N   (or the last in-order block after a loss)
//   ...     DATA k (< blksize bytes) ends the transfer, its ACK finishes it.
//
// Duplicate ACKs are ignored (no sorcerer's apprentice: RFC 1123 4.2.3.1); lost packets are
// recovered by the retransmission timer, with backoff. The transfer is given up, silently, when the
// peer never answers within Timing::first_answer, or when no ACK moves it forward for Timing::idle;
// there is no limit on the length of a transfer that keeps moving.
//
// DATA goes out as SendData views: the file is read in large chunks (at least a window, 256 KiB
// by default) and every block of a window points into the chunk, so a block costs neither a read
// nor an allocation. The event functions that take an `Actions&` clear and refill it, so an owner
// can reuse one vector for a whole transfer.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "proto/tftp/actions.h"
#include "proto/tftp/file_source.h"
#include "proto/tftp/negotiation.h"
#include "proto/tftp/timing.h"

namespace pxe::proto::tftp {

class Sender {
 public:
  Sender(FileSource& file, Negotiated negotiated, Timing timing);

  Actions start(Timestamp now);
  Actions on_datagram(ByteSpan bytes, Timestamp now);
  Actions on_timer(Timestamp now);
  void start(Timestamp now, Actions& out);
  void on_datagram(ByteSpan bytes, Timestamp now, Actions& out);
  void on_timer(Timestamp now, Actions& out);

  bool done() const { return state_ == State::Done; }
  // The peer acknowledged something (ACK 0 of the OACK or a DATA block): it is really there.
  bool answered() const { return answered_; }
  // The peer answered, then nothing moved the transfer before a retransmission timeout: the server
  // has retransmitted since the peer's last progress (a client that gave up looks like this; one
  // that is ACKing does not).
  bool stalled() const { return answered_ && retries_ > 0 && state_ != State::Done; }
  std::uint64_t bytes_sent() const;  // payload bytes acknowledged
  std::uint64_t retransmissions() const { return retransmissions_; }
  std::uint64_t malformed() const { return malformed_; }
  const Negotiated& negotiated() const { return neg_; }

 private:
  enum class State { WaitOackAck, Sending, Done };

  void on_ack(std::uint16_t block, Timestamp now, Actions& out);
  void send_window(Timestamp now, Actions& out);
  bool load_chunk(std::uint64_t first, std::uint64_t last, Actions& out);
  void arm(Timestamp now, Actions& out);
  void progress(Timestamp now);  // the peer moved the transfer forward
  void fail(FailReason why, std::uint16_t code, std::string message, Actions& out, bool tell_peer);

  FileSource& file_;
  Negotiated neg_;
  Timing timing_;
  State state_ = State::Sending;
  std::uint64_t acked_ = 0;      // highest block the peer acknowledged
  std::uint64_t sent_high_ = 0;  // highest block sent
  std::optional<std::uint64_t> last_block_;  // the final (short) block, once known
  std::size_t bytes_final_block_ = 0;
  unsigned retries_ = 0;
  std::uint64_t retransmissions_ = 0;
  std::uint64_t malformed_ = 0;
  bool answered_ = false;
  Timestamp give_up_{};  // first answer or idle deadline: moved forward by every progress
  Bytes chunk_;                     // file bytes of blocks chunk_first_.., read in one go
  std::uint64_t chunk_first_ = 0;   // 0: nothing loaded
  std::size_t chunk_len_ = 0;       // valid bytes in chunk_
  std::vector<std::uint8_t> headers_;  // 4 bytes per block of the current window
};

}  // namespace pxe::proto::tftp
