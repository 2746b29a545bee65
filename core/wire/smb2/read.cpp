#include "wire/smb2/read.h"

namespace pxe::wire::smb2 {

Result<ReadRequest> parse_read_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "READ request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 49, kWhat); !s) return s.error();
  ReadRequest m;
  m.padding = r.u8();
  m.flags = r.u8();
  m.length = r.u32le();
  m.offset = r.u64le();
  m.file_id = read_file_id(r);
  m.minimum_count = r.u32le();
  m.channel = r.u32le();
  m.remaining_bytes = r.u32le();
  r.skip(4);  // ReadChannelInfoOffset/Length: RDMA only
  if (r.failed()) return detail::short_body(r, kWhat);
  return m;
}

void encode_read_request(const ReadRequest& m, ByteWriter& w) {
  w.u16le(49);
  w.u8(m.padding);
  w.u8(m.flags);
  w.u32le(m.length);
  w.u64le(m.offset);
  write_file_id(w, m.file_id);
  w.u32le(m.minimum_count);
  w.u32le(m.channel);
  w.u32le(m.remaining_bytes);
  w.u32le(0);
  w.u8(0);  // StructureSize 49 counts one buffer byte
}

Result<ReadResponse> parse_read_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "READ response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 17, kWhat); !s) return s.error();
  ReadResponse m;
  std::size_t field = r.offset();
  std::uint8_t data_off = r.u8();
  r.skip(1);
  m.data_length = r.u32le();
  m.data_remaining = r.u32le();
  m.flags = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto data = detail::buffer_at(pdu, data_off, m.data_length, "READ response data", field);
  if (!data) return data.error();
  m.data = *data;
  return m;
}

void encode_read_response_head(const ReadResponse& m, ByteWriter& w) {
  w.u16le(17);
  w.u8(std::uint8_t(kHeaderSize + 16));
  w.u8(0);
  w.u32le(m.data_length);
  w.u32le(m.data_remaining);
  w.u32le(m.flags);
}

void encode_read_response(const ReadResponse& m, ByteWriter& w) {
  ReadResponse head = m;
  head.data_length = std::uint32_t(m.data.size());
  encode_read_response_head(head, w);
  w.bytes(m.data);
}

}  // namespace pxe::wire::smb2
