#include "proto/smb2/connection.h"

#include <algorithm>

#include "proto/smb2/dispatch.h"
#include "proto/smb2/state.h"
#include "wire/smb2/header.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {

Connection::Connection(ServerContext& ctx, Timestamp now, std::uint64_t filetime_now)
    : st_(std::make_unique<ConnState>(ctx)), connected_at_(now), last_rx_(now) {
  st_->filetime_now = filetime_now;
}

Connection::~Connection() {
  // The registry must not keep a channel pointing at this connection.
  Actions ignored;
  detach(ignored);
}

bool Connection::has_deferred() const { return !st_->deferred.empty(); }

void Connection::take_deferred(Actions& out) {
  for (auto& a : st_->deferred) emit(out, std::move(a));
  st_->deferred.clear();
  if (closed_) out.erase(std::remove_if(out.begin(), out.end(),
                                        [](const Action& a) { return !std::holds_alternative<Event>(a); }),
                         out.end());
}

void Connection::detach(Actions& out) {
  ConnState& c = *st_;
  std::vector<std::uint64_t> ids = c.sessions;
  for (auto id : ids) {
    Session* s = c.registry.find(id);
    if (!s) continue;
    if (s->channel(&c) && s->channels.size() == 1) {
      c.drop_session(id, out);  // its last channel: the session ends with it
      continue;
    }
    s->channels.erase(std::remove_if(s->channels.begin(), s->channels.end(),
                                     [&](const Channel& ch) { return ch.host == &c; }),
                      s->channels.end());
    c.session_ended(id);
  }
  c.sessions.clear();
  c.bindings.clear();
}

void Connection::start(Actions& out) { arm_timer(connected_at_, out); }

std::size_t Connection::pdu_limit() const {
  for (auto id : st_->sessions)
    if (Session* s = st_->registry.find(id); s && s->state == Session::State::Valid)
      return st_->ctx->limits.max_pdu;
  return st_->ctx->limits.max_pdu_before_session;
}

std::size_t Connection::memory() const {
  std::size_t m = rx_.capacity() + sizeof(ConnState);
  for (const auto& [id, o] : st_->opens)
    if (st_->session(o.session_id)) m += o.memory();
  m += st_->sessions.size() * sizeof(Session);
  m += st_->pending.size() * sizeof(PendingAsync);
  return m;
}

void Connection::close(std::string why, Actions& out) {
  if (closed_) return;
  closed_ = true;
  // Nothing more goes to the peer: pending requests are dropped; the sessions lose this channel
  // (and end if it was their last: their opens are closed, for the log).
  st_->pending.clear();
  detach(out);
  st_->deferred.clear();
  rx_.clear();
  rx_.shrink_to_fit();
  rx_used_ = 0;
  emit(out, CloseConnection{std::move(why)});
}

void Connection::on_close(Actions& out) {
  if (closed_) return;
  Actions ignored;
  closed_ = true;
  st_->pending.clear();
  detach(ignored);
  st_->deferred.clear();
  // Keep the log lines (what was read), not bytes for a peer that is gone.
  for (auto& a : ignored)
    if (std::holds_alternative<Event>(a)) emit(out, std::move(a));
  rx_.clear();
}

void Connection::handle_message(ByteSpan message, Actions& out) {
  using wire::smb2::Protocol;
  std::optional<std::string> why;
  switch (wire::smb2::sniff(message)) {
    case Protocol::Smb1:
      if (st_->phase != ConnState::Phase::Initial) why = "SMB1 message after the SMB2 negotiation";
      else why = negotiate_smb1(*st_, message, out);
      break;
    case Protocol::Smb2:
      why = process_message(*st_, message, out);
      break;
    case Protocol::Smb2Transform:
      why = "encrypted message (TRANSFORM header): encryption is not offered";
      break;
    case Protocol::Smb2Compressed:
      why = "compressed message: compression is not offered";
      break;
    case Protocol::Unknown:
      why = "not an SMB message";
      break;
  }
  if (why) close(std::move(*why), out);
}

