#include "server/tftp/transfer.h"

#include <fmt/format.h>

#include <chrono>
#include <variant>

#include "base/text.h"
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

Transfer::Transfer(transport::UdpSocket socket, transport::Endpoint peer, std::string path, std::string name,
                   std::unique_ptr<pt::FileSink> sink, std::unique_ptr<pt::Receiver> receiver,
                   std::function<Result<void>()> commit, std::function<void()> discard)
    : socket_(std::move(socket)),
      peer_(peer),
      path_(std::move(path)),
      name_(std::move(name)),
      sink_(std::move(sink)),
      receiver_(std::move(receiver)),
      commit_(std::move(commit)),
      discard_(std::move(discard)) {
  socket_.set_buffers(4 << 20);
}

Transfer::~Transfer() {
  // An upload that did not finish (failed, or the server stopped) leaves nothing behind.
  if (receiver_ && !committed_ && discard_) discard_();
}

void Transfer::start(Timestamp now) {
  started_ = now;
  if (sender_) sender_->start(now, actions_);
  else actions_ = receiver_->start(now);
  apply(now);
}

void Transfer::on_readable(Timestamp now) {
  // Uploads carry DATA of up to blksize + 4 bytes; reads only get ACKs and ERRORs.
  const std::size_t max = receiver_ ? 8 : 32;
  const std::size_t size = receiver_ ? 65536 : 2048;
  for (int round = 0; round < 64 && !ended_; ++round) {
    if (auto got = socket_.receive_views(received_, max, size); !got) {
      log()->warn("{}: {}", peer_.str(), got.error().what);
      return;
    }
    if (received_.empty()) return;
    bool drained = received_.size() < max;  // saves a recvmmsg that would only say EAGAIN
    for (const auto& d : received_) {
      if (ended_) break;
      if (!(d.from == peer_)) {
        on_stranger(d, now);
        continue;
      }
      if (sender_) sender_->on_datagram(d.bytes, now, actions_);
      else actions_ = receiver_->on_datagram(d.bytes, now);
      apply(now);
    }
    if (drained) return;
  }
}

// RFC 1350: a packet from another TID gets ERROR 5 and does not disturb the transfer; the rule
// (never answer an ERROR, a few answers per second at most) is proto::tftp::UnknownTidReplies.
// Rate-limiting was chosen over connect()ing the socket to the peer: a connected socket would
// answer nothing at all (the kernel drops strangers), and the occasional ERROR 5 tells a real
// client that started over from a new port what happened.
void Transfer::on_stranger(const transport::DatagramView& d, Timestamp now) {
  log()->debug("ignoring a packet from {} (TID mismatch, transfer with {})", d.from.str(), peer_.str());
  if (tid_replies_.should_answer(d.bytes, now)) (void)socket_.send_to(pt::unknown_tid_error(), d.from);
}

void Transfer::abort(const std::string& message) {
  if (ended_) return;
  ended_ = true;
  timer_.reset();
  (void)socket_.send_to(wt::encode(wt::ErrorPacket{0, message}), peer_);
  log()->info("{} {} {} {}: {}", receiver_ ? "abandoning the upload of" : "stopped sending", path_,
              receiver_ ? "from" : "to", peer_.addr.str(), message);
}

void Transfer::on_writable() { flush(); }

void Transfer::on_timer(Timestamp now) {
  timer_.reset();
  if (sender_) sender_->on_timer(now, actions_);
  else actions_ = receiver_->on_timer(now);
  apply(now);
}

// Sends this event's datagrams straight from the machine's buffers; whatever the socket does not
// take now is copied and queued, behind anything queued before (order matters to the peer).
void Transfer::send_out() {
  if (out_.empty()) return;
  std::size_t ok = 0;
  if (pending_.empty()) {
    // A window of equal blocks (the last may be short) goes out segmented when the kernel can.
    auto size = [](const transport::GatherDatagram& d) { return d.head.size() + d.body.size(); };
    bool uniform = gso_ && out_.size() >= 2;
    for (std::size_t i = 1; uniform && i + 1 < out_.size(); ++i) uniform = size(out_[i]) == size(out_[0]);
    Result<std::size_t> sent = std::size_t{0};
    if (uniform) {
      bool unsupported = false;
      sent = socket_.send_segmented(out_, size(out_[0]), peer_, &unsupported);
      if (unsupported) {
        gso_ = false;  // e.g. a block larger than the path MTU (--tftp-mtu): plain datagrams from now on
        log()->debug("{}: UDP segmentation refused, sending plain datagrams", peer_.str());
        if (sent) {
          auto rest = socket_.send_gathered(std::span(out_).subspan(*sent), peer_);
          sent = rest ? *sent + *rest : rest;
        }
      }
    } else {
      sent = socket_.send_gathered(out_, peer_);
    }
    if (!sent) log()->debug("{}: {}", peer_.str(), sent.error().what);
    ok = sent ? *sent : out_.size();  // a hard error: drop them, retransmission will follow
  }
  for (std::size_t i = ok; i < out_.size(); ++i) {
    std::size_t n = out_[i].head.size() + out_[i].body.size();
    if (pending_bytes_ + n > kMaxPendingBytes) {  // bounded: the retransmission timer recovers
      pending_dropped_ += out_.size() - i;
      break;
    }
    Bytes b(out_[i].head.begin(), out_[i].head.end());
    b.insert(b.end(), out_[i].body.begin(), out_[i].body.end());
    pending_bytes_ += n;
    pending_.push_back(std::move(b));
  }
  out_.clear();
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
    for (std::size_t i = 0; i < ok; ++i) pending_bytes_ -= batch[i].size();
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(ok));
    if (ok < n) return;  // socket buffer full: wait for EPOLLOUT
  }
}

void Transfer::apply(Timestamp now) {
  for (auto& a : actions_) {
    if (auto* d = std::get_if<pt::SendData>(&a)) {
      out_.push_back({d->header, d->payload});
    } else if (auto* s = std::get_if<pt::SendDatagram>(&a)) {
      out_.push_back({s->bytes, {}});
    } else if (auto* t = std::get_if<pt::SetTimer>(&a)) {
      timer_ = t->at;
    } else if (std::holds_alternative<pt::CancelTimer>(a)) {
      timer_.reset();
    } else {
      if (receiver_ && std::holds_alternative<pt::Finished>(a) && commit_) {
        if (auto c = commit_(); c) {
          committed_ = true;
        } else {
          // The last ACK is already queued; the client believes it is done. Say so loudly.
          log()->error("failed storing {} from {}: {}", path_, peer_.addr.str(), c.error().what);
          ended_ = true;
          send_out();
          flush();
          return;
        }
      }
      ended_ = true;
      send_out();
      flush();  // the final ERROR or ACK, if any, goes out before the socket closes
      log_end(a, now);
    }
  }
  if (!ended_) send_out();
}

void Transfer::log_end(const pt::Action& result, Timestamp now) {
  TransferEnd end{receiver_ != nullptr, path_, peer_.addr, now - started_, 0, 0, 0};
  if (sender_) {
    end.blksize = sender_->negotiated().blksize;
    end.windowsize = sender_->negotiated().windowsize;
    end.retransmissions = sender_->retransmissions();
  } else {
    end.blksize = receiver_->blksize();
    end.windowsize = receiver_->windowsize();
  }
  auto line = transfer_end_line(end, result);
  log()->log(line.level, "{}", line.text);
}

}  // namespace pxe::server::tftp
