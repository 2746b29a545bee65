// One end of a TCP connection, sans I/O: segments and time in, actions out. It is what a
// simulated machine that speaks Ethernet itself (the WinPE stage's `net use`, the in-process
// server's SMB port) needs and no more:
//
//   - the three-way handshake, active (connect) or passive (accept of a SYN), with the MSS and
//     window-scale options (RFC 9293 3.5, RFC 7323 2);
//   - in-order delivery: a segment at rcv_nxt is delivered (its already-received head trimmed);
//     one from the future or the past is not, and is answered with an ACK for rcv_nxt, so the
//     peer retransmits (no reassembly queue, no SACK: a LAN rarely reorders);
//   - sending within the peer's window, MSS-sized; one retransmission timer with exponential
//     back-off, go-back-N from snd_una when it fires (RFC 6298's shape: 1 s for SYN, 200 ms
//     minimum after, as Linux), a window probe when the peer's window is zero;
//   - FIN in both directions, RST in and out; no TIME_WAIT (a simulated client takes a new port
//     for every connection).
//
// The owner builds frames from SendSegment, feeds Deliver to its byte-stream machine (SMB2), and
// keeps the one timer (SetTimer / CancelTimer, the outbox convention of proto::tftp::Action).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "wire/tcp/segment.h"

namespace pxe::proto::tcp {

using wire::tcp::Segment;

struct EndpointConfig {
  std::uint16_t mss = 1460;                 // what we accept per segment (Ethernet, IPv4)
  std::uint8_t wscale = 7;                  // our receive window shift, offered in the SYN
  std::uint32_t receive_window = 1u << 20;  // the owner consumes what is delivered at once
  Duration syn_timeout = std::chrono::seconds(1);
  Duration min_rto = std::chrono::milliseconds(200);
  Duration max_rto = std::chrono::seconds(120);  // Linux TCP_RTO_MAX
  unsigned syn_retries = 5;    // Linux tcp_syn_retries is 6; a LAN answers or never will
  unsigned data_retries = 8;   // retransmissions of one segment before giving up
};

struct SendSegment {
  Segment segment;
};
struct Deliver {  // stream bytes, in order
  Bytes bytes;
};
struct Connected {};
struct PeerFinished {};  // the peer sent FIN: no more bytes will come
struct Closed {
  enum class Why { Done, Reset, Refused, Timeout };
  Why why = Why::Done;
  std::string text;  // "connection reset by peer", "no answer to SYN after 6 tries"
};
struct SetTimer {
  Timestamp at;
};
struct CancelTimer {};
using Action = std::variant<SendSegment, Deliver, Connected, PeerFinished, Closed, SetTimer, CancelTimer>;
using Actions = std::vector<Action>;

std::string_view closed_why_name(Closed::Why w);

// Appends an action. Out of line (actions.cpp), as proto::tftp::emit: GCC 12 inlines the
// variant's move into every push_back and then warns (-Wmaybe-uninitialized) about alternatives
// that are not there.
void emit(Actions& out, Action action);  // "done", "reset", "refused", "timeout"

class Endpoint {
 public:
  enum class State { SynSent, SynReceived, Established, Closed };

  // Active open: sends SYN with initial sequence number `iss`.
  static Endpoint connect(const EndpointConfig& cfg, std::uint32_t iss, Timestamp now, Actions& out);
  // Passive open: `syn` is a SYN that arrived for a listening port; answers SYN-ACK.
  static Endpoint accept(const EndpointConfig& cfg, std::uint32_t iss, const Segment& syn, Timestamp now,
                         Actions& out);

  void on_segment(const Segment& s, Timestamp now, Actions& out);
  void on_time(Timestamp now, Actions& out);
  // Queues stream bytes; they go out as the window allows (buffered before the handshake ends).
  void send(ByteSpan bytes, Timestamp now, Actions& out);
  // FIN once everything queued has gone out.
  void close(Timestamp now, Actions& out);
  // RST now; the endpoint is closed (no Closed action: the owner asked).
  void abort(Actions& out);

  State state() const { return state_; }
  bool closed() const { return state_ == State::Closed; }
  // Stream bytes queued and not yet acknowledged by the peer.
  std::size_t unacknowledged() const { return buf_.size() - buf_off_; }

 private:
  explicit Endpoint(const EndpointConfig& cfg) : cfg_(cfg) {}
  Segment make(std::uint8_t flags, std::uint32_t seq) const;
  Segment syn_segment() const;      // our SYN, or SYN-ACK, with the options we offer
  void establish(Actions& out);     // the handshake is done
  void transmit(Timestamp now, Actions& out);
  void arm(Timestamp now, Actions& out);
  void finish(Closed::Why why, std::string text, Actions& out);
  void on_ack(const Segment& s, Timestamp now, Actions& out);
  std::uint32_t buffered_end() const { return snd_una_ + static_cast<std::uint32_t>(buf_.size() - buf_off_); }

  EndpointConfig cfg_;
  State state_ = State::SynSent;
  std::uint32_t iss_ = 0, snd_una_ = 0, snd_nxt_ = 0;
  std::uint32_t peer_window_ = 0;  // bytes, scaled
  bool wscale_on_ = false;  // both sides offered window scaling
  std::uint8_t snd_shift_ = 0, rcv_shift_ = 0;
  std::uint16_t peer_mss_ = 536;
  std::uint32_t rcv_nxt_ = 0;
  Bytes buf_;               // stream bytes from snd_una on (sent or not), starting at buf_off_
  std::size_t buf_off_ = 0;
  bool close_requested_ = false, fin_sent_ = false, fin_acked_ = false, peer_fin_ = false;
  bool ack_owed_ = false;
  std::optional<Timestamp> timer_;
  Duration rto_{};
  unsigned retries_ = 0;
};

}  // namespace pxe::proto::tcp
