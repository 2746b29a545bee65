#include "proto/tftp/receiver.h"

#include <algorithm>
#include <variant>

#include "proto/tftp/negotiation.h"

namespace pxe::proto::tftp {

namespace wt = wire::tftp;

Receiver::Receiver(FileSink& sink, ReceiverConfig config)
    : sink_(sink), cfg_(std::move(config)), peer_port_(cfg_.peer_port) {}

Actions Receiver::start(Timestamp now) {
  Actions out;
  give_up_ = now + cfg_.timing.first_answer;
  if (cfg_.serve_write) {
    const Negotiated& n = *cfg_.serve_write;
    blksize_ = n.blksize;
    windowsize_ = n.windowsize;
    state_ = State::Receiving;
    if (n.oack.empty()) {
      send_ack(now, out);  // ACK 0
    } else {
      send(wt::encode(wt::Oack{n.oack}), now, out);
    }
    return out;
  }
  // To the server's well-known port; retransmissions go there too until a TID is latched.
  send(wt::encode(wt::Request{false, cfg_.filename, cfg_.mode, cfg_.options}), now, out, cfg_.server_port);
  return out;
}

void Receiver::send(Bytes bytes, Timestamp now, Actions& out, std::optional<std::uint16_t> to_port) {
  last_sent_ = bytes;
  last_to_port_ = to_port;
  emit(out, SendDatagram{std::move(bytes), to_port});
  emit(out, SetTimer{std::min(now + backoff(cfg_.timing, retries_), give_up_)});
}

void Receiver::progress(Timestamp now) {
  answered_ = true;
  retries_ = 0;
  give_up_ = now + cfg_.timing.idle;
}

void Receiver::send_ack(Timestamp now, Actions& out) {
  ++acks_sent_;
  in_window_ = 0;
  send(wt::encode(wt::Ack{static_cast<std::uint16_t>(received_)}), now, out);
}

void Receiver::fail(FailReason why, std::uint16_t code, std::string message, Actions& out, bool tell_peer) {
  if (tell_peer) emit(out, SendDatagram{wt::encode(wt::ErrorPacket{code, message})});
  emit(out, CancelTimer{});
  emit(out, Failed{why, code, std::move(message)});
  state_ = State::Done;
}

std::optional<std::uint64_t> Receiver::requested(std::string_view name) const {
  const auto* o = wt::find_option(cfg_.options, name);
  if (!o) return std::nullopt;
  return parse_option_number(o->value, 0, UINT64_MAX);
}

void Receiver::on_oack(const wt::Oack& oack, Timestamp now, Actions& out) {
  const auto refuse = static_cast<std::uint16_t>(wt::ErrorCode::OptionRefused);
  for (const auto& opt : oack.options) {
    auto asked = requested(opt.name);
    auto v = parse_option_number(opt.value, 0, UINT64_MAX);
    // RFC 2347: a server may only answer options that were asked for, blksize/windowsize no larger.
    if (!asked || !v) {
      fail(FailReason::OptionRefused, refuse, "unexpected option " + opt.name + "=" + opt.value, out, true);
      return;
    }
    std::string name = opt.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (name == "blksize") {
      if (*v < kMinBlksize || *v > *asked) {
        fail(FailReason::OptionRefused, refuse, "blksize " + opt.value + " not acceptable", out, true);
        return;
      }
      blksize_ = static_cast<std::uint32_t>(*v);
    } else if (name == "windowsize") {
      if (*v < 1 || *v > *asked) {
        fail(FailReason::OptionRefused, refuse, "windowsize " + opt.value + " not acceptable", out, true);
        return;
      }
      windowsize_ = static_cast<std::uint32_t>(*v);
    } else if (name == "tsize") {
      tsize_ = *v;
    } else if (name == "timeout") {
      // RFC 2349: 1..255 s, echoed by the server; it becomes our retransmission interval (fixed,
      // as firmware does), and the idle limit must not cut those retransmissions short.
      if (*v < 1 || *v > 255) {
        fail(FailReason::OptionRefused, refuse, "timeout " + opt.value + " not acceptable", out, true);
        return;
      }
      Timing& t = cfg_.timing;
      t.retransmit = t.max_retransmit = std::chrono::seconds(*v);
      t.schedule.clear();
      t.idle = std::max(t.idle, t.retransmit * (t.max_retries + 1));
    }
  }
  if (cfg_.abort_after_oack) {
    emit(out, SendDatagram{wt::encode(wt::ErrorPacket{cfg_.abort_code, cfg_.abort_message})});
    emit(out, CancelTimer{});
    emit(out, Finished{0, 0});
    state_ = State::Done;
    return;
  }
  state_ = State::Receiving;
  progress(now);
  send_ack(now, out);  // ACK 0
}

void Receiver::on_data(const wt::Data& data, Timestamp now, Actions& out) {
  if (state_ == State::WaitFirst) state_ = State::Receiving;  // the server ignored our options
  if (data.block != static_cast<std::uint16_t>(received_ + 1)) {
    // A duplicate or a gap: acknowledge the last in-order block once per gap (in lock-step, every
    // duplicate is answered, since it means our ACK was lost).
    if (windowsize_ == 1 || !gap_acked_) {
      gap_acked_ = true;
      send_ack(now, out);
    }
    return;
  }
  if (data.payload.size() > blksize_) {
    fail(FailReason::IllegalPacket, static_cast<std::uint16_t>(wt::ErrorCode::IllegalOperation),
         "DATA larger than blksize", out, true);
    return;
  }
  if (auto w = sink_.write(data.payload); !w) {
    fail(FailReason::FileError, static_cast<std::uint16_t>(wt::ErrorCode::DiskFull), w.error().what, out, true);
    return;
  }
  ++received_;
  bytes_ += data.payload.size();
  progress(now);
  gap_acked_ = false;
  ++in_window_;
  if (data.payload.size() < blksize_) {
    if (auto f = sink_.finish(); !f) {
      fail(FailReason::FileError, static_cast<std::uint16_t>(wt::ErrorCode::DiskFull), f.error().what, out, true);
      return;
    }
    send_ack(now, out);
    emit(out, CancelTimer{});
    emit(out, Finished{bytes_, received_});
    state_ = State::Done;
  } else if (in_window_ >= windowsize_) {
    send_ack(now, out);
  } else {
    emit(out, SetTimer{std::min(now + backoff(cfg_.timing, 0), give_up_)});
  }
}

Actions Receiver::on_datagram(ByteSpan bytes, std::uint16_t from_port, Timestamp now) {
  Actions out;
  if (state_ == State::Done) return out;
  if (peer_port_ && from_port != *peer_port_) {
    if (tid_replies_.should_answer(bytes, now)) emit(out, SendDatagram{unknown_tid_error(), from_port});
    return out;
  }
  auto parsed = wt::parse(bytes);
  if (!parsed) return out;
  if (!peer_port_) {
    // The first answer to the RRQ (OACK, DATA or ERROR) names the server's TID. Anything else
    // before it (junk, a stray ACK) is not an answer: ignored, nothing latched.
    const auto op = wt::opcode_of(*parsed);
    if (op != wt::Opcode::Oack && op != wt::Opcode::Data && op != wt::Opcode::Error) return out;
    peer_port_ = from_port;
  }
  dispatch(*parsed, now, out);
  return out;
}

Actions Receiver::on_datagram(ByteSpan bytes, Timestamp now) {
  Actions out;
  if (state_ == State::Done) return out;
  auto parsed = wt::parse(bytes);
  if (!parsed) return out;
  dispatch(*parsed, now, out);
  return out;
}

void Receiver::dispatch(const wt::Packet& p, Timestamp now, Actions& out) {
  if (const auto* d = std::get_if<wt::Data>(&p)) {
    on_data(*d, now, out);
  } else if (const auto* o = std::get_if<wt::Oack>(&p); o && !cfg_.serve_write) {
    if (state_ == State::WaitFirst) on_oack(*o, now, out);
  } else if (const auto* e = std::get_if<wt::ErrorPacket>(&p)) {
    fail(FailReason::PeerError, e->code, e->message, out, false);
  } else {
    fail(FailReason::IllegalPacket, static_cast<std::uint16_t>(wt::ErrorCode::IllegalOperation),
         cfg_.serve_write ? "unexpected packet during a write" : "unexpected packet during a read", out, true);
  }
}

Actions Receiver::on_timer(Timestamp now) {
  Actions out;
  if (state_ == State::Done) return out;
  if (now >= give_up_) {  // silence: nobody to tell
    fail(FailReason::Timeout, 0, answered_ ? "no progress within the idle timeout" : "no answer from the peer", out,
         false);
    return out;
  }
  if (++retries_ > cfg_.timing.max_retries) {
    fail(FailReason::Timeout, 0, "no answer after retransmissions", out, false);
    return out;
  }
  // In a window, a timer running out means the rest of the window was lost: ACK what arrived.
  // A server that has not seen DATA 1 yet repeats its OACK (or ACK 0) instead.
  if (state_ == State::Receiving && !(cfg_.serve_write && received_ == 0)) {
    send_ack(now, out);
  } else {
    send(last_sent_, now, out, last_to_port_);
  }
  return out;
}

}  // namespace pxe::proto::tftp
