// Runs a Sender and a Receiver against each other over an in-memory link with a manual clock.
// A drop rule decides, per datagram, whether the link loses it; every datagram is recorded.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "proto/tftp/receiver.h"
#include "proto/tftp/sender.h"

namespace pxe::proto::tftp::test {

enum class Dir { ToClient, ToServer };

struct Wire {
  Dir dir;
  Bytes bytes;
  Timestamp at;
  std::optional<std::uint16_t> to_port;  // SendDatagram::to_port (the client's RRQ: 69)
};

// The server's TID: the port every answer comes from (the client latches it).
inline constexpr std::uint16_t kServerTid = 40000;

class LinkHarness {
 public:
  using DropRule = std::function<bool(const Wire&, std::size_t index)>;

  LinkHarness(Sender& server, Receiver& client) : server_(server), client_(client) {}
  void drop_if(DropRule rule) { drop_ = std::move(rule); }

  // Starts the client; `server_start` is called when the RRQ reaches the server (the test built
  // the Sender from it already). Runs until both sides are done or `max_steps` is reached.
  void run(std::size_t max_steps = 10'000'000) {
    apply(Dir::ToServer, client_.start(clock_.now()), client_result_, client_timer_);
    bool server_started = false;
    for (std::size_t step = 0; step < max_steps; ++step) {
      if (!queue_.empty()) {
        Wire w = std::move(queue_.front());
        queue_.pop_front();
        if (w.dir == Dir::ToServer) {
          if (!server_started) {  // the RRQ: the server side starts its transfer
            server_started = true;
            apply(Dir::ToClient, server_.start(clock_.now()), server_result_, server_timer_);
          } else {
            apply(Dir::ToClient, server_.on_datagram(w.bytes, clock_.now()), server_result_, server_timer_);
          }
        } else {
          apply(Dir::ToServer, client_.on_datagram(w.bytes, kServerTid, clock_.now()), client_result_, client_timer_);
        }
        continue;
      }
      // Nothing in flight: jump to the earliest timer.
      std::optional<Timestamp>* next = nullptr;
      if (server_timer_ && (!client_timer_ || *server_timer_ <= *client_timer_)) next = &server_timer_;
      else if (client_timer_) next = &client_timer_;
      if (!next) break;
      clock_.set(**next);
      next->reset();
      if (next == &server_timer_)
        apply(Dir::ToClient, server_.on_timer(clock_.now()), server_result_, server_timer_);
      else
        apply(Dir::ToServer, client_.on_timer(clock_.now()), client_result_, client_timer_);
    }
  }

  const std::vector<Wire>& sent() const { return log_; }
  const std::optional<Action>& server_result() const { return server_result_; }
  const std::optional<Action>& client_result() const { return client_result_; }
  Timestamp now() const { return clock_.now(); }
  std::size_t count(Dir dir, wire::tftp::Opcode op) const {
    std::size_t n = 0;
    for (const auto& w : log_)
      if (w.dir == dir && w.bytes.size() >= 2 && w.bytes[1] == static_cast<std::uint8_t>(op)) ++n;
    return n;
  }

 private:
  void apply(Dir dir, Actions actions, std::optional<Action>& result, std::optional<Timestamp>& timer) {
    for (auto& a : actions) {
      if (auto bytes = datagram_bytes(a)) {  // SendDatagram, or SendData's views joined now
        const auto* s = std::get_if<SendDatagram>(&a);
        Wire w{dir, std::move(*bytes), clock_.now(), s ? s->to_port : std::nullopt};
        log_.push_back(w);
        if (!drop_ || !drop_(w, log_.size() - 1)) queue_.push_back(std::move(w));
      } else if (auto* t = std::get_if<SetTimer>(&a)) {
        timer = t->at;
      } else if (std::holds_alternative<CancelTimer>(a)) {
        timer.reset();
      } else {
        result = std::move(a);
      }
    }
  }

  Sender& server_;
  Receiver& client_;
  ManualClock clock_{Timestamp{1'000'000}};
  DropRule drop_;
  std::deque<Wire> queue_;
  std::vector<Wire> log_;
  std::optional<Timestamp> server_timer_, client_timer_;
  std::optional<Action> server_result_, client_result_;
};

inline Bytes pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>((i * 131 + i / 251) & 0xff);
  return b;
}

// The 16-bit block number of a DATA or ACK datagram.
inline std::uint16_t block_of(const Bytes& b) { return static_cast<std::uint16_t>(b[2] << 8 | b[3]); }
inline bool is_op(const Wire& w, wire::tftp::Opcode op) {
  return w.bytes.size() >= 2 && w.bytes[1] == static_cast<std::uint8_t>(op);
}

}  // namespace pxe::proto::tftp::test
