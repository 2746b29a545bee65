// NEGOTIATE ([MS-SMB2] 3.3.5.3 SMB1 upgrade, 3.3.5.4) — reference section 2.3.
#include <algorithm>

#include "proto/smb2/auth.h"
#include "proto/smb2/dispatch.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/smb1.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;
namespace dl = wire::smb2::dialect;
using wire::smb2::NegotiateContext;

std::uint16_t min_dialect(const config::SmbSettings& s) {
  return s.min_protocol == config::SmbDialect::Nt1 ? dl::k202 : std::uint16_t(s.min_protocol);
}
std::uint16_t max_dialect(const config::SmbSettings& s) {
  return s.max_protocol == config::SmbDialect::Nt1 ? dl::k202 : std::uint16_t(s.max_protocol);
}

std::uint16_t server_security_mode(const config::SmbSettings& s) {
  return wire::smb2::security_mode::kSigningEnabled |
         (s.signing == config::SmbSigning::Required ? wire::smb2::security_mode::kSigningRequired : 0);
}

// The fixed part every NEGOTIATE response shares (the SMB1 upgrade's too).
wire::smb2::NegotiateResponse base_response(ConnState& c, std::uint16_t dialect) {
  const ServerContext& ctx = *c.ctx;
  wire::smb2::NegotiateResponse m;
  m.security_mode = server_security_mode(ctx.settings);
  m.dialect_revision = dialect;
  m.server_guid = ctx.server_guid;
  // 2.0.2 has no multi-credit requests: its sizes stay at 64 KiB (as Samba's).
  bool small = dialect == dl::k202 || dialect == dl::kWildcard;
  m.capabilities = server_capabilities(ctx, dialect);
  std::uint32_t cap = small ? 65536u : 0xFFFFFFFFu;
  m.max_transact_size = std::min(ctx.limits.max_transact, cap);
  m.max_read_size = std::min(ctx.limits.max_read, cap);
  m.max_write_size = std::min(ctx.limits.max_read, cap);
  m.system_time = c.filetime_now;
  m.server_start_time = 0;
  m.security_buffer = negotiate_security_blob();
  return m;
}

std::vector<std::uint8_t> random_bytes(Random& r, std::size_t n) {
  std::vector<std::uint8_t> out;
  while (out.size() < n) {
    std::uint32_t v = r.next();
    for (int i = 0; i < 4 && out.size() < n; ++i) out.push_back(std::uint8_t(v >> (8 * i)));
  }
  return out;
}

}  // namespace

