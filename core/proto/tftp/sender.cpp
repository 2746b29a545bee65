#include "proto/tftp/sender.h"

#include <algorithm>
#include <variant>

namespace pxe::proto::tftp {

namespace wt = wire::tftp;

namespace {
constexpr std::size_t kChunkBytes = 256 * 1024;  // file read size (rounded to whole blocks)
}

Sender::Sender(FileSource& file, Negotiated negotiated, Timing timing)
    : file_(file), neg_(std::move(negotiated)), timing_(timing) {
  auto size = file_.size();
  // With the size known up front the final block is known too: a file that is an exact multiple
  // of blksize ends with an empty DATA block.
  if (size) last_block_ = *size / neg_.blksize + 1;
  std::uint64_t blocks = std::max<std::uint64_t>(neg_.windowsize, kChunkBytes / neg_.blksize);
  std::uint64_t bytes = blocks * neg_.blksize;
  // One byte more than a small file: the short read then tells where the file ends.
  if (size) bytes = std::min<std::uint64_t>(bytes, *size + 1);
  chunk_.resize(static_cast<std::size_t>(bytes));
  headers_.resize(std::size_t{4} * neg_.windowsize);
}

Actions Sender::start(Timestamp now) {
  Actions out;
  start(now, out);
  return out;
}
Actions Sender::on_datagram(ByteSpan bytes, Timestamp now) {
  Actions out;
  on_datagram(bytes, now, out);
  return out;
}
Actions Sender::on_timer(Timestamp now) {
  Actions out;
  on_timer(now, out);
  return out;
}

void Sender::start(Timestamp now, Actions& out) {
  out.clear();
  give_up_ = now + timing_.first_answer;
  if (!neg_.oack.empty()) {
    state_ = State::WaitOackAck;
    emit(out, SendDatagram{wt::encode(wt::Oack{neg_.oack})});
    arm(now, out);
  } else {
    state_ = State::Sending;
    send_window(now, out);
  }
}

void Sender::progress(Timestamp now) {
  answered_ = true;
  retries_ = 0;
  give_up_ = now + timing_.idle;
}

void Sender::arm(Timestamp now, Actions& out) {
  Timestamp at = now + backoff(timing_, retries_);
  emit(out, SetTimer{std::min(at, give_up_)});
}

void Sender::fail(FailReason why, std::uint16_t code, std::string message, Actions& out, bool tell_peer) {
  if (tell_peer) emit(out, SendDatagram{wt::encode(wt::ErrorPacket{code, message})});
  emit(out, CancelTimer{});
  emit(out, Failed{why, code, std::move(message)});
  state_ = State::Done;
}

// Makes blocks first..last available in chunk_ (reading from `first` when they are not all
// there). The window always fits: the chunk holds at least windowsize blocks.
bool Sender::load_chunk(std::uint64_t first, std::uint64_t last, Actions& out) {
  const std::uint64_t bs = neg_.blksize;
  auto covered = [&](std::uint64_t b) {
    if (chunk_first_ == 0 || b < chunk_first_) return false;
    std::uint64_t off = (b - chunk_first_) * bs;
    // A block is there when its bytes are, or when the read stopped short inside or before it
    // (the end of the file).
    return off + bs <= chunk_len_ || (chunk_len_ < chunk_.size() && off <= chunk_len_);
  };
  if (covered(first) && covered(last)) return true;
  auto n = file_.read((first - 1) * bs, chunk_);
  if (!n) {
    fail(FailReason::FileError, 0, "read failed: " + n.error().what, out, true);
    return false;
  }
  chunk_first_ = first;
  chunk_len_ = *n;
  return true;
}

void Sender::send_window(Timestamp now, Actions& out) {
  std::uint64_t first = acked_ + 1;
  std::uint64_t end = acked_ + neg_.windowsize;
  if (last_block_) end = std::min(end, *last_block_);
  if (!load_chunk(first, end, out)) return;
  const std::uint64_t bs = neg_.blksize;
  for (std::uint64_t b = first; b <= end; ++b) {
    std::uint64_t off = (b - chunk_first_) * bs;
    std::size_t n = off >= chunk_len_ ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(bs, chunk_len_ - off));
    // The file may have shrunk since its size was taken: a short block ends the transfer.
    if (n < bs && (!last_block_ || b < *last_block_)) last_block_ = b;
    std::uint8_t* h = headers_.data() + 4 * (b - first);
    h[0] = 0;
    h[1] = static_cast<std::uint8_t>(wt::Opcode::Data);
    h[2] = static_cast<std::uint8_t>((b >> 8) & 0xff);  // the 16-bit block number wraps
    h[3] = static_cast<std::uint8_t>(b & 0xff);
    emit(out, SendData{ByteSpan(h, 4), ByteSpan(chunk_.data() + off, n)});
    sent_high_ = std::max(sent_high_, b);
    if (last_block_ && b == *last_block_) {
      bytes_final_block_ = n;
      break;
    }
  }
  arm(now, out);
}

void Sender::on_ack(std::uint16_t block, Timestamp now, Actions& out) {
  if (state_ == State::WaitOackAck) {
    if (block != 0) return;  // only ACK 0 acknowledges an OACK
    state_ = State::Sending;
    progress(now);
    send_window(now, out);
    return;
  }
  std::uint64_t ahead = blocks_ahead(acked_, block);
  // A duplicate ACK (ahead == 0) or one for a block never sent is ignored: answering duplicates
  // with DATA is the sorcerer's apprentice bug; the timer recovers real losses.
  if (ahead == 0 || ahead > sent_high_ - acked_) return;
  acked_ += ahead;
  progress(now);
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

void Sender::on_datagram(ByteSpan bytes, Timestamp now, Actions& out) {
  out.clear();
  if (state_ == State::Done) return;
  // ACK, the datagram of nearly every event, is decoded here without building a Packet.
  if (bytes.size() == 4 && bytes[0] == 0 && bytes[1] == static_cast<std::uint8_t>(wt::Opcode::Ack)) {
    on_ack(static_cast<std::uint16_t>(bytes[2] << 8 | bytes[3]), now, out);
    return;
  }
  auto parsed = wt::parse(bytes);
  if (!parsed) {
    ++malformed_;  // dropped: a retransmission will follow if it mattered
    return;
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
}

void Sender::on_timer(Timestamp now, Actions& out) {
  out.clear();
  if (state_ == State::Done) return;
  if (now >= give_up_) {
    // Silence: nobody to tell (and an ERROR to an address that never answered could be a
    // reflection towards a spoofed one).
    fail(FailReason::Timeout, 0, answered_ ? "no progress within the idle timeout" : "no answer from the client", out,
         false);
    return;
  }
  if (++retries_ > timing_.max_retries) {
    fail(FailReason::Timeout, 0, "no acknowledgement after retransmissions", out, false);
    return;
  }
  ++retransmissions_;
  if (state_ == State::WaitOackAck) {
    emit(out, SendDatagram{wt::encode(wt::Oack{neg_.oack})});
    arm(now, out);
  } else {
    send_window(now, out);
  }
}

}  // namespace pxe::proto::tftp
