#include "server/tftp/transfer.h"

#include <fmt/format.h>

#include <chrono>
#include <variant>

#include "server/tftp/log.h"
#include "wire/tftp/tftp.h"

namespace pxe::server::tftp {

namespace pt = proto::tftp;
namespace wt = wire::tftp;

std::shared_ptr<spdlog::logger> log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("tftp")) return existing;
    auto l = spdlog::default_logger()->clone("tftp");
    spdlog::register_logger(l);
    return l;
  }();
  return logger;
}

Transfer::Transfer(transport::UdpSocket socket, transport::Endpoint peer, std::string path, std::string name,
                   std::unique_ptr<pt::FileSource> file, std::unique_ptr<pt::Sender> sender)
    : socket_(std::move(socket)),
      peer_(peer),
      path_(std::move(path)),
      name_(std::move(name)),
      file_(std::move(file)),
      sender_(std::move(sender)) {
  socket_.set_buffers(4 << 20);
}

void Transfer::start(Timestamp now) {
  started_ = now;
  apply(sender_->start(now), now);
}

void Transfer::on_readable(Timestamp now) {
  for (int round = 0; round < 64 && !ended_; ++round) {
    auto got = socket_.receive_batch(32, 2048);  // ACKs and ERRORs: small
    if (!got) {
      log()->warn("{}: {}", peer_.str(), got.error().what);
      return;
    }
    if (got->empty()) return;
    bool drained = got->size() < 32;  // saves a recvmmsg that would only say EAGAIN
    for (auto& d : *got) {
      if (ended_) break;
      if (!(d.from == peer_)) {
        // RFC 1350: a packet from another TID gets ERROR 5 and does not disturb the transfer.
        auto err = wt::encode(wt::ErrorPacket{static_cast<std::uint16_t>(wt::ErrorCode::UnknownTid), "Unknown transfer ID"});
        (void)socket_.send_to(err, d.from);
        log()->debug("ignoring packet from {} (TID mismatch, transfer with {})", d.from.str(), peer_.str());
        continue;
      }
      progressed_ = true;
      apply(sender_->on_datagram(d.bytes, now), now);
    }
    if (drained) return;
  }
}

void Transfer::on_writable() { flush(); }

void Transfer::on_timer(Timestamp now) {
  timer_.reset();
  apply(sender_->on_timer(now), now);
}

void Transfer::flush() {
  while (!pending_.empty()) {
    std::vector<Bytes> batch;
    std::size_t n = std::min<std::size_t>(pending_.size(), 64);
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) batch.push_back(std::move(pending_[i]));
    auto sent = socket_.send_batch(batch, peer_);
    std::size_t ok = sent ? *sent : n;  // a hard error: drop them, retransmission will follow
    if (!sent) log()->debug("{}: {}", peer_.str(), sent.error().what);
    for (std::size_t i = ok; i < n; ++i) pending_[i] = std::move(batch[i]);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(ok));
    if (ok < n) return;  // socket buffer full: wait for EPOLLOUT
  }
}

void Transfer::apply(pt::Actions actions, Timestamp now) {
  for (auto& a : actions) {
    if (auto* s = std::get_if<pt::SendDatagram>(&a)) {
      pending_.push_back(std::move(s->bytes));
    } else if (auto* t = std::get_if<pt::SetTimer>(&a)) {
      timer_ = t->at;
    } else if (std::holds_alternative<pt::CancelTimer>(a)) {
      timer_.reset();
    } else {
      ended_ = true;
      flush();  // the final ERROR, if any, goes out before the socket closes
      log_end(a, now);
    }
  }
  if (!ended_) flush();
}

void Transfer::log_end(const pt::Action& result, Timestamp now) {
  double secs = std::chrono::duration<double>(now - started_).count();
  std::string ip = peer_.addr.str();
  if (const auto* f = std::get_if<pt::Finished>(&result)) {
    double rate = secs > 0 ? static_cast<double>(f->bytes) / secs : 0;
    log()->info("sent {} to {} ({} bytes in {:.3f} s, {:.1f} MB/s, blksize {}, windowsize {}, {} retransmissions)",
                path_, ip, f->bytes, secs, rate / 1e6, sender_->negotiated().blksize,
                sender_->negotiated().windowsize, sender_->retransmissions());
    return;
  }
  const auto& e = std::get<pt::Failed>(result);
  switch (e.reason) {
    case pt::FailReason::PeerAborted:  // the firmware's tsize probe: expected, it asks again
      log()->info("error {} {} received from {}", e.code, e.message, ip);
      break;
    case pt::FailReason::PeerError:
      log()->warn("error {} {} received from {}", e.code, e.message, ip);
      break;
    default:
      log()->warn("failed sending {} to {}: {} ({})", path_, ip, e.message, pt::fail_reason_name(e.reason));
      break;
  }
}

}  // namespace pxe::server::tftp
