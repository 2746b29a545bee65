#include "print/smb2/ntlmssp_print.h"

#include "base/addr.h"
#include "print/text_out.h"
#include "wire/smb2/ntlmssp.h"

namespace pxe::print {
namespace ntlm = wire::ntlmssp;
namespace {

void quoted(std::string& out, std::string_view s) {
  out += '"';
  append_tcpdump_string(out, as_bytes(s));
  out += '"';
}

void neg_result_text(ByteSpan buffer, std::string& out, bool own_line) {
  auto r = ntlm::spnego_neg_result(buffer);
  if (!r) return;
  out += own_line ? "\n\t  SPNEGO " : ", spnego ";
  out += ntlm::neg_result_name(*r);
}

}  // namespace

void ntlmssp_text(ByteSpan buffer, std::string& out) {
  auto blob = ntlm::find_in_spnego(buffer);
  if (!blob) {
    neg_result_text(buffer, out, true);
    return;
  }
  auto m = ntlm::parse(*blob);
  if (!m) {
    out += "\n\t  NTLMSSP [|ntlmssp]";
    return;
  }
  append(out, "\n\t  NTLMSSP {}", ntlm::message_type_name(m->type));
  switch (m->type) {
    case ntlm::MessageType::Negotiate: {
      const auto& n = m->negotiate;
      append(out, " flags 0x{:08x}", n.flags);
      if (!n.domain.empty()) { out += " domain "; quoted(out, n.domain); }
      if (!n.workstation.empty()) { out += " workstation "; quoted(out, n.workstation); }
      if (n.flags & ntlm::flag::kAnonymous) out += " anonymous";
      break;
    }
    case ntlm::MessageType::Challenge: {
      const auto& c = m->challenge;
      append(out, " flags 0x{:08x} challenge {}", c.flags, hex(c.server_challenge));
      if (!c.target_name.empty()) { out += " target "; quoted(out, c.target_name); }
      if (auto s = c.av_string(ntlm::av_id::kNbDomainName)) { out += " domain "; quoted(out, *s); }
      if (auto s = c.av_string(ntlm::av_id::kNbComputerName)) { out += " computer "; quoted(out, *s); }
      if (auto s = c.av_string(ntlm::av_id::kDnsComputerName); s && !s->empty()) {
        out += " dns ";
        quoted(out, *s);
      }
      if (c.timestamp()) out += " timestamp";
      break;
    }
    case ntlm::MessageType::Authenticate: {
      const auto& a = m->authenticate;
      out += " user ";
      quoted(out, a.user);
      out += " domain ";
      quoted(out, a.domain);
      out += " workstation ";
      quoted(out, a.workstation);
      if (a.anonymous()) {
        out += ", anonymous";
      } else {
        // NTLMv2 responses are NTProofStr (16) + a blob; NTLMv1 is exactly 24 bytes.
        append(out, ", {} nt-response {}", a.nt_response.size() > 24 ? "ntlmv2" : "ntlmv1",
               a.nt_response.size());
      }
      if (a.mic) out += ", mic";
      break;
    }
  }
  neg_result_text(buffer, out, false);
}

void ntlmssp_json(ByteSpan buffer, JsonWriter& w) {
  if (auto r = ntlm::spnego_neg_result(buffer)) w.field("spnego_result", ntlm::neg_result_name(*r));
  auto blob = ntlm::find_in_spnego(buffer);
  if (!blob) return;
  auto m = ntlm::parse(*blob);
  w.key("ntlmssp").begin_object();
  if (!m) {
    w.field("error", m.error().what);
    w.end_object();
    return;
  }
  w.field("type", ntlm::message_type_name(m->type));
  switch (m->type) {
    case ntlm::MessageType::Negotiate:
      w.field("flags", unsigned(m->negotiate.flags));
      w.field("flag_names", ntlm::flags_str(m->negotiate.flags));
      w.field("domain", m->negotiate.domain);
      w.field("workstation", m->negotiate.workstation);
      break;
    case ntlm::MessageType::Challenge: {
      const auto& c = m->challenge;
      w.field("flags", unsigned(c.flags));
      w.field("flag_names", ntlm::flags_str(c.flags));
      w.field("server_challenge", hex(c.server_challenge));
      w.field("target_name", c.target_name);
      if (auto s = c.av_string(ntlm::av_id::kNbDomainName)) w.field("netbios_domain", *s);
      if (auto s = c.av_string(ntlm::av_id::kNbComputerName)) w.field("netbios_computer", *s);
      if (auto s = c.av_string(ntlm::av_id::kDnsDomainName)) w.field("dns_domain", *s);
      if (auto s = c.av_string(ntlm::av_id::kDnsComputerName)) w.field("dns_computer", *s);
      if (auto t = c.timestamp()) w.field("timestamp", std::uint64_t(*t));
      break;
    }
    case ntlm::MessageType::Authenticate: {
      const auto& a = m->authenticate;
      w.field("flags", unsigned(a.flags));
      w.field("flag_names", ntlm::flags_str(a.flags));
      w.field("user", a.user);
      w.field("domain", a.domain);
      w.field("workstation", a.workstation);
      w.field("anonymous", a.anonymous());
      w.field("lm_response_length", std::uint64_t(a.lm_response.size()));
      w.field("nt_response_length", std::uint64_t(a.nt_response.size()));
      w.field("session_key_length", std::uint64_t(a.encrypted_random_session_key.size()));
      w.field("mic", a.mic.has_value());
      break;
    }
  }
  w.end_object();
}

}  // namespace pxe::print
