#include "wire/smb2/simple.h"

#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

Result<SimpleBody> parse_simple_body(ByteSpan pdu, std::uint16_t structure_size) {
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, structure_size, "SMB2 body"); !s)
    return s.error();
  SimpleBody m;
  m.structure_size = structure_size;
  if (structure_size >= 4) m.reserved = r.u16le();
  if (r.failed()) return detail::short_body(r, "SMB2 body");
  return m;
}

void encode_simple_body(const SimpleBody& m, ByteWriter& w) {
  w.u16le(m.structure_size);
  if (m.structure_size >= 4) w.u16le(m.reserved);
}

Result<ErrorResponse> parse_error_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "ERROR response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 9, kWhat); !s) return s.error();
  ErrorResponse m;
  m.error_context_count = r.u8();
  m.reserved = r.u8();
  std::size_t field = r.offset();
  std::uint32_t count = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto data = detail::buffer_at(pdu, r.offset(), count, "ERROR response ErrorData", field);
  if (!data) return data.error();
  m.error_data = *data;
  return m;
}

void encode_error_response(const ErrorResponse& m, ByteWriter& w) {
  w.u16le(9);
  w.u8(m.error_context_count);
  w.u8(m.reserved);
  w.u32le(std::uint32_t(m.error_data.size()));
  w.bytes(m.error_data);
  if (m.error_data.empty()) w.u8(0);
}

}  // namespace pxe::wire::smb2
