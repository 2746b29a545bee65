#include "wire/smb2/lock.h"

namespace pxe::wire::smb2 {

Result<LockRequest> parse_lock_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "LOCK request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 48, kWhat); !s) return s.error();
  LockRequest m;
  std::size_t count_at = r.offset();
  std::uint16_t count = r.u16le();
  m.lock_sequence = r.u32le();
  m.file_id = read_file_id(r);
  if (r.failed()) return detail::short_body(r, kWhat);
  if (count == 0) return make_error("LOCK request: LockCount 0", count_at);
  if (r.remaining() / 24 < count)
    return make_error("LOCK request: " + std::to_string(count) + " lock elements do not fit in the " +
                          std::to_string(r.remaining()) + " bytes left",
                      count_at);
  m.locks.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    LockElement e;
    e.offset = r.u64le();
    e.length = r.u64le();
    e.flags = r.u32le();
    r.skip(4);
    m.locks.push_back(e);
  }
  return m;
}

void encode_lock_request(const LockRequest& m, ByteWriter& w) {
  w.u16le(48);
  w.u16le(std::uint16_t(m.locks.size()));
  w.u32le(m.lock_sequence);
  write_file_id(w, m.file_id);
  for (const auto& e : m.locks) {
    w.u64le(e.offset);
    w.u64le(e.length);
    w.u32le(e.flags);
    w.u32le(0);
  }
}

}  // namespace pxe::wire::smb2