void handle_negotiate(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_negotiate_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  if (req->dialects.empty()) return rp.fail(st::kInvalidParameter);

  const config::SmbSettings& s = c.ctx->settings;
  std::uint16_t lo = min_dialect(s), hi = max_dialect(s);
  std::uint16_t chosen = 0;
  for (std::uint16_t d : {dl::k311, dl::k302, dl::k300, dl::k210, dl::k202})
    if (d >= lo && d <= hi && req->offers(d)) {
      chosen = d;
      break;
    }
  if (chosen == 0) {
    emit(rp.after, Event{std::string("negotiate: no common dialect (") +
                         config::dialect_name(s.min_protocol).data() + ".." +
                         config::dialect_name(s.max_protocol).data() + " allowed)"});
    return rp.fail(st::kNotSupported);
  }

  wire::smb2::NegotiateResponse m = base_response(c, chosen);
  signing::Algorithm algorithm = signing::Algorithm::AesCmac;
  if (chosen == dl::k311) {
    const NegotiateContext* preauth = nullptr;
    const NegotiateContext* sign = nullptr;
    for (const auto& ctx : req->contexts) {
      if (ctx.type == wire::smb2::context_type::kPreauthIntegrity && !preauth) preauth = &ctx;
      if (ctx.type == wire::smb2::context_type::kSigning && !sign) sign = &ctx;
    }
    if (!preauth) return rp.fail(st::kInvalidParameter);
    auto hashes = preauth->algorithm_ids();
    if (std::find(hashes.begin(), hashes.end(), std::uint16_t(1)) == hashes.end())
      return rp.fail(st::kNoPreauthIntegrityHashOverlap);

    ByteWriter pw;
    pw.u16le(1);   // HashAlgorithmCount
    pw.u16le(32);  // SaltLength
    pw.u16le(1);   // SHA-512
    pw.bytes(random_bytes(*c.ctx->random, 32));
    m.contexts.push_back({wire::smb2::context_type::kPreauthIntegrity, 0, pw.take()});

    if (sign) {
      // AES-GMAC when offered (about 10x cheaper than CMAC, reference section 6), then CMAC,
      // then HMAC-SHA256.
      auto ids = sign->algorithm_ids();
      auto offered = [&](signing::Algorithm a) {
        return std::find(ids.begin(), ids.end(), std::uint16_t(a)) != ids.end();
      };
      if (offered(signing::Algorithm::AesGmac)) algorithm = signing::Algorithm::AesGmac;
      else if (offered(signing::Algorithm::AesCmac)) algorithm = signing::Algorithm::AesCmac;
      else if (offered(signing::Algorithm::HmacSha256)) algorithm = signing::Algorithm::HmacSha256;
      ByteWriter sw;
      sw.u16le(1);
      sw.u16le(std::uint16_t(algorithm));
      m.contexts.push_back({wire::smb2::context_type::kSigning, 0, sw.take()});
    }
  }

  c.phase = ConnState::Phase::Negotiated;
  c.dialect = chosen;
  c.client_security_mode = req->security_mode;
  c.client_capabilities = req->capabilities;
  c.client_guid = req->client_guid;
  c.client_dialects = req->dialects;
  c.server_security_mode = m.security_mode;
  c.signing_algorithm_311 = algorithm;
  wire::smb2::encode_negotiate_response(m, rp.body());
}

std::optional<std::string> negotiate_smb1(ConnState& c, ByteSpan message, Actions& out) {
  auto m = wire::smb2::parse_smb1(message);
  if (!m) return "malformed SMB1 message: " + m.error().what;
  if (m->is_response() || m->command != wire::smb2::kSmb1Negotiate)
    return "SMB1 message other than NEGOTIATE (SMB1 is not served)";
  auto offers = [&](std::string_view d) {
    return std::find(m->dialects.begin(), m->dialects.end(), d) != m->dialects.end();
  };
  const config::SmbSettings& s = c.ctx->settings;
  std::uint16_t lo = min_dialect(s), hi = max_dialect(s);
  std::uint16_t dialect = 0;
  if (offers("SMB 2.???") && hi >= dl::k210) dialect = dl::kWildcard;
  else if (offers("SMB 2.002") && lo <= dl::k202) dialect = dl::k202;
  if (dialect == 0) return "SMB1 NEGOTIATE without an SMB2 dialect we serve (SMB1 is not served)";

  // The SMB1 request used MessageId 0; the client goes on with 1.
  if (!c.credits.consume(0, 1)) return "SMB1 NEGOTIATE after the first message";
  c.credits.grant(1, 2 * std::uint64_t(c.ctx->limits.max_credits));

  wire::smb2::Header h;
  h.command = std::uint16_t(wire::smb2::Command::Negotiate);
  h.credits = 1;
  h.flags = wire::smb2::flags::kServerToRedir;
  ByteWriter w(256);
  wire::smb2::encode_header(h, w);
  wire::smb2::encode_negotiate_response(base_response(c, dialect), w);
  emit(out, SendBytes{nbss_message(w.data())});

  if (dialect == dl::kWildcard) {
    c.phase = ConnState::Phase::AfterWildcard;
  } else {
    c.phase = ConnState::Phase::Negotiated;
    c.dialect = dl::k202;
    c.server_security_mode = server_security_mode(s);
    c.client_dialects = {dl::k202};
  }
  return std::nullopt;
}

}  // namespace pxe::proto::smb2
