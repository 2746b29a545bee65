#include "wire/smb2/session_setup.h"

#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

std::string session_flags_str(std::uint16_t f) {
  std::string out;
  auto add = [&](const char* s) {
    if (!out.empty()) out += ',';
    out += s;
  };
  if (f & session_flag::kIsGuest) add("guest");
  if (f & session_flag::kIsNull) add("null");
  if (f & session_flag::kEncryptData) add("encrypt");
  if (f & ~0x7u) add("other");
  return out;
}

Result<SessionSetupRequest> parse_session_setup_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "SESSION_SETUP request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 25, kWhat); !s) return s.error();
  SessionSetupRequest m;
  m.flags = r.u8();
  m.security_mode = r.u8();
  m.capabilities = r.u32le();
  m.channel = r.u32le();
  std::size_t buf_field = r.offset();
  std::uint16_t off = r.u16le();
  std::uint16_t len = r.u16le();
  m.previous_session_id = r.u64le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto buf = detail::buffer_at(pdu, off, len, "SESSION_SETUP request security buffer", buf_field);
  if (!buf) return buf.error();
  m.security_buffer.assign(buf->begin(), buf->end());
  return m;
}

void encode_session_setup_request(const SessionSetupRequest& m, ByteWriter& w) {
  w.u16le(25);
  w.u8(m.flags);
  w.u8(m.security_mode);
  w.u32le(m.capabilities);
  w.u32le(m.channel);
  w.u16le(std::uint16_t(kHeaderSize + 24));
  w.u16le(std::uint16_t(m.security_buffer.size()));
  w.u64le(m.previous_session_id);
  w.bytes(m.security_buffer);
}

Result<SessionSetupResponse> parse_session_setup_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "SESSION_SETUP response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 9, kWhat); !s) return s.error();
  SessionSetupResponse m;
  m.session_flags = r.u16le();
  std::size_t buf_field = r.offset();
  std::uint16_t off = r.u16le();
  std::uint16_t len = r.u16le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto buf = detail::buffer_at(pdu, off, len, "SESSION_SETUP response security buffer", buf_field);
  if (!buf) return buf.error();
  m.security_buffer.assign(buf->begin(), buf->end());
  return m;
}

void encode_session_setup_response(const SessionSetupResponse& m, ByteWriter& w) {
  w.u16le(9);
  w.u16le(m.session_flags);
  w.u16le(std::uint16_t(kHeaderSize + 8));
  w.u16le(std::uint16_t(m.security_buffer.size()));
  w.bytes(m.security_buffer);
}

}  // namespace pxe::wire::smb2
