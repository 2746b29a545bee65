#include "capture/smb_connections.h"

#include <utility>

namespace pxe::capture {

bool SmbConnections::looks_like_smb(ByteSpan p, bool* from_server) {
  // NBSS session message header: type 0x00, 24-bit length (RFC 1002 4.3.1; direct-hosted SMB
  // on 445 uses the same 4 bytes).
  if (p.size() < 8 || p[0] != 0x00) return false;
  const std::size_t len = std::size_t(p[1]) << 16 | std::size_t(p[2]) << 8 | p[3];
  if (p[5] != 'S' || p[6] != 'M' || p[7] != 'B') return false;
  if (p[4] == 0xfe) {
    // SMB2 sync/async header: 64 bytes, StructureSize 64, Flags at offset 16 (bit 0:
    // SERVER_TO_REDIR, a response).
    if (len < 64) return false;
    if (p.size() >= 4 + 6 && (p[8] != 64 || p[9] != 0)) return false;
    if (from_server) *from_server = p.size() >= 4 + 17 && (p[4 + 16] & 0x01);
    return true;
  }
  if (p[4] == 0xff) {
    // SMB1 header: 32 bytes, Flags at offset 9 (bit 7: a reply).
    if (len < 32) return false;
    if (from_server) *from_server = p.size() >= 4 + 10 && (p[4 + 9] & 0x80);
    return true;
  }
  return false;
}

SmbConnections::Conn* SmbConnections::find(const Key& k) {
  if (auto it = current_.find(k); it != current_.end()) return &it->second;
  auto it = previous_.find(k);
  if (it == previous_.end()) return nullptr;
  Conn carried = it->second;
  previous_.erase(it);
  return &add(k, carried);
}

SmbConnections::Conn& SmbConnections::add(const Key& k, Conn c) {
  if (current_.size() >= capacity_) {
    previous_ = std::move(current_);
    current_ = Map();
  }
  return current_.insert_or_assign(k, c).first->second;
}

SmbConnections::Verdict SmbConnections::classify(std::uint32_t src, std::uint16_t sport,
                                                 std::uint32_t dst, std::uint16_t dport, bool syn,
                                                 bool ack, ByteSpan payload) {
  if (standard_port(sport) || standard_port(dport))
    return {true, standard_port(dport) ? dport : sport};
  const std::uint64_t s = std::uint64_t(src) << 16 | sport, d = std::uint64_t(dst) << 16 | dport;
  const Key key = s < d ? Key{s, d} : Key{d, s};
  Conn* c = find(key);
  if (syn && !ack) {
    // A new connection (perhaps on a reused 4-tuple): its client is the SYN's sender.
    Conn fresh{State::Undecided, dport};
    if (c) *c = fresh;
    else c = &add(key, fresh);
  } else if (syn) {
    if (!c) c = &add(key, Conn{State::Undecided, sport});  // the SYN itself was not captured
  } else if (!c) {
    // A connection seen first mid-stream: nothing to judge before its first data.
    if (payload.empty()) return {};
    c = &add(key, Conn{});
  }
  if (c->state == State::Undecided && !payload.empty()) {
    bool from_server = false;
    if (looks_like_smb(payload, &from_server)) {
      c->state = State::Smb;
      if (c->server_port == 0) c->server_port = from_server ? sport : dport;
    } else {
      c->state = State::NotSmb;
    }
  }
  if (c->state != State::Smb) return {};
  return {true, c->server_port};
}

}  // namespace pxe::capture
