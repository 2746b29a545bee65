#include "wire/smb2/query.h"

#include "wire/smb2/utf16.h"

namespace pxe::wire::smb2 {

std::string_view info_type_name(std::uint8_t t) {
  switch (t) {
    case info_type::kFile: return "file";
    case info_type::kFilesystem: return "fs";
    case info_type::kSecurity: return "security";
    case info_type::kQuota: return "quota";
    default: return {};
  }
}

Result<QueryDirectoryRequest> parse_query_directory_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "QUERY_DIRECTORY request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 33, kWhat); !s) return s.error();
  QueryDirectoryRequest m;
  m.info_class = r.u8();
  m.flags = r.u8();
  m.file_index = r.u32le();
  m.file_id = read_file_id(r);
  std::size_t field = r.offset();
  std::uint16_t off = r.u16le();
  std::uint16_t len = r.u16le();
  m.output_buffer_length = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto name = detail::buffer_at(pdu, off, len, "QUERY_DIRECTORY pattern", field);
  if (!name) return name.error();
  m.pattern = utf16le_to_utf8(*name);
  return m;
}

void encode_query_directory_request(const QueryDirectoryRequest& m, ByteWriter& w) {
  Bytes name = utf8_to_utf16le(m.pattern);
  w.u16le(33);
  w.u8(m.info_class);
  w.u8(m.flags);
  w.u32le(m.file_index);
  write_file_id(w, m.file_id);
  w.u16le(name.empty() ? 0 : std::uint16_t(kHeaderSize + 32));
  w.u16le(std::uint16_t(name.size()));
  w.u32le(m.output_buffer_length);
  w.bytes(name);
  if (name.empty()) w.u8(0);
}

Result<QueryInfoRequest> parse_query_info_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "QUERY_INFO request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 41, kWhat); !s) return s.error();
  QueryInfoRequest m;
  m.info_type = r.u8();
  m.info_class = r.u8();
  m.output_buffer_length = r.u32le();
  std::size_t field = r.offset();
  std::uint16_t off = r.u16le();
  r.skip(2);
  std::uint32_t len = r.u32le();
  m.additional_information = r.u32le();
  m.flags = r.u32le();
  m.file_id = read_file_id(r);
  if (r.failed()) return detail::short_body(r, kWhat);
  auto in = detail::buffer_at(pdu, off, len, "QUERY_INFO input", field);
  if (!in) return in.error();
  m.input = *in;
  return m;
}

void encode_query_info_request(const QueryInfoRequest& m, ByteWriter& w) {
  w.u16le(41);
  w.u8(m.info_type);
  w.u8(m.info_class);
  w.u32le(m.output_buffer_length);
  w.u16le(m.input.empty() ? 0 : std::uint16_t(kHeaderSize + 40));
  w.u16le(0);
  w.u32le(std::uint32_t(m.input.size()));
  w.u32le(m.additional_information);
  w.u32le(m.flags);
  write_file_id(w, m.file_id);
  w.bytes(m.input);
  if (m.input.empty()) w.u8(0);
}

Result<ChangeNotifyRequest> parse_change_notify_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "CHANGE_NOTIFY request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 32, kWhat); !s) return s.error();
  ChangeNotifyRequest m;
  m.flags = r.u16le();
  m.output_buffer_length = r.u32le();
  m.file_id = read_file_id(r);
  m.completion_filter = r.u32le();
  r.skip(4);
  if (r.failed()) return detail::short_body(r, kWhat);
  return m;
}

void encode_change_notify_request(const ChangeNotifyRequest& m, ByteWriter& w) {
  w.u16le(32);
  w.u16le(m.flags);
  w.u32le(m.output_buffer_length);
  write_file_id(w, m.file_id);
  w.u32le(m.completion_filter);
  w.u32le(0);
}

Result<SetInfoRequest> parse_set_info_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "SET_INFO request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 33, kWhat); !s) return s.error();
  SetInfoRequest m;
  m.info_type = r.u8();
  m.info_class = r.u8();
  std::size_t field = r.offset();
  std::uint32_t len = r.u32le();
  std::uint16_t off = r.u16le();
  r.skip(2);
  m.additional_information = r.u32le();
  m.file_id = read_file_id(r);
  if (r.failed()) return detail::short_body(r, kWhat);
  auto buf = detail::buffer_at(pdu, off, len, "SET_INFO buffer", field);
  if (!buf) return buf.error();
  m.buffer = *buf;
  return m;
}

Result<OutputResponse> parse_output_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "QUERY/NOTIFY response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 9, kWhat); !s) return s.error();
  OutputResponse m;
  std::size_t field = r.offset();
  std::uint16_t off = r.u16le();
  std::uint32_t len = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto out = detail::buffer_at(pdu, off, len, "output buffer", field);
  if (!out) return out.error();
  m.output = *out;
  return m;
}

void encode_output_response(const OutputResponse& m, ByteWriter& w) {
  w.u16le(9);
  w.u16le(std::uint16_t(kHeaderSize + 8));
  w.u32le(std::uint32_t(m.output.size()));
  w.bytes(m.output);
  if (m.output.empty()) w.u8(0);
}

}  // namespace pxe::wire::smb2
