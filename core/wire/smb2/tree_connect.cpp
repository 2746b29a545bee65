#include "wire/smb2/tree_connect.h"

#include "wire/smb2/header.h"
#include "wire/smb2/utf16.h"

namespace pxe::wire::smb2 {

std::string_view share_type_name(std::uint8_t t) {
  switch (t) {
    case share_type::kDisk: return "disk";
    case share_type::kPipe: return "pipe";
    case share_type::kPrint: return "print";
    default: return {};
  }
}

Result<TreeConnectRequest> parse_tree_connect_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "TREE_CONNECT request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 9, kWhat); !s) return s.error();
  TreeConnectRequest m;
  m.flags = r.u16le();
  std::size_t field = r.offset();
  std::uint16_t off = r.u16le();
  std::uint16_t len = r.u16le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto path = detail::buffer_at(pdu, off, len, "TREE_CONNECT path", field);
  if (!path) return path.error();
  m.path = utf16le_to_utf8(*path);
  return m;
}

void encode_tree_connect_request(const TreeConnectRequest& m, ByteWriter& w) {
  Bytes path = utf8_to_utf16le(m.path);
  w.u16le(9);
  w.u16le(m.flags);
  w.u16le(std::uint16_t(kHeaderSize + 8));
  w.u16le(std::uint16_t(path.size()));
  w.bytes(path);
  if (path.empty()) w.u8(0);  // StructureSize 9 counts one buffer byte
}

Result<TreeConnectResponse> parse_tree_connect_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "TREE_CONNECT response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 16, kWhat); !s) return s.error();
  TreeConnectResponse m;
  m.share_type = r.u8();
  m.reserved = r.u8();
  m.share_flags = r.u32le();
  m.capabilities = r.u32le();
  m.maximal_access = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  return m;
}

void encode_tree_connect_response(const TreeConnectResponse& m, ByteWriter& w) {
  w.u16le(16);
  w.u8(m.share_type);
  w.u8(m.reserved);
  w.u32le(m.share_flags);
  w.u32le(m.capabilities);
  w.u32le(m.maximal_access);
}

}  // namespace pxe::wire::smb2
