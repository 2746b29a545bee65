#include "wire/smb2/write.h"

namespace pxe::wire::smb2 {

Result<WriteRequest> parse_write_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "WRITE request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 49, kWhat); !s) return s.error();
  WriteRequest m;
  std::size_t field = r.offset();
  std::uint16_t data_off = r.u16le();
  m.length = r.u32le();
  m.offset = r.u64le();
  m.file_id = read_file_id(r);
  m.channel = r.u32le();
  m.remaining_bytes = r.u32le();
  r.skip(4);
  m.flags = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto data = detail::buffer_at(pdu, data_off, m.length, "WRITE data", field);
  if (!data) return data.error();
  m.data = *data;
  return m;
}

void encode_write_request(const WriteRequest& m, ByteWriter& w) {
  w.u16le(49);
  w.u16le(std::uint16_t(kHeaderSize + 48));
  w.u32le(std::uint32_t(m.data.size()));
  w.u64le(m.offset);
  write_file_id(w, m.file_id);
  w.u32le(m.channel);
  w.u32le(m.remaining_bytes);
  w.u32le(0);
  w.u32le(m.flags);
  w.bytes(m.data);
  if (m.data.empty()) w.u8(0);
}

Result<WriteResponse> parse_write_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "WRITE response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 17, kWhat); !s) return s.error();
  WriteResponse m;
  r.skip(2);
  m.count = r.u32le();
  m.remaining = r.u32le();
  r.skip(4);
  if (r.failed()) return detail::short_body(r, kWhat);
  return m;
}

void encode_write_response(const WriteResponse& m, ByteWriter& w) {
  w.u16le(17);
  w.u16le(0);
  w.u32le(m.count);
  w.u32le(m.remaining);
  w.u32le(0);
}

}  // namespace pxe::wire::smb2
