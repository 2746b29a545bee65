#include "wire/smb2/create.h"

#include <algorithm>

#include "base/addr.h"
#include "wire/smb2/utf16.h"

namespace pxe::wire::smb2 {

std::string_view disposition_name(std::uint32_t d) {
  static constexpr std::string_view kNames[] = {"supersede", "open", "create",
                                                "open-if", "overwrite", "overwrite-if"};
  return d < 6 ? kNames[d] : std::string_view{};
}

std::string_view create_action_name(std::uint32_t a) {
  static constexpr std::string_view kNames[] = {"superseded", "opened", "created", "overwritten"};
  return a < 4 ? kNames[a] : std::string_view{};
}

std::string CreateContext::name_str() const {
  for (auto c : name)
    if (c < 0x20 || c > 0x7E) return hex(name);
  return std::string(name.begin(), name.end());
}

Result<std::vector<CreateContext>> parse_create_contexts(ByteSpan pdu, std::size_t offset,
                                                         std::size_t length) {
  std::vector<CreateContext> out;
  if (length == 0) return out;
  auto area = detail::buffer_at(pdu, offset, length, "create contexts", offset);
  if (!area) return area.error();
  std::size_t at = 0;
  while (true) {
    ByteReader r(area->subspan(at));
    std::uint32_t next = r.u32le();
    std::uint16_t name_off = r.u16le();
    std::uint16_t name_len = r.u16le();
    r.skip(2);
    std::uint16_t data_off = r.u16le();
    std::uint32_t data_len = r.u32le();
    if (r.failed()) return make_error("create context: header truncated", offset + at);
    ByteSpan elem = area->subspan(at);
    auto name = detail::buffer_at(elem, name_off, name_len, "create context name", offset + at);
    if (!name) return name.error();
    auto data = detail::buffer_at(elem, data_off, data_len, "create context data", offset + at);
    if (!data) return data.error();
    CreateContext c;
    c.name.assign(name->begin(), name->end());
    c.data.assign(data->begin(), data->end());
    out.push_back(std::move(c));
    if (next == 0) return out;
    if (next % 8 != 0 || next > elem.size())
      return make_error("create context: Next " + std::to_string(next) + " is not 8-byte aligned "
                        "inside the chain", offset + at);
    at += next;
  }
}

std::pair<std::uint32_t, std::uint32_t> encode_create_contexts(const std::vector<CreateContext>& cs,
                                                               ByteWriter& w) {
  if (cs.empty()) return {0, 0};
  detail::pad_to(w, 8);
  std::size_t start = w.size();
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (i > 0) detail::pad_to(w, 8);
    std::size_t at = w.size();
    // Name at 16, data 8-aligned after it (2.2.13.2).
    std::size_t data_off = cs[i].data.empty() ? 0 : (16 + cs[i].name.size() + 7) / 8 * 8;
    w.u32le(0);
    w.u16le(16);
    w.u16le(std::uint16_t(cs[i].name.size()));
    w.u16le(0);
    w.u16le(std::uint16_t(data_off));
    w.u32le(std::uint32_t(cs[i].data.size()));
    w.bytes(cs[i].name);
    if (!cs[i].data.empty()) {
      while (w.size() - at < data_off) w.u8(0);
      w.bytes(cs[i].data);
    }
    if (i + 1 < cs.size()) {
      detail::pad_to(w, 8);
      w.put_u32le_at(at, std::uint32_t(w.size() - at));
    }
  }
  return {std::uint32_t(start), std::uint32_t(w.size() - start)};
}

