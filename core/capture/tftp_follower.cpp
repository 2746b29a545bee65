#include "capture/tftp_follower.h"

#include <algorithm>

namespace pxe::capture {

void TftpFollower::on_request(std::uint32_t client_ip, std::uint16_t client_port,
                              std::uint32_t server_ip, Timestamp now) {
  std::uint64_t k = key(client_ip, client_port);
  if (auto it = transfers_.find(k); it != transfers_.end()) {
    it->second->server_ip = server_ip;
    it->second->blksize = 512;  // a new request starts a new negotiation
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

TftpFollower::Transfer* TftpFollower::find(std::uint32_t src_ip, std::uint16_t sport,
                                            std::uint32_t dst_ip, std::uint16_t dport) const {
  if (transfers_.empty()) return nullptr;
  if (auto it = transfers_.find(key(dst_ip, dport));
      it != transfers_.end() && it->second->server_ip == src_ip)
    return &*it->second;
  if (auto it = transfers_.find(key(src_ip, sport));
      it != transfers_.end() && it->second->server_ip == dst_ip)
    return &*it->second;
  return nullptr;
}

std::uint16_t TftpFollower::block_size(std::uint32_t src_ip, std::uint16_t sport,
                                       std::uint32_t dst_ip, std::uint16_t dport) const {
  const Transfer* t = find(src_ip, sport, dst_ip, dport);
  return t ? t->blksize : 0;
}

void TftpFollower::set_block_size(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
                                  std::uint16_t dport, std::uint16_t blksize) {
  if (Transfer* t = find(src_ip, sport, dst_ip, dport)) t->blksize = blksize;
}

bool split_tftp_gso(ByteSpan payload, std::uint16_t blksize, std::vector<ByteSpan>& out) {
  out.clear();
  const std::size_t seg = std::size_t(blksize) + 4;
  if (blksize == 0 || payload.size() <= seg) return false;
  auto u16 = [&](std::size_t off) { return std::uint16_t(payload[off] << 8 | payload[off + 1]); };
  const std::uint16_t first = u16(2);
  std::uint16_t i = 0;
  for (std::size_t off = 0; off < payload.size(); off += seg, ++i) {
    std::size_t len = std::min(seg, payload.size() - off);
    if (len < 4 || u16(off) != 3 || u16(off + 2) != std::uint16_t(first + i)) {
      out.clear();
      return false;
    }
    out.push_back(payload.subspan(off, len));
  }
  return true;
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
