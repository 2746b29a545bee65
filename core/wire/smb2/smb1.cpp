#include "wire/smb2/smb1.h"

namespace pxe::wire::smb2 {

Result<Smb1Message> parse_smb1(ByteSpan message) {
  ByteReader r(message);
  if (message.size() < 4 || message[0] != 0xFF || message[1] != 'S' || message[2] != 'M' ||
      message[3] != 'B')
    return make_error("SMB1: ProtocolId is not 0xFF 'SMB'", 0);
  r.skip(4);
  Smb1Message m;
  m.command = r.u8();
  m.status = r.u32le();
  m.flags = r.u8();
  m.flags2 = r.u16le();
  r.skip(2 + 8 + 2 + 2 + 2 + 2);  // PIDHigh, SecurityFeatures, Reserved, TID, PIDLow, UID
  m.mid = r.u16le();
  if (r.failed()) return make_error("SMB1: header truncated (32 bytes)", r.fail_offset());
  if (m.command != kSmb1Negotiate) return m;
  std::uint8_t words = r.u8();
  if (m.is_response()) {
    if (words >= 1) m.dialect_index = r.u16le();
    if (r.failed()) return make_error("SMB1 NEGOTIATE response: truncated", r.fail_offset());
    return m;
  }
  r.skip(2 * std::size_t(words));
  std::size_t count_at = r.offset();
  std::uint16_t byte_count = r.u16le();
  ByteSpan bytes = r.take(byte_count);
  if (r.failed()) return make_error("SMB1 NEGOTIATE: ByteCount runs past the message", count_at);
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (bytes[i] != 0x02)
      return make_error("SMB1 NEGOTIATE: dialect buffer format is not 0x02", count_at + 2 + i);
    std::size_t start = ++i;
    while (i < bytes.size() && bytes[i] != 0) ++i;
    if (i == bytes.size())
      return make_error("SMB1 NEGOTIATE: dialect string without a NUL", count_at + 2 + start);
    m.dialects.emplace_back(reinterpret_cast<const char*>(bytes.data() + start), i - start);
    ++i;
  }
  return m;
}

Bytes encode_smb1_negotiate_request(const std::vector<std::string>& dialects, std::uint16_t mid) {
  ByteWriter w;
  w.u8(0xFF);
  w.str("SMB");
  w.u8(kSmb1Negotiate);
  w.u32le(0);
  w.u8(0x18);       // Flags: CASE_INSENSITIVE | CANONICALIZED_PATHS, as clients send
  w.u16le(0xC843);  // Flags2: UNICODE, NT status, extended security, long names, ...
  w.zeros(2 + 8 + 2);
  w.u16le(0);       // TID
  w.u16le(0xFFFE);  // PIDLow (smbclient's value)
  w.u16le(0);       // UID
  w.u16le(mid);
  w.u8(0);          // WordCount
  std::size_t n = 0;
  for (const auto& d : dialects) n += d.size() + 2;
  w.u16le(std::uint16_t(n));
  for (const auto& d : dialects) {
    w.u8(0x02);
    w.str(d);
    w.u8(0);
  }
  return w.take();
}

}  // namespace pxe::wire::smb2
