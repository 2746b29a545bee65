// The receiving side of a TFTP read (the client): sends the RRQ, accepts an OACK (or DATA 1 from
// a server that ignores options), acknowledges every block (or the last of each RFC 7440 window,
// or the last in-order block after a gap) and writes the payload to a FileSink.
// It can also behave like PXE firmware probing the size: ask with tsize, then abort after the OACK
// (BIOS ROMs and iPXE send ERROR 0 "TFTP Aborted", EDK2 ERROR 8 "User aborted the transfer").
//
// Transfer IDs (RFC 1350 §4) are the machine's business: the RRQ goes to the server's port (69, or
// ReceiverConfig::server_port: SendDatagram::to_port is set), the port of the first answer (OACK,
// DATA or ERROR) is latched as the server's TID, and every later datagram goes there (to_port
// empty). A datagram from another port gets ERROR 5 back to that port (UnknownTidReplies: never to
// an ERROR, a few per second at most) and changes nothing. The machine speaks to one host: the
// owner passes only datagrams from the server's address and sends everything to that address.
//
//   client                        server
//   RRQ  (to port 69) --------->
//           <-------------------  OACK, or DATA 1   (from the server's TID: latched)
//   ACK 0 (after an OACK) ----->
//           <-------------------  DATA 1..N
//   ACK N  -------------------->  (or the last of each window, or the last in-order block)
//
// The same machine is the server side of a write request (WRQ) when `serve_write` is set: start()
// then answers the WRQ with the OACK of the negotiated options (or ACK 0 without options) instead
// of sending a request, and retransmits that answer until DATA 1 arrives. The server knows its
// peer; its owner passes the peer's datagrams only (on_datagram without a port) or says who the
// peer is (ReceiverConfig::peer_port).
//
//   client                        server
//   WRQ     ------------------->  (on port 69)
//           <-------------------  OACK, or ACK 0
//   DATA 1..N  ---------------->
//           <-------------------  ACK N   (or the last in-order block after a loss)
//   DATA k (< blksize bytes) -->  ACK k, the file is complete
//
// As in the Sender, a peer that never answers within Timing::first_answer, or sends nothing new for
// Timing::idle, ends the transfer silently; a transfer that keeps moving has no time limit. A
// `timeout` option (RFC 2349) the server confirms becomes the client's retransmission interval
// (fixed, no backoff), and the idle limit grows to cover max_retries of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/tftp/actions.h"
#include "proto/tftp/file_source.h"
#include "proto/tftp/negotiation.h"
#include "proto/tftp/tid.h"
#include "proto/tftp/timing.h"
#include "wire/tftp/tftp.h"

namespace pxe::proto::tftp {

struct ReceiverConfig {
  std::string filename;
  std::string mode = "octet";
  std::vector<wire::tftp::Option> options;  // what to ask for (blksize, tsize, windowsize, timeout, ...)
  std::uint16_t server_port = 69;           // where the RRQ goes
  // The peer's TID when known before its first answer (serve_write: the port the WRQ came from).
  // Empty for a client: the first answer's port is latched.
  std::optional<std::uint16_t> peer_port;
  bool abort_after_oack = false;            // the firmware tsize probe: abort with this ERROR
  std::uint16_t abort_code = 0;             // 0 (BIOS ROMs, iPXE) or 8 (EDK2)
  std::string abort_message = "TFTP Aborted";  // EDK2: "User aborted the transfer"
  Timing timing;
  // Server side of a WRQ: what negotiate() accepted (blksize, windowsize, the OACK to send).
  std::optional<Negotiated> serve_write;
};

class Receiver {
 public:
  Receiver(FileSink& sink, ReceiverConfig config);

  Actions start(Timestamp now);
  // A datagram from `from_port` at the server's address: latched as the TID if it is the first
  // answer, answered with ERROR 5 if it comes from another port than the TID.
  Actions on_datagram(ByteSpan bytes, std::uint16_t from_port, Timestamp now);
  // A datagram the owner already knows is from the peer (the server's per-transfer socket checks
  // the address and port itself).
  Actions on_datagram(ByteSpan bytes, Timestamp now);
  Actions on_timer(Timestamp now);

  bool done() const { return state_ == State::Done; }
  // The peer answered (an OACK or a DATA block in order): it is really there.
  bool answered() const { return answered_; }
  std::optional<std::uint64_t> tsize() const { return tsize_; }
  std::uint32_t blksize() const { return blksize_; }
  std::uint32_t windowsize() const { return windowsize_; }
  std::uint64_t acks_sent() const { return acks_sent_; }
  // The peer's TID: latched from the first answer (or given in the config); empty before.
  std::optional<std::uint16_t> peer_port() const { return peer_port_; }
  std::uint64_t tid_errors_sent() const { return tid_replies_.sent(); }
  // The retransmission interval in use (the negotiated `timeout`, once the OACK confirmed one).
  const Timing& timing() const { return cfg_.timing; }

 private:
  enum class State { WaitFirst, Receiving, Done };

  void on_oack(const wire::tftp::Oack& oack, Timestamp now, Actions& out);
  void on_data(const wire::tftp::Data& data, Timestamp now, Actions& out);
  void dispatch(const wire::tftp::Packet& p, Timestamp now, Actions& out);
  void send(Bytes bytes, Timestamp now, Actions& out, std::optional<std::uint16_t> to_port = std::nullopt);
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
  std::optional<std::uint16_t> last_to_port_;  // the RRQ's destination, until a TID is latched
  std::optional<std::uint16_t> peer_port_;     // the server's TID
  UnknownTidReplies tid_replies_;
  unsigned retries_ = 0;
  bool answered_ = false;
  Timestamp give_up_{};  // first answer or idle deadline: moved forward by every progress
};

}  // namespace pxe::proto::tftp