Result<CreateRequest> parse_create_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "CREATE request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 57, kWhat); !s) return s.error();
  CreateRequest m;
  m.security_flags = r.u8();
  m.requested_oplock_level = r.u8();
  m.impersonation_level = r.u32le();
  m.smb_create_flags = r.u64le();
  m.reserved = r.u64le();
  m.desired_access = r.u32le();
  m.file_attributes = r.u32le();
  m.share_access = r.u32le();
  m.create_disposition = r.u32le();
  m.create_options = r.u32le();
  std::size_t name_field = r.offset();
  std::uint16_t name_off = r.u16le();
  std::uint16_t name_len = r.u16le();
  std::uint32_t ctx_off = r.u32le();
  std::uint32_t ctx_len = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto name = detail::buffer_at(pdu, name_off, name_len, "CREATE name", name_field);
  if (!name) return name.error();
  m.name = utf16le_to_utf8(*name);
  std::size_t name_end = name_len ? std::size_t(name_off) + name_len : kHeaderSize + 56;
  std::size_t trailer_end = ctx_len ? std::min<std::size_t>(ctx_off, pdu.size()) : pdu.size();
  if (trailer_end > name_end && trailer_end - name_end <= 8)
    m.name_trailer.assign(pdu.begin() + std::ptrdiff_t(name_end), pdu.begin() + std::ptrdiff_t(trailer_end));
  auto ctx = parse_create_contexts(pdu, ctx_off, ctx_len);
  if (!ctx) return ctx.error();
  m.contexts = std::move(ctx.value());
  return m;
}

void encode_create_request(const CreateRequest& m, ByteWriter& w) {
  Bytes name = utf8_to_utf16le(m.name);
  w.u16le(57);
  w.u8(m.security_flags);
  w.u8(m.requested_oplock_level);
  w.u32le(m.impersonation_level);
  w.u64le(m.smb_create_flags);
  w.u64le(m.reserved);
  w.u32le(m.desired_access);
  w.u32le(m.file_attributes);
  w.u32le(m.share_access);
  w.u32le(m.create_disposition);
  w.u32le(m.create_options);
  w.u16le(std::uint16_t(kHeaderSize + 56));
  w.u16le(std::uint16_t(name.size()));
  std::size_t ctx_field = w.size();
  w.u64le(0);
  w.bytes(name);
  w.bytes(m.name_trailer);
  if (name.empty() && m.name_trailer.empty()) w.u8(0);  // StructureSize 57 counts one byte
  auto [off, len] = encode_create_contexts(m.contexts, w);
  w.put_u32le_at(ctx_field, off);
  w.put_u32le_at(ctx_field + 4, len);
}

Result<CreateResponse> parse_create_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "CREATE response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 89, kWhat); !s) return s.error();
  CreateResponse m;
  m.oplock_level = r.u8();
  m.flags = r.u8();
  m.create_action = r.u32le();
  m.creation_time = r.u64le();
  m.last_access_time = r.u64le();
  m.last_write_time = r.u64le();
  m.change_time = r.u64le();
  m.allocation_size = r.u64le();
  m.end_of_file = r.u64le();
  m.file_attributes = r.u32le();
  m.reserved2 = r.u32le();
  m.file_id = read_file_id(r);
  std::uint32_t ctx_off = r.u32le();
  std::uint32_t ctx_len = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto ctx = parse_create_contexts(pdu, ctx_off, ctx_len);
  if (!ctx) return ctx.error();
  m.contexts = std::move(ctx.value());
  return m;
}

void encode_create_response(const CreateResponse& m, ByteWriter& w) {
  w.u16le(89);
  w.u8(m.oplock_level);
  w.u8(m.flags);
  w.u32le(m.create_action);
  w.u64le(m.creation_time);
  w.u64le(m.last_access_time);
  w.u64le(m.last_write_time);
  w.u64le(m.change_time);
  w.u64le(m.allocation_size);
  w.u64le(m.end_of_file);
  w.u32le(m.file_attributes);
  w.u32le(m.reserved2);
  write_file_id(w, m.file_id);
  std::size_t ctx_field = w.size();
  w.u64le(0);
  // No buffer byte without contexts: Samba sends exactly 88 body bytes then.
  auto [off, len] = encode_create_contexts(m.contexts, w);
  w.put_u32le_at(ctx_field, off);
  w.put_u32le_at(ctx_field + 4, len);
}

}  // namespace pxe::wire::smb2
