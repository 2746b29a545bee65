#include "proto/tcp/endpoint.h"

#include <algorithm>
#include <optional>
#include <fmt/format.h>

namespace pxe::proto::tcp {

namespace {

namespace flag = wire::tcp::flag;
using wire::tcp::seq_le;
using wire::tcp::seq_lt;

// RFC 7323 2.3: a shift above 14 is taken as 14.
constexpr std::uint8_t kMaxShift = 14;
// A peer's MSS below this is raised to it (Linux: TCP_MIN_SND_MSS 48); an MSS of 0 would make
// every segment empty and the send loop endless.
constexpr std::uint16_t kMinMss = 48;

std::uint16_t peer_mss(const Segment& syn) {
  return std::max(syn.mss.value_or(536), kMinMss);
}

}  // namespace

std::string_view closed_why_name(Closed::Why w) {
  switch (w) {
    case Closed::Why::Done: return "done";
    case Closed::Why::Reset: return "reset";
    case Closed::Why::Refused: return "refused";
    case Closed::Why::Timeout: return "timeout";
  }
  return "?";
}

Endpoint Endpoint::connect(const EndpointConfig& cfg, std::uint32_t iss, Timestamp now, Actions& out) {
  Endpoint e(cfg);
  e.state_ = State::SynSent;
  e.iss_ = e.snd_una_ = iss;
  e.snd_nxt_ = iss + 1;
  e.rto_ = cfg.syn_timeout;
  emit(out, SendSegment{e.syn_segment()});
  e.arm(now, out);
  return e;
}

Endpoint Endpoint::accept(const EndpointConfig& cfg, std::uint32_t iss, const Segment& syn, Timestamp now,
                          Actions& out) {
  Endpoint e(cfg);
  e.state_ = State::SynReceived;
  e.iss_ = e.snd_una_ = iss;
  e.snd_nxt_ = iss + 1;
  e.rcv_nxt_ = syn.seq + 1;
  e.peer_mss_ = peer_mss(syn);
  e.peer_window_ = syn.window;  // never scaled in a SYN
  if (syn.wscale) {             // both sides offered it: it is on
    e.wscale_on_ = true;
    e.snd_shift_ = std::min(*syn.wscale, kMaxShift);
    e.rcv_shift_ = std::min(cfg.wscale, kMaxShift);
  }
  e.rto_ = cfg.syn_timeout;
  emit(out, SendSegment{e.syn_segment()});
  e.arm(now, out);
  return e;
}

Segment Endpoint::syn_segment() const {
  Segment s = make(flag::kSyn, iss_);  // SYN-ACK once a SYN came (make adds the ACK)
  s.mss = cfg_.mss;
  if (state_ == State::SynSent || wscale_on_) s.wscale = cfg_.wscale;
  return s;
}

void Endpoint::establish(Actions& out) {
  state_ = State::Established;
  retries_ = 0;
  rto_ = cfg_.min_rto;
  timer_.reset();
  emit(out, CancelTimer{});
  emit(out, Connected{});
}

Segment Endpoint::make(std::uint8_t flags, std::uint32_t seq) const {
  Segment s;
  s.seq = seq;
  s.flags = flags;
  if (state_ != State::SynSent) {
    s.flags |= flag::kAck;
    s.ack = rcv_nxt_;
  }
  // In a SYN the window is never scaled (RFC 7323 2.2).
  std::uint32_t w = (flags & flag::kSyn) ? std::min<std::uint32_t>(cfg_.receive_window, 0xffff)
                                         : std::min<std::uint32_t>(cfg_.receive_window >> rcv_shift_, 0xffff);
  s.window = static_cast<std::uint16_t>(w);
  return s;
}

void Endpoint::arm(Timestamp now, Actions& out) {
  timer_ = now + rto_;
  emit(out, SetTimer{*timer_});
}

void Endpoint::finish(Closed::Why why, std::string text, Actions& out) {
  state_ = State::Closed;
  if (timer_) emit(out, CancelTimer{});
  timer_.reset();
  emit(out, Closed{why, std::move(text)});
}

void Endpoint::send(ByteSpan bytes, Timestamp now, Actions& out) {
  if (state_ == State::Closed || close_requested_) return;
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  if (state_ == State::Established) transmit(now, out);
}

void Endpoint::close(Timestamp now, Actions& out) {
  if (state_ == State::Closed || close_requested_) return;
  close_requested_ = true;
  if (state_ == State::Established) transmit(now, out);
}

void Endpoint::abort(Actions& out) {
  if (state_ == State::Closed) return;
  Segment r = make(flag::kRst, snd_nxt_);
  emit(out, SendSegment{std::move(r)});
  state_ = State::Closed;
  if (timer_) emit(out, CancelTimer{});
  timer_.reset();
}

// Sends what the window allows from snd_nxt, the FIN when everything has gone, and the ACK owed
// when nothing else carried it.
void Endpoint::transmit(Timestamp now, Actions& out) {
  const std::uint32_t end = buffered_end();
  const std::uint32_t limit = snd_una_ + peer_window_;
  bool sent = false;
  while (seq_lt(snd_nxt_, end) && seq_lt(snd_nxt_, limit)) {
    std::uint32_t n = std::min({end - snd_nxt_, limit - snd_nxt_, std::uint32_t(std::min(peer_mss_, cfg_.mss))});
    Segment s = make(flag::kPsh, snd_nxt_);
    const auto* from = buf_.data() + buf_off_ + (snd_nxt_ - snd_una_);
    s.payload.assign(from, from + n);
    snd_nxt_ += n;
    emit(out, SendSegment{std::move(s)});
    sent = true;
  }
  if (close_requested_ && !fin_sent_ && snd_nxt_ == end) {
    emit(out, SendSegment{make(flag::kFin, snd_nxt_)});
    fin_sent_ = true;
    ++snd_nxt_;
    sent = true;
  }
  if (sent) ack_owed_ = false;
  if (ack_owed_) {
    emit(out, SendSegment{make(0, snd_nxt_)});
    ack_owed_ = false;
  }
  // The timer runs while something is in flight, or while data waits on a closed window.
  const bool in_flight = snd_una_ != snd_nxt_;
  const bool blocked = !in_flight && seq_lt(snd_nxt_, end) && peer_window_ == 0;
  if ((in_flight || blocked) && !timer_) arm(now, out);
}

void Endpoint::on_time(Timestamp now, Actions& out) {
  if (!timer_ || now < *timer_ || state_ == State::Closed) return;
  timer_.reset();
  const bool handshake = state_ != State::Established;
  const unsigned max = handshake ? cfg_.syn_retries : cfg_.data_retries;
  if (retries_ >= max) {
    if (handshake) {
      return finish(Closed::Why::Timeout, fmt::format("no answer to SYN after {} tries", retries_ + 1), out);
    }
    emit(out, SendSegment{make(flag::kRst, snd_nxt_)});
    return finish(Closed::Why::Timeout, fmt::format("no acknowledgement after {} retransmissions", retries_), out);
  }
  ++retries_;
  rto_ = std::min(rto_ * 2, cfg_.max_rto);
  if (state_ == State::SynSent || state_ == State::SynReceived) {
    emit(out, SendSegment{syn_segment()});
    return arm(now, out);
  }
  if (snd_una_ == snd_nxt_ && peer_window_ == 0) {
    // Window probe: an ACK for one byte already acknowledged makes the peer say its window.
    emit(out, SendSegment{make(0, snd_una_ - 1)});
    return arm(now, out);
  }
  // Go back to the oldest unacknowledged byte (the FIN too, when it was sent).
  snd_nxt_ = snd_una_;
  fin_sent_ = false;
  transmit(now, out);
  if (!timer_) arm(now, out);
}

void Endpoint::on_ack(const Segment& s, Timestamp now, Actions& out) {
  if (seq_lt(snd_nxt_, s.ack)) {  // acknowledges what was never sent
    ack_owed_ = true;
    return;
  }
  if (seq_lt(s.ack, snd_una_)) return;  // an old duplicate
  peer_window_ = std::uint32_t(s.window) << snd_shift_;
  if (s.ack == snd_una_) return;
  std::uint32_t acked = s.ack - snd_una_;
  const std::uint32_t data_acked = std::min<std::uint32_t>(acked, static_cast<std::uint32_t>(buf_.size() - buf_off_));
  buf_off_ += data_acked;
  if (buf_off_ == buf_.size()) {
    buf_.clear();
    buf_off_ = 0;
  } else if (buf_off_ > (1u << 20) && buf_off_ * 2 > buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(buf_off_));
    buf_off_ = 0;
  }
  snd_una_ = s.ack;
  if (fin_sent_ && snd_una_ == snd_nxt_) fin_acked_ = true;
  retries_ = 0;
  rto_ = cfg_.min_rto;
  if (timer_) {
    timer_.reset();
    emit(out, CancelTimer{});
  }
  (void)now;
}

