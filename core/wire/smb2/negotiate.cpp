#include "wire/smb2/negotiate.h"

#include <algorithm>
#include <cstdio>

#include "wire/smb2/header.h"
#include "wire/smb2/utf16.h"

namespace pxe::wire::smb2 {
namespace {

constexpr std::size_t kResponseFixed = 64;  // body bytes before the security buffer

std::string hex16(std::uint32_t v, const char* fmt) {
  char buf[24];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

Result<std::vector<NegotiateContext>> parse_contexts(ByteSpan pdu, std::size_t offset,
                                                     std::size_t count, std::size_t field_at) {
  std::vector<NegotiateContext> out;
  if (count == 0) return out;
  if (offset > pdu.size())
    return make_error("NEGOTIATE: NegotiateContextOffset " + std::to_string(offset) +
                          " past the end of the PDU",
                      field_at);
  ByteReader r(pdu);
  r.seek(offset);
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) r.skip((8 - r.offset() % 8) % 8);
    std::size_t at = r.offset();
    NegotiateContext c;
    c.type = r.u16le();
    std::uint16_t len = r.u16le();
    c.reserved = r.u32le();
    ByteSpan data = r.take(len);
    if (r.failed())
      return make_error("NEGOTIATE: context " + std::to_string(i) + " runs past the PDU", at);
    c.data.assign(data.begin(), data.end());
    out.push_back(std::move(c));
  }
  return out;
}

void encode_contexts(const std::vector<NegotiateContext>& cs, ByteWriter& w) {
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (i > 0) detail::pad_to(w, 8);
    w.u16le(cs[i].type);
    w.u16le(std::uint16_t(cs[i].data.size()));
    w.u32le(cs[i].reserved);
    w.bytes(cs[i].data);
  }
}

void copy16(std::array<std::uint8_t, 16>& dst, ByteSpan src) {
  for (std::size_t i = 0; i < 16 && i < src.size(); ++i) dst[i] = src[i];
}

}  // namespace

std::string dialect_str(std::uint16_t d) {
  switch (d) {
    case dialect::k202: return "2.0.2";
    case dialect::k210: return "2.1";
    case dialect::k300: return "3.0";
    case dialect::k302: return "3.0.2";
    case dialect::k311: return "3.1.1";
    case dialect::kWildcard: return "2.???";
    default: return hex16(d, "0x%04x");
  }
}

std::string capabilities_str(std::uint32_t caps) {
  static constexpr std::pair<std::uint32_t, const char*> kBits[] = {
      {capability::kDfs, "dfs"}, {capability::kLeasing, "leasing"},
      {capability::kLargeMtu, "large-mtu"}, {capability::kMultiChannel, "multi-channel"},
      {capability::kPersistentHandles, "persistent-handles"},
      {capability::kDirectoryLeasing, "directory-leasing"},
      {capability::kEncryption, "encryption"}, {capability::kNotifications, "notifications"}};
  std::string out;
  for (auto [bit, name] : kBits) {
    if (!(caps & bit)) continue;
    if (!out.empty()) out += ',';
    out += name;
    caps &= ~bit;
  }
  if (caps) {
    if (!out.empty()) out += ',';
    out += hex16(caps, "0x%x");
  }
  return out;
}

std::string_view context_type_name(std::uint16_t type) {
  switch (type) {
    case context_type::kPreauthIntegrity: return "PREAUTH_INTEGRITY";
    case context_type::kEncryption: return "ENCRYPTION";
    case context_type::kCompression: return "COMPRESSION";
    case context_type::kNetname: return "NETNAME";
    case context_type::kTransport: return "TRANSPORT";
    case context_type::kRdmaTransform: return "RDMA_TRANSFORM";
    case context_type::kSigning: return "SIGNING";
    default: return {};
  }
}

std::vector<std::uint16_t> NegotiateContext::algorithm_ids() const {
  ByteReader r(data);
  std::size_t count = r.u16le();
  // PREAUTH: Count, SaltLength, ids...; COMPRESSION: Count, Padding, Flags (4), ids...;
  // ENCRYPTION and SIGNING: Count, ids...
  if (type == context_type::kPreauthIntegrity) r.skip(2);
  else if (type == context_type::kCompression) r.skip(6);
  else if (type != context_type::kEncryption && type != context_type::kSigning) return {};
  std::vector<std::uint16_t> ids;
  for (std::size_t i = 0; i < count && r.remaining() >= 2; ++i) ids.push_back(r.u16le());
  return ids;
}

