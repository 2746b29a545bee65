#include "capture/smb_streams.h"

#include <tins/packet.h>
#include <tins/tcp_ip/stream.h>

#include <algorithm>

namespace pxe::capture {

using Tins::TCPIP::Stream;

SmbStreams::SmbStreams() {
  follower_.follow_partial_streams(true);
  follower_.new_stream_callback([this](Stream& s) {
    s.auto_cleanup_payloads(false);
    s.client_data_callback([this](Stream& st) { drain(st.client_payload(), true); });
    s.server_data_callback([this](Stream& st) { drain(st.server_payload(), false); });
  });
}

void SmbStreams::process(Tins::PDU& pdu, Timestamp time, std::vector<Message>& out) {
  out_ = &out;
  // Lend the PDU to a Packet (for its timestamp) without copying, and take it back.
  Tins::Packet packet(&pdu, Tins::Timestamp(std::chrono::microseconds(time.us)), Tins::Packet::own_pdu());
  follower_.process_packet(packet);
  packet.release_pdu();
  out_ = nullptr;
}

namespace {

bool plausible_smb(const std::uint8_t* p) {
  return (p[0] == 0xfe || p[0] == 0xfd || p[0] == 0xff) && p[1] == 'S' && p[2] == 'M' &&
         p[3] == 'B';
}

}  // namespace

// One cursor walks the buffer: a resync scans forward from where framing was lost and never
// copies or rescans, so a stream of garbage (or of tiny messages each followed by a stray byte)
// costs time linear in its length. The caller compacts the buffer once, after the walk.
SmbStreams::Split SmbStreams::split(ByteSpan b, bool from_client, std::vector<Message>* out) {
  Split r;
  std::size_t pos = 0;
  const std::size_t n = b.size();
  while (n - pos >= 4) {
    ++r.examined;
    std::uint8_t type = b[pos];
    std::size_t len = std::size_t(b[pos + 1]) << 16 | std::size_t(b[pos + 2]) << 8 | b[pos + 3];
    bool known = type == 0x00 || (type >= 0x81 && type <= 0x85);
    bool sane = known && len <= kMaxMessage &&
                (type != 0x00 || len < 4 || n - pos < 8 || plausible_smb(&b[pos + 4]));
    if (!sane) {
      // Lost framing (capture began mid-stream, or not SMB): skip to the next plausible header.
      std::size_t i = pos + 1;
      for (; i + 8 <= n; ++i, ++r.examined)
        if (b[i] == 0 && plausible_smb(&b[i + 4])) break;
      if (i + 8 > n) {
        // Keep the last 7 bytes: a header may straddle the next segment. Never step back over
        // bytes already handed on as part of a message.
        if (n > 7) pos = std::max(pos, n - 7);
        break;
      }
      pos = i;
      continue;
    }
    if (n - pos - 4 < len) break;  // wait for the rest
    if (out) {
      Message m;
      m.payload.assign(b.begin() + std::ptrdiff_t(pos + 4), b.begin() + std::ptrdiff_t(pos + 4 + len));
      m.nbss_type = type;
      m.from_client = from_client;
      out->push_back(std::move(m));
    }
    pos += 4 + len;
  }
  r.consumed = pos;
  return r;
}

void SmbStreams::drain(std::vector<std::uint8_t>& b, bool from_client) {
  Split r = split(ByteSpan(b.data(), b.size()), from_client, out_);
  b.erase(b.begin(), b.begin() + std::ptrdiff_t(r.consumed));
}

}  // namespace pxe::capture