void Endpoint::on_segment(const Segment& s, Timestamp now, Actions& out) {
  if (state_ == State::Closed) return;

  if (state_ == State::SynSent) {
    if (s.has(flag::kAck) && s.ack != iss_ + 1) return;  // not for this SYN
    if (s.has(flag::kRst)) {
      if (s.has(flag::kAck)) finish(Closed::Why::Refused, "connection refused (RST)", out);
      return;
    }
    if (!s.has(flag::kSyn) || !s.has(flag::kAck)) return;
    rcv_nxt_ = s.seq + 1;
    snd_una_ = s.ack;
    peer_mss_ = peer_mss(s);
    if (s.wscale) {
      wscale_on_ = true;
      snd_shift_ = std::min(*s.wscale, kMaxShift);
      rcv_shift_ = std::min(cfg_.wscale, kMaxShift);
    }
    peer_window_ = s.window;  // unscaled in the SYN-ACK
    establish(out);
    ack_owed_ = true;
    return transmit(now, out);
  }

  // Acceptable: the segment overlaps the receive window at rcv_nxt (RFC 9293 3.10.7.4, simplified
  // to "starts at or before rcv_nxt + window").
  const std::uint32_t wnd = cfg_.receive_window;
  const bool acceptable = seq_le(s.seq, rcv_nxt_ + wnd) && seq_le(rcv_nxt_, s.seq + std::max<std::uint32_t>(s.space(), 1));
  if (s.has(flag::kRst)) {
    if (acceptable) finish(Closed::Why::Reset, "connection reset by peer", out);
    return;
  }
  if (state_ == State::SynReceived) {
    if (s.has(flag::kSyn) && !s.has(flag::kAck) && s.seq + 1 == rcv_nxt_) {  // our SYN-ACK was lost
      emit(out, SendSegment{syn_segment()});
      return;
    }
    if (!s.has(flag::kAck) || s.ack != iss_ + 1) return;
    snd_una_ = s.ack;
    establish(out);
  }
  if (s.has(flag::kSyn)) {  // a SYN inside the connection: answer with an ACK, change nothing
    ack_owed_ = true;
    return transmit(now, out);
  }
  if (!acceptable) {
    if (s.space() > 0) ack_owed_ = true;
    return transmit(now, out);
  }
  if (s.has(flag::kAck)) on_ack(s, now, out);

  // Data: what lies at rcv_nxt and beyond. Delivered after the ACK for it is out: the owner may
  // answer at once (send, close), and its segments then follow our ACK on the wire, not precede it.
  std::optional<Deliver> delivered;
  bool finished_now = false;
  if (!s.payload.empty()) {
    if (seq_le(s.seq, rcv_nxt_) && seq_lt(rcv_nxt_, s.seq + static_cast<std::uint32_t>(s.payload.size())) && !peer_fin_) {
      std::size_t skip = rcv_nxt_ - s.seq;
      delivered = Deliver{Bytes(s.payload.begin() + static_cast<std::ptrdiff_t>(skip), s.payload.end())};
      rcv_nxt_ += static_cast<std::uint32_t>(s.payload.size() - skip);
    }
    ack_owed_ = true;  // in order or not: say where we are
  } else if (!s.has(flag::kFin) && seq_lt(s.seq, rcv_nxt_)) {
    ack_owed_ = true;  // a window probe or keep-alive (one byte before rcv_nxt): answer it
  }
  if (s.has(flag::kFin)) {
    if (!peer_fin_ && s.seq + static_cast<std::uint32_t>(s.payload.size()) == rcv_nxt_) {
      peer_fin_ = true;
      ++rcv_nxt_;
      finished_now = true;
    }
    ack_owed_ = true;
  }
  if (state_ == State::Closed) return;
  transmit(now, out);
  if (delivered) emit(out, std::move(*delivered));
  if (finished_now) emit(out, PeerFinished{});
  if (fin_acked_ && peer_fin_) finish(Closed::Why::Done, "closed", out);
}

}  // namespace pxe::proto::tcp
