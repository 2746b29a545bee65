#include "proto/tftp/sender.h"

#include <algorithm>
#include <variant>

namespace pxe::proto::tftp {

namespace wt = wire::tftp;

Sender::Sender(FileSource& file, Negotiated negotiated, Timing timing)
    : file_(file), neg_(std::move(negotiated)), timing_(timing) {
  auto size = file_.size();
  // With the size known up front the final block is known too: a file that is an exact multiple
  // of blksize ends with an empty DATA block.
  if (size) last_block_ = *size / neg_.blksize + 1;
  scratch_.resize(neg_.blksize);
}

Actions Sender::start(Timestamp now) {
  Actions out;
  deadline_ = now + timing_.time_limit;
  if (!neg_.oack.empty()) {
    state_ = State::WaitOackAck;
    emit(out, SendDatagram{wt::encode(wt::Oack{neg_.oack})});
    arm(now, out);
  } else {
    state_ = State::Sending;
    send_window(now, out);
  }
  return out;
}

void Sender::arm(Timestamp now, Actions& out) {
  Timestamp at = now + backoff(timing_, retries_);
  emit(out, SetTimer{std::min(at, deadline_)});
}

void Sender::fail(FailReason why, std::uint16_t code, std::string message, Actions& out, bool tell_peer) {
  if (tell_peer) emit(out, SendDatagram{wt::encode(wt::ErrorPacket{code, message})});
  emit(out, CancelTimer{});
  emit(out, Failed{why, code, std::move(message)});
  state_ = State::Done;
}

bool Sender::send_block(std::uint64_t block, Actions& out) {
  auto n = file_.read((block - 1) * neg_.blksize, scratch_);
  if (!n) {
    fail(FailReason::FileError, 0, "read failed: " + n.error().what, out, true);
    return false;
  }
  if (*n < neg_.blksize) last_block_ = block;
  auto payload = ByteSpan(scratch_.data(), *n);
  emit(out, SendDatagram{wt::encode(wt::Data{static_cast<std::uint16_t>(block), payload})});
  if (block == last_block_) {
    bytes_final_block_ = *n;
  }
  return true;
}

void Sender::send_window(Timestamp now, Actions& out) {
  std::uint64_t first = acked_ + 1;
  std::uint64_t end = acked_ + neg_.windowsize;
  if (last_block_) end = std::min(end, *last_block_);
  for (std::uint64_t b = first; b <= end; ++b) {
    if (!send_block(b, out)) return;
    sent_high_ = std::max(sent_high_, b);
    if (last_block_ && b == *last_block_) break;
  }
  arm(now, out);
}

void Sender::on_ack(std::uint16_t block, Timestamp now, Actions& out) {
  if (state_ == State::WaitOackAck) {
    if (block != 0) return;  // only ACK 0 acknowledges an OACK
    state_ = State::Sending;
    retries_ = 0;
    send_window(now, out);
    return;
  }
  std::uint64_t ahead = blocks_ahead(acked_, block);
  // A duplicate ACK (ahead == 0) or one for a block never sent is ignored: answering duplicates
  // with DATA is the sorcerer's apprentice bug; the timer recovers real losses.
  if (ahead == 0 || ahead > sent_high_ - acked_) return;
  acked_ += ahead;
  retries_ = 0;
  if (last_block_ && acked_ == *last_block_) {
    state_ = State::Done;
    emit(out, CancelTimer{});
    emit(out, Finished{bytes_sent(), acked_});
    return;
  }
  // A partial ACK means the receiver saw a gap (RFC 7440): go on from the block after it.
  send_window(now, out);
}

std::uint64_t Sender::bytes_sent() const {
  if (last_block_ && acked_ == *last_block_) return (acked_ - 1) * neg_.blksize + bytes_final_block_;
  return acked_ * neg_.blksize;
}

Actions Sender::on_datagram(ByteSpan bytes, Timestamp now) {
  Actions out;
  if (state_ == State::Done) return out;
  auto parsed = wt::parse(bytes);
  if (!parsed) {
    ++malformed_;  // dropped: a retransmission will follow if it mattered
    return out;
  }
  const wt::Packet& p = *parsed;
  if (const auto* ack = std::get_if<wt::Ack>(&p)) {
    on_ack(ack->block, now, out);
  } else if (const auto* err = std::get_if<wt::ErrorPacket>(&p)) {
    // Firmware probing the size (tsize) aborts right after the OACK, then asks again.
    bool probe = state_ == State::WaitOackAck &&
                 (err->code == 0 || err->code == static_cast<std::uint16_t>(wt::ErrorCode::OptionRefused));
    fail(probe ? FailReason::PeerAborted : FailReason::PeerError, err->code, err->message, out, false);
  } else {
    fail(FailReason::IllegalPacket, static_cast<std::uint16_t>(wt::ErrorCode::IllegalOperation),
         std::string("unexpected ") + std::string(wt::opcode_name(static_cast<std::uint16_t>(wt::opcode_of(p)))) +
             " during a read transfer",
         out, true);
  }
  return out;
}

Actions Sender::on_timer(Timestamp now) {
  Actions out;
  if (state_ == State::Done) return out;
  if (now >= deadline_) {
    fail(FailReason::TimeLimit, 0, "transfer time limit reached", out, true);
    return out;
  }
  if (++retries_ > timing_.max_retries) {
    fail(FailReason::Timeout, 0, "no acknowledgement after retransmissions", out, false);
    return out;
  }
  ++retransmissions_;
  if (state_ == State::WaitOackAck) {
    emit(out, SendDatagram{wt::encode(wt::Oack{neg_.oack})});
    arm(now, out);
  } else {
    send_window(now, out);
  }
  return out;
}

}  // namespace pxe::proto::tftp
