#include <string>

#include "base/addr.h"
#include "print/smb2/ntlmssp_print.h"
#include "print/smb2/smb2_print.h"
#include "print/text_out.h"
#include "wire/smb2/message.h"
#include "wire/smb2/smb1.h"
#include "wire/smb2/status.h"

namespace pxe::print {
namespace s = wire::smb2;
namespace {

void quoted(std::string& out, std::string_view v) {
  out += '"';
  append_tcpdump_string(out, as_bytes(v));
  out += '"';
}

void fid(std::string& out, const s::FileId& f) {
  if (f.is_related())
    out += ", fid related";
  else
    append(out, ", fid 0x{:x}:0x{:x}", f.persistent, f.volatile_);
}

// Appends ", <key fields>" for each body type; NTLMSSP lines are added after the summary.
struct BodyText {
  std::string& out;

  void operator()(const std::monostate&) const {}
  void operator()(const s::NegotiateRequest& m) const {
    out += ", dialects [";
    for (std::size_t i = 0; i < m.dialects.size(); ++i)
      append(out, "{}{}", i ? ", " : "", s::dialect_str(m.dialects[i]));
    out += "]";
    if (m.security_mode & s::security_mode::kSigningRequired) out += ", signing required";
    if (!m.contexts.empty()) contexts(m.contexts);
  }
  void operator()(const s::NegotiateResponse& m) const {
    append(out, ", dialect {}, signing {}", s::dialect_str(m.dialect_revision),
           m.security_mode & s::security_mode::kSigningRequired ? "required" : "enabled");
    append(out, ", caps [{}], max read {}", s::capabilities_str(m.capabilities), m.max_read_size);
    if (!m.contexts.empty()) contexts(m.contexts);
  }
  void contexts(const std::vector<s::NegotiateContext>& cs) const {
    out += ", contexts [";
    for (std::size_t i = 0; i < cs.size(); ++i) {
      auto n = s::context_type_name(cs[i].type);
      if (i) out += ", ";
      if (n.empty()) append(out, "0x{:04x}", cs[i].type);
      else out += n;
    }
    out += "]";
  }
  void operator()(const s::SessionSetupRequest& m) const {
    if (m.flags & s::kSessionSetupBinding) out += ", binding";
    if (m.security_mode & s::security_mode::kSigningRequired) out += ", signing required";
    if (m.previous_session_id) append(out, ", previous sid 0x{:016x}", m.previous_session_id);
  }
  void operator()(const s::SessionSetupResponse& m) const {
    if (m.session_flags) append(out, ", flags [{}]", s::session_flags_str(m.session_flags));
  }
  void operator()(const s::TreeConnectRequest& m) const {
    out += ", path ";
    append_tcpdump_string(out, as_bytes(m.path));
  }
  void operator()(const s::TreeConnectResponse& m) const {
    auto t = s::share_type_name(m.share_type);
    if (t.empty()) append(out, ", type 0x{:02x}", m.share_type);
    else append(out, ", type {}", t);
    append(out, ", maximal access 0x{:08x}", m.maximal_access);
  }
  void operator()(const s::CreateRequest& m) const {
    out += ", name ";
    quoted(out, m.name);
    auto d = s::disposition_name(m.create_disposition);
    if (d.empty()) append(out, ", disposition {}", m.create_disposition);
    else append(out, ", disposition {}", d);
    append(out, ", access 0x{:08x}, options 0x{:08x}", m.desired_access, m.create_options);
    create_contexts(m.contexts);
  }
  void operator()(const s::CreateResponse& m) const {
    fid(out, m.file_id);
    auto a = s::create_action_name(m.create_action);
    if (!a.empty()) append(out, ", action {}", a);
    append(out, ", eof {}, attributes 0x{:x}", m.end_of_file, m.file_attributes);
    create_contexts(m.contexts);
  }
  void create_contexts(const std::vector<s::CreateContext>& cs) const {
    if (cs.empty()) return;
    out += ", contexts [";
    for (std::size_t i = 0; i < cs.size(); ++i) append(out, "{}{}", i ? ", " : "", cs[i].name_str());
    out += "]";
  }
  void operator()(const s::CloseRequest& m) const { fid(out, m.file_id); }
  void operator()(const s::CloseResponse& m) const {
    if (m.flags & s::kClosePostqueryAttrib) append(out, ", eof {}", m.end_of_file);
  }
  void operator()(const s::ReadRequest& m) const {
    fid(out, m.file_id);
    append(out, ", length {}, offset {}", m.length, m.offset);
  }
  void operator()(const s::ReadResponse& m) const { append(out, ", length {}", m.data_length); }
  void operator()(const s::WriteRequest& m) const {
    fid(out, m.file_id);
    append(out, ", length {}, offset {}", m.length, m.offset);
  }
  void operator()(const s::WriteResponse& m) const { append(out, ", count {}", m.count); }
  void ctl(std::uint32_t code) const {
    auto n = s::ctl_code_name(code);
    if (n.empty()) append(out, ", ctl 0x{:08x}", code);
    else append(out, ", {}", n);
  }
  void operator()(const s::IoctlRequest& m) const {
    ctl(m.ctl_code);
    fid(out, m.file_id);
    append(out, ", in {}, max out {}", m.input.size(), m.max_output_response);
  }
  void operator()(const s::IoctlResponse& m) const {
    ctl(m.ctl_code);
    append(out, ", in {}, out {}", m.input.size(), m.output.size());
  }
  void operator()(const s::QueryDirectoryRequest& m) const {
    append(out, ", class {}", m.info_class);
    out += ", pattern ";
    quoted(out, m.pattern);
    fid(out, m.file_id);
  }
  void operator()(const s::QueryInfoRequest& m) const {
    auto t = s::info_type_name(m.info_type);
    if (t.empty()) append(out, ", type {}", m.info_type);
    else append(out, ", {}", t);
    append(out, " class {}", m.info_class);
    fid(out, m.file_id);
  }
  void operator()(const s::ChangeNotifyRequest& m) const {
    fid(out, m.file_id);
    append(out, ", filter 0x{:x}", m.completion_filter);
  }
  void operator()(const s::SetInfoRequest& m) const {
    append(out, ", type {} class {}", m.info_type, m.info_class);
    fid(out, m.file_id);
  }
  void operator()(const s::OutputResponse& m) const { append(out, ", length {}", m.output.size()); }
  void operator()(const s::SimpleBody&) const {}
  void operator()(const s::ErrorResponse& m) const {
    if (!m.error_data.empty()) append(out, ", error data {}", m.error_data.size());
  }
};

void pdu_text(ByteSpan pdu, std::string& out) {
  auto h = s::parse_header(pdu);
  if (!h) {
    out += "\n\tSMB2 [|smb2]";
    return;
  }
  auto name = s::command_name(h->command);
  if (name.empty()) append(out, "\n\tSMB2 0x{:04x}", h->command);
  else append(out, "\n\tSMB2 {}", name);
  out += h->is_response() ? " Response" : " Request";
  if (h->is_response()) append(out, ", status {}", s::status_str(h->status));
  append(out, ", mid {}", h->message_id);
  if (h->is_async()) append(out, ", async 0x{:x}", h->async_id);
  if (h->session_id) append(out, ", sid 0x{:016x}", h->session_id);
  if (!h->is_async() && h->tree_id) append(out, ", tid 0x{:x}", h->tree_id);
  if (h->command == std::uint16_t(s::Command::Negotiate)) append(out, ", credits {}", h->credits);
  if (h->is_related()) out += ", related";
  if (h->is_signed()) out += ", signed";
  if (name.empty()) return;
  auto body = s::parse_body(*h, pdu);
  if (!body) {
    out += " [|smb2]";
    return;
  }
  std::visit(BodyText{out}, *body);
  if (auto* r = std::get_if<s::SessionSetupRequest>(&*body)) ntlmssp_text(r->security_buffer, out);
  if (auto* r = std::get_if<s::SessionSetupResponse>(&*body)) ntlmssp_text(r->security_buffer, out);
}

void smb1_text(ByteSpan message, std::string& out) {
  auto m = s::parse_smb1(message);
  if (!m) {
    out += "\n\tSMB1 [|smb2]";
    return;
  }
  if (m->command != s::kSmb1Negotiate) {
    append(out, "\n\tSMB1 command 0x{:02x} {}", m->command, m->is_response() ? "Response" : "Request");
    return;
  }
  if (m->is_response()) {
    append(out, "\n\tSMB1 NEGOTIATE Response, status {}, dialect index {}", s::status_str(m->status),
           m->dialect_index);
    return;
  }
  out += "\n\tSMB1 NEGOTIATE Request, dialects [";
  for (std::size_t i = 0; i < m->dialects.size(); ++i) {
    if (i) out += ", ";
    quoted(out, m->dialects[i]);
  }
  out += "]";
}

}  // namespace

void smb2_text(ByteSpan message, std::string& out) {
  switch (s::sniff(message)) {
    case s::Protocol::Smb2: break;
    case s::Protocol::Smb1: smb1_text(message, out); return;
    case s::Protocol::Smb2Transform: {
      auto t = s::parse_transform_header(message);
      if (!t) {
        out += "\n\tSMB2 TRANSFORM [|smb2]";
        return;
      }
      append(out, "\n\tSMB2 TRANSFORM (encrypted), sid 0x{:016x}, original size {}, ciphertext {}",
             t->session_id, t->original_message_size, t->ciphertext_size);
      return;
    }
    case s::Protocol::Smb2Compressed:
      append(out, "\n\tSMB2 COMPRESSION_TRANSFORM (compressed), length {}", message.size());
      return;
    case s::Protocol::Unknown:
      append(out, "\n\tSMB? length {} [|smb2]", message.size());
      return;
  }
  auto chain = s::split_chain(message);
  for (const auto& e : chain.elements) pdu_text(e.pdu, out);
  if (chain.failed) {
    if (chain.elements.empty()) out += "\n\tSMB2";
    out += " [|smb2]";
  }
}

}  // namespace pxe::print
