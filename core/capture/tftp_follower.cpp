#include "capture/tftp_follower.h"

namespace pxe::capture {

void TftpFollower::on_request(std::uint32_t client_ip, std::uint16_t client_port,
                              std::uint32_t server_ip, Timestamp now) {
  std::uint64_t k = key(client_ip, client_port);
  if (auto it = transfers_.find(k); it != transfers_.end()) {
    it->second->server_ip = server_ip;
    touch(it->second, now);
    return;
  }
  if (transfers_.size() >= capacity_) make_room(now);
  order_.push_back(Transfer{k, server_ip, now});
  transfers_.emplace(k, std::prev(order_.end()));
}

bool TftpFollower::touch(Order::iterator it, Timestamp now) {
  it->last_seen = now;
  order_.splice(order_.end(), order_, it);
  return true;
}

bool TftpFollower::matches(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
                           std::uint16_t dport, Timestamp now) {
  if (transfers_.empty()) return false;
  // Server -> client (DATA, OACK, ERROR) ...
  if (auto it = transfers_.find(key(dst_ip, dport));
      it != transfers_.end() && it->second->server_ip == src_ip)
    return touch(it->second, now);
  // ... or client -> server (ACK, ERROR).
  if (auto it = transfers_.find(key(src_ip, sport));
      it != transfers_.end() && it->second->server_ip == dst_ip)
    return touch(it->second, now);
  return false;
}

void TftpFollower::make_room(Timestamp now) {
  // Each entry is looked at once, when it leaves: amortised O(1) per request. The front is the
  // transfer seen longest ago; a capture whose clock steps back can leave an expired entry
  // further in, which only delays its turn.
  while (!order_.empty() &&
         (transfers_.size() >= capacity_ || now - order_.front().last_seen > expiry_)) {
    ++eviction_steps_;
    transfers_.erase(order_.front().key);
    order_.pop_front();
  }
}

}  // namespace pxe::capture