std::string NegotiateContext::netname() const {
  return type == context_type::kNetname ? utf16le_to_utf8(data) : std::string();
}

bool NegotiateRequest::offers(std::uint16_t d) const {
  return std::find(dialects.begin(), dialects.end(), d) != dialects.end();
}

Result<NegotiateRequest> parse_negotiate_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "NEGOTIATE request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 36, kWhat); !s) return s.error();
  NegotiateRequest m;
  std::uint16_t count = r.u16le();
  m.security_mode = r.u16le();
  m.reserved = r.u16le();
  m.capabilities = r.u32le();
  copy16(m.client_guid, r.take(16));
  std::size_t ctx_field = r.offset();
  std::uint64_t tail = r.u64le();
  for (std::size_t i = 0; i < count && !r.failed(); ++i) m.dialects.push_back(r.u16le());
  if (r.failed()) return detail::short_body(r, kWhat);
  if (m.offers(dialect::k311)) {
    auto ctx = parse_contexts(pdu, std::uint32_t(tail), std::uint16_t(tail >> 32), ctx_field);
    if (!ctx) return ctx.error();
    m.contexts = std::move(ctx.value());
  } else {
    m.client_start_time = tail;
  }
  return m;
}

void encode_negotiate_request(const NegotiateRequest& m, ByteWriter& w) {
  w.u16le(36);
  w.u16le(std::uint16_t(m.dialects.size()));
  w.u16le(m.security_mode);
  w.u16le(m.reserved);
  w.u32le(m.capabilities);
  w.bytes(m.client_guid);
  std::size_t ctx_field = w.size();
  w.u64le(m.offers(dialect::k311) ? 0 : m.client_start_time);
  for (auto d : m.dialects) w.u16le(d);
  if (!m.offers(dialect::k311)) return;
  w.put_u16le_at(ctx_field + 4, std::uint16_t(m.contexts.size()));
  if (m.contexts.empty()) return;
  detail::pad_to(w, 8);
  w.put_u32le_at(ctx_field, std::uint32_t(w.size()));
  encode_contexts(m.contexts, w);
}

Result<NegotiateResponse> parse_negotiate_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "NEGOTIATE response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 65, kWhat); !s) return s.error();
  NegotiateResponse m;
  m.security_mode = r.u16le();
  m.dialect_revision = r.u16le();
  std::uint16_t ctx_count = r.u16le();
  copy16(m.server_guid, r.take(16));
  m.capabilities = r.u32le();
  m.max_transact_size = r.u32le();
  m.max_read_size = r.u32le();
  m.max_write_size = r.u32le();
  m.system_time = r.u64le();
  m.server_start_time = r.u64le();
  std::size_t buf_field = r.offset();
  std::uint16_t buf_off = r.u16le();
  std::uint16_t buf_len = r.u16le();
  std::size_t ctx_field = r.offset();
  std::uint32_t ctx_off = r.u32le();
  if (r.failed()) return detail::short_body(r, kWhat);
  auto buf = detail::buffer_at(pdu, buf_off, buf_len, "NEGOTIATE response security buffer",
                               buf_field);
  if (!buf) return buf.error();
  m.security_buffer.assign(buf->begin(), buf->end());
  if (m.dialect_revision == dialect::k311) {
    auto ctx = parse_contexts(pdu, ctx_off, ctx_count, ctx_field);
    if (!ctx) return ctx.error();
    m.contexts = std::move(ctx.value());
  }
  return m;
}

void encode_negotiate_response(const NegotiateResponse& m, ByteWriter& w) {
  bool v311 = m.dialect_revision == dialect::k311;
  w.u16le(65);
  w.u16le(m.security_mode);
  w.u16le(m.dialect_revision);
  w.u16le(v311 ? std::uint16_t(m.contexts.size()) : 0);
  w.bytes(m.server_guid);
  w.u32le(m.capabilities);
  w.u32le(m.max_transact_size);
  w.u32le(m.max_read_size);
  w.u32le(m.max_write_size);
  w.u64le(m.system_time);
  w.u64le(m.server_start_time);
  w.u16le(std::uint16_t(kHeaderSize + kResponseFixed));
  w.u16le(std::uint16_t(m.security_buffer.size()));
  std::size_t ctx_field = w.size();
  w.u32le(0);
  w.bytes(m.security_buffer);
  if (!v311 || m.contexts.empty()) return;
  detail::pad_to(w, 8);
  w.put_u32le_at(ctx_field, std::uint32_t(w.size()));
  encode_contexts(m.contexts, w);
}

}  // namespace pxe::wire::smb2
