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

// Where a plausible NBSS session message starts (for streams picked up mid-way), or npos.
std::size_t find_resync(const std::vector<std::uint8_t>& b) {
  for (std::size_t i = 0; i + 8 <= b.size(); ++i)
    if (b[i] == 0 && plausible_smb(&b[i + 4])) return i;
  return std::string::npos;
}

}  // namespace

void SmbStreams::drain(std::vector<std::uint8_t>& b, bool from_client) {
  std::size_t pos = 0;
  while (b.size() - pos >= 4) {
    std::uint8_t type = b[pos];
    std::size_t len = std::size_t(b[pos + 1]) << 16 | std::size_t(b[pos + 2]) << 8 | b[pos + 3];
    bool known = type == 0x00 || (type >= 0x81 && type <= 0x85);
    bool sane = known && len <= kMaxMessage &&
                (type != 0x00 || len < 4 || b.size() - pos < 8 || plausible_smb(&b[pos + 4]));
    if (!sane) {
      // Lost framing (capture began mid-stream, or not SMB): skip to the next plausible header.
      std::vector<std::uint8_t> tail(b.begin() + std::ptrdiff_t(pos) + 1, b.end());
      std::size_t r = find_resync(tail);
      if (r == std::string::npos) {
        // Keep the last 7 bytes: a header may straddle the next segment.
        pos = b.size() > 7 ? b.size() - 7 : pos;
        break;
      }
      pos += 1 + r;
      continue;
    }
    if (b.size() - pos - 4 < len) break;  // wait for the rest
    if (out_) {
      Message m;
      m.payload.assign(b.begin() + std::ptrdiff_t(pos + 4),
                       b.begin() + std::ptrdiff_t(pos + 4 + len));
      m.nbss_type = type;
      m.from_client = from_client;
      out_->push_back(std::move(m));
    }
    pos += 4 + len;
  }
  b.erase(b.begin(), b.begin() + std::ptrdiff_t(pos));
}

}  // namespace pxe::capture
