// The receiving side of a TFTP read (the client): sends the RRQ, accepts an OACK (or DATA 1 from
// a server that ignores options), acknowledges every block (or the last of each RFC 7440 window,
// or the last in-order block after a gap) and writes the payload to a FileSink.
// It can also behave like PXE firmware probing the size: ask with tsize, then abort with
// ERROR 0 "TFTP Aborted" after the OACK.
//
// The same machine is the server side of a write request (WRQ) when `serve_write` is set: start()
// then answers the WRQ with the OACK of the negotiated options (or ACK 0 without options) instead
// of sending a request, and retransmits that answer until DATA 1 arrives.
//
//   client                        server
//   WRQ     ------------------->  (on port 69)
//           <-------------------  OACK, or ACK 0
//   DATA 1..N  ---------------->
//           <-------------------  ACK N   (or the last in-order block after a loss)
//   DATA k (< blksize bytes) -->  ACK k, the file is complete
//
// As in the Sender, a peer that never answers within Timing::first_answer, or sends nothing new for
// Timing::idle, ends the transfer silently; a transfer that keeps moving has no time limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/tftp/actions.h"
#include "proto/tftp/file_source.h"
#include "proto/tftp/negotiation.h"
#include "proto/tftp/timing.h"
#include "wire/tftp/tftp.h"

namespace pxe::proto::tftp {

struct ReceiverConfig {
  std::string filename;
  std::string mode = "octet";
  std::vector<wire::tftp::Option> options;  // what to ask for (blksize, tsize, windowsize, ...)
  bool abort_after_oack = false;            // the firmware tsize probe
  Timing timing;
  // Server side of a WRQ: what negotiate() accepted (blksize, windowsize, the OACK to send).
  std::optional<Negotiated> serve_write;
};

class Receiver {
 public:
  Receiver(FileSink& sink, ReceiverConfig config);

  Actions start(Timestamp now);
  Actions on_datagram(ByteSpan bytes, Timestamp now);
  Actions on_timer(Timestamp now);

  bool done() const { return state_ == State::Done; }
  // The peer answered (an OACK or a DATA block in order): it is really there.
  bool answered() const { return answered_; }
  std::optional<std::uint64_t> tsize() const { return tsize_; }
  std::uint32_t blksize() const { return blksize_; }
  std::uint32_t windowsize() const { return windowsize_; }
  std::uint64_t acks_sent() const { return acks_sent_; }

 private:
  enum class State { WaitFirst, Receiving, Done };

  void on_oack(const wire::tftp::Oack& oack, Timestamp now, Actions& out);
  void on_data(const wire::tftp::Data& data, Timestamp now, Actions& out);
  void send(Bytes bytes, Timestamp now, Actions& out);
  void send_ack(Timestamp now, Actions& out);
  void progress(Timestamp now);
  void fail(FailReason why, std::uint16_t code, std::string message, Actions& out, bool tell_peer);
  std::optional<std::uint64_t> requested(std::string_view name) const;

  FileSink& sink_;
  ReceiverConfig cfg_;
  State state_ = State::WaitFirst;
  std::uint32_t blksize_ = 512;
  std::uint32_t windowsize_ = 1;
  std::optional<std::uint64_t> tsize_;
  std::uint64_t received_ = 0;     // blocks written, in order (64-bit)
  std::uint32_t in_window_ = 0;    // in-order blocks since the last ACK
  bool gap_acked_ = false;         // already answered the current gap with an ACK
  std::uint64_t bytes_ = 0;
  std::uint64_t acks_sent_ = 0;
  Bytes last_sent_;
  unsigned retries_ = 0;
  bool answered_ = false;
  Timestamp give_up_{};  // first answer or idle deadline: moved forward by every progress
};

}  // namespace pxe::proto::tftp