void Connection::on_bytes(ByteSpan stream_bytes, Timestamp now, std::uint64_t filetime_now,
                          Actions& out) {
  if (closed_) return;
  last_rx_ = now;
  st_->filetime_now = filetime_now;
  // Fast path: frames straight from the caller's buffer when nothing is pending; only an
  // incomplete tail is copied.
  ByteSpan data = stream_bytes;
  bool buffered = !rx_.empty();
  if (buffered) {
    rx_.insert(rx_.end(), stream_bytes.begin(), stream_bytes.end());
    data = ByteSpan(rx_).subspan(rx_used_);
  }
  std::size_t used = 0;
  while (!closed_) {
    ByteSpan rest = data.subspan(used);
    auto size = wire::smb2::nbss_frame_size(rest);
    if (!size) break;
    std::uint8_t type = rest[0];
    std::size_t length = *size - wire::smb2::kNbssHeaderSize;
    if (type != wire::smb2::kNbssSessionMessage && type != wire::smb2::kNbssKeepAlive) {
      close("NetBIOS session packet type " + std::to_string(type) + " on a direct TCP connection",
            out);
      return;
    }
    if (length > pdu_limit()) {
      close("NBSS length " + std::to_string(length) + " over the limit of " +
                std::to_string(pdu_limit()) + " bytes in this state",
            out);
      return;
    }
    if (rest.size() < *size) break;
    used += *size;
    if (type == wire::smb2::kNbssKeepAlive) continue;
    handle_message(rest.subspan(wire::smb2::kNbssHeaderSize, length), out);
  }
  if (closed_) return;
  if (buffered) {
    rx_used_ += used;
    if (rx_used_ == rx_.size()) {
      rx_.clear();
      rx_used_ = 0;
    } else if (rx_used_ > 0) {
      rx_.erase(rx_.begin(), rx_.begin() + std::ptrdiff_t(rx_used_));
      rx_used_ = 0;
    }
  } else if (used < data.size()) {
    rx_.assign(data.begin() + std::ptrdiff_t(used), data.end());
    rx_used_ = 0;
  }
  if (rx_.empty() && rx_.capacity() > (64u << 10)) rx_.shrink_to_fit();
  arm_timer(now, out);
}

void Connection::arm_timer(Timestamp now, Actions& out) {
  (void)now;
  const ServerLimits& l = st_->ctx->limits;
  Timestamp deadline = st_->phase == ConnState::Phase::Negotiated ? last_rx_ + l.idle_timeout
                                                                  : connected_at_ + l.negotiate_timeout;
  // One timer: armed when none is, or earlier than the one armed; a timer that fires early
  // re-arms itself (on_time), so a busy connection does not emit a SetTimer per message.
  if (timer_at_ && *timer_at_ <= deadline) return;
  timer_at_ = deadline;
  emit(out, SetTimer{deadline});
}

void Connection::on_time(Timestamp now, Actions& out) {
  if (closed_) return;
  if (timer_at_ && now < *timer_at_) return;
  timer_at_.reset();
  const ServerLimits& l = st_->ctx->limits;
  if (st_->phase != ConnState::Phase::Negotiated) {
    if (now >= connected_at_ + l.negotiate_timeout) {
      close("no NEGOTIATE within " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(l.negotiate_timeout).count()) +
                " s",
            out);
      return;
    }
  } else if (now >= last_rx_ + l.idle_timeout) {
    if (st_->open_count() == 0 && st_->pending.empty()) {
      close("idle for " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(l.idle_timeout).count()) +
                " s with nothing open",
            out);
      return;
    }
    last_rx_ = now;  // files open: the client is only quiet; look again later
  }
  arm_timer(now, out);
}

}  // namespace pxe::proto::smb2
