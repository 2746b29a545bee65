#include "capture/tftp_follower.h"

namespace pxe::capture {

void TftpFollower::on_request(std::uint32_t client_ip, std::uint16_t client_port,
                              std::uint32_t server_ip, Timestamp now) {
  if (transfers_.size() >= capacity_) evict(now);
  transfers_[key(client_ip, client_port)] = Transfer{server_ip, now};
}

bool TftpFollower::matches(std::uint32_t src_ip, std::uint16_t sport, std::uint32_t dst_ip,
                           std::uint16_t dport, Timestamp now) {
  if (transfers_.empty()) return false;
  // Server -> client (DATA, OACK, ERROR) ...
  if (auto it = transfers_.find(key(dst_ip, dport));
      it != transfers_.end() && it->second.server_ip == src_ip) {
    it->second.last_seen = now;
    return true;
  }
  // ... or client -> server (ACK, ERROR).
  if (auto it = transfers_.find(key(src_ip, sport));
      it != transfers_.end() && it->second.server_ip == dst_ip) {
    it->second.last_seen = now;
    return true;
  }
  return false;
}

void TftpFollower::evict(Timestamp now) {
  for (auto it = transfers_.begin(); it != transfers_.end();) {
    if (now - it->second.last_seen > expiry_)
      transfers_.erase(it++);
    else
      ++it;
  }
  // Still full of live transfers: drop an arbitrary half rather than grow without bound.
  if (transfers_.size() >= capacity_) {
    std::size_t n = transfers_.size() / 2;
    for (auto it = transfers_.begin(); it != transfers_.end() && n; --n) transfers_.erase(it++);
  }
}

}  // namespace pxe::capture
