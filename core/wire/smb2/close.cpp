#include "wire/smb2/close.h"

namespace pxe::wire::smb2 {

Result<CloseRequest> parse_close_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "CLOSE/FLUSH request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 24, kWhat); !s) return s.error();
  CloseRequest m;
  m.flags = r.u16le();
  m.reserved = r.u32le();
  m.file_id = read_file_id(r);
  if (r.failed()) return detail::short_body(r, kWhat);
  return m;
}

void encode_close_request(const CloseRequest& m, ByteWriter& w) {
  w.u16le(24);
  w.u16le(m.flags);
  w.u32le(m.reserved);
  write_file_id(w, m.file_id);
}

Result<CloseResponse> parse_close_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "CLOSE response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 60, kWhat); !s) return s.error();
  CloseResponse m;
  m.flags = r.u16le();
  m.reserved = r.u32le();
  m.creation_time = r.u64le();
  m.last_access_time = r.u64le();
  m.last_write_time = r.u64le();
  m.change_time = r.u64le();
  m.allocation_size = r.u64le();
  m.end_of_file = r.u64le();
  m.file_attributes = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  return m;
}

void encode_close_response(const CloseResponse& m, ByteWriter& w) {
  w.u16le(60);
  w.u16le(m.flags);
  w.u32le(m.reserved);
  w.u64le(m.creation_time);
  w.u64le(m.last_access_time);
  w.u64le(m.last_write_time);
  w.u64le(m.change_time);
  w.u64le(m.allocation_size);
  w.u64le(m.end_of_file);
  w.u32le(m.file_attributes);
}

}  // namespace pxe::wire::smb2
