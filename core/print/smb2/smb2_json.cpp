#include "base/addr.h"
#include "print/smb2/ntlmssp_print.h"
#include "print/smb2/smb2_print.h"
#include "wire/smb2/message.h"
#include "wire/smb2/smb1.h"
#include "wire/smb2/status.h"

namespace pxe::print {
namespace s = wire::smb2;
namespace {

std::uint64_t u(std::uint64_t v) { return v; }

void file_id(JsonWriter& w, const s::FileId& f) {
  w.key("file_id").begin_object();
  w.field("persistent", u(f.persistent));
  w.field("volatile", u(f.volatile_));
  w.end_object();
}

void error(JsonWriter& w, const Error& e, std::size_t base) {
  w.field("error", e.what);
  w.field("error_offset", u(base + e.offset));
}

struct BodyJson {
  JsonWriter& w;

  void operator()(const std::monostate&) const {}
  void contexts(const std::vector<s::NegotiateContext>& cs) const {
    w.key("negotiate_contexts").begin_array();
    for (const auto& c : cs) {
      w.begin_object();
      w.field("type", unsigned(c.type));
      auto n = s::context_type_name(c.type);
      if (!n.empty()) w.field("name", n);
      w.field("length", u(c.data.size()));
      auto ids = c.algorithm_ids();
      if (!ids.empty()) {
        w.key("algorithms").begin_array();
        for (auto id : ids) w.value(unsigned(id));
        w.end_array();
      }
      if (c.type == s::context_type::kNetname) w.field("netname", c.netname());
      w.end_object();
    }
    w.end_array();
  }
  void operator()(const s::NegotiateRequest& m) const {
    w.key("dialects").begin_array();
    for (auto d : m.dialects) w.value(s::dialect_str(d));
    w.end_array();
    w.field("security_mode", unsigned(m.security_mode));
    w.field("capabilities", u(m.capabilities));
    w.field("client_guid", hex(m.client_guid));
    contexts(m.contexts);
  }
  void operator()(const s::NegotiateResponse& m) const {
    w.field("dialect", s::dialect_str(m.dialect_revision));
    w.field("security_mode", unsigned(m.security_mode));
    w.field("capabilities", u(m.capabilities));
    w.field("capability_names", s::capabilities_str(m.capabilities));
    w.field("server_guid", hex(m.server_guid));
    w.field("max_transact_size", u(m.max_transact_size));
    w.field("max_read_size", u(m.max_read_size));
    w.field("max_write_size", u(m.max_write_size));
    w.field("security_buffer_length", u(m.security_buffer.size()));
    contexts(m.contexts);
  }
  void operator()(const s::SessionSetupRequest& m) const {
    w.field("setup_flags", unsigned(m.flags));
    w.field("security_mode", unsigned(m.security_mode));
    w.field("previous_session_id", u(m.previous_session_id));
    ntlmssp_json(m.security_buffer, w);
  }
  void operator()(const s::SessionSetupResponse& m) const {
    w.field("session_flags", unsigned(m.session_flags));
    w.field("session_flag_names", s::session_flags_str(m.session_flags));
    ntlmssp_json(m.security_buffer, w);
  }
  void operator()(const s::TreeConnectRequest& m) const {
    w.field("tree_connect_flags", unsigned(m.flags));
    w.field("path", m.path);
  }
  void operator()(const s::TreeConnectResponse& m) const {
    w.field("share_type", unsigned(m.share_type));
    auto t = s::share_type_name(m.share_type);
    if (!t.empty()) w.field("share_type_name", t);
    w.field("share_flags", u(m.share_flags));
    w.field("share_capabilities", u(m.capabilities));
    w.field("maximal_access", u(m.maximal_access));
  }
  void create_contexts(const std::vector<s::CreateContext>& cs) const {
    w.key("create_contexts").begin_array();
    for (const auto& c : cs) w.value(c.name_str());
    w.end_array();
  }
  void operator()(const s::CreateRequest& m) const {
    w.field("name", m.name);
    w.field("desired_access", u(m.desired_access));
    w.field("file_attributes", u(m.file_attributes));
    w.field("share_access", u(m.share_access));
    w.field("create_disposition", u(m.create_disposition));
    auto d = s::disposition_name(m.create_disposition);
    if (!d.empty()) w.field("create_disposition_name", d);
    w.field("create_options", u(m.create_options));
    w.field("requested_oplock_level", unsigned(m.requested_oplock_level));
    create_contexts(m.contexts);
  }
  void operator()(const s::CreateResponse& m) const {
    file_id(w, m.file_id);
    w.field("oplock_level", unsigned(m.oplock_level));
    w.field("create_action", u(m.create_action));
    w.field("end_of_file", u(m.end_of_file));
    w.field("allocation_size", u(m.allocation_size));
    w.field("file_attributes", u(m.file_attributes));
    create_contexts(m.contexts);
  }
  void operator()(const s::CloseRequest& m) const {
    w.field("close_flags", unsigned(m.flags));
    file_id(w, m.file_id);
  }
  void operator()(const s::CloseResponse& m) const {
    w.field("close_flags", unsigned(m.flags));
    w.field("end_of_file", u(m.end_of_file));
    w.field("file_attributes", u(m.file_attributes));
  }
  void operator()(const s::ReadRequest& m) const {
    file_id(w, m.file_id);
    w.field("offset", u(m.offset));
    w.field("length", u(m.length));
    w.field("minimum_count", u(m.minimum_count));
  }
  void operator()(const s::ReadResponse& m) const {
    w.field("length", u(m.data_length));
    w.field("data_remaining", u(m.data_remaining));
  }
  void operator()(const s::WriteRequest& m) const {
    file_id(w, m.file_id);
    w.field("offset", u(m.offset));
    w.field("length", u(m.length));
  }
  void operator()(const s::WriteResponse& m) const { w.field("count", u(m.count)); }
  void ctl(std::uint32_t code) const {
    w.field("ctl_code", u(code));
    auto n = s::ctl_code_name(code);
    if (!n.empty()) w.field("ctl_code_name", n);
  }
  void operator()(const s::IoctlRequest& m) const {
    ctl(m.ctl_code);
    file_id(w, m.file_id);
    w.field("is_fsctl", bool(m.flags & s::kIoctlIsFsctl));
    w.field("input_count", u(m.input.size()));
    w.field("output_count", u(m.output.size()));
    w.field("max_output_response", u(m.max_output_response));
  }
  void operator()(const s::IoctlResponse& m) const {
    ctl(m.ctl_code);
    file_id(w, m.file_id);
    w.field("input_count", u(m.input.size()));
    w.field("output_count", u(m.output.size()));
  }
  void operator()(const s::QueryDirectoryRequest& m) const {
    w.field("info_class", unsigned(m.info_class));
    w.field("query_flags", unsigned(m.flags));
    w.field("pattern", m.pattern);
    file_id(w, m.file_id);
    w.field("output_buffer_length", u(m.output_buffer_length));
  }
  void operator()(const s::QueryInfoRequest& m) const {
    w.field("info_type", unsigned(m.info_type));
    auto t = s::info_type_name(m.info_type);
    if (!t.empty()) w.field("info_type_name", t);
    w.field("info_class", unsigned(m.info_class));
    file_id(w, m.file_id);
    w.field("output_buffer_length", u(m.output_buffer_length));
    w.field("additional_information", u(m.additional_information));
  }
  void operator()(const s::ChangeNotifyRequest& m) const {
    file_id(w, m.file_id);
    w.field("completion_filter", u(m.completion_filter));
    w.field("watch_tree", bool(m.flags & 1));
  }
  void operator()(const s::SetInfoRequest& m) const {
    w.field("info_type", unsigned(m.info_type));
    w.field("info_class", unsigned(m.info_class));
    file_id(w, m.file_id);
    w.field("length", u(m.buffer.size()));
  }
  void operator()(const s::OutputResponse& m) const { w.field("length", u(m.output.size())); }
  void operator()(const s::SimpleBody&) const {}
  void operator()(const s::ErrorResponse& m) const {
    w.field("error_context_count", unsigned(m.error_context_count));
    w.field("error_data_length", u(m.error_data.size()));
  }
};

void pdu_json(ByteSpan pdu, std::size_t base, JsonWriter& w) {
  auto h = s::parse_header(pdu);
  w.begin_object();
  w.field("protocol", "smb2");
  if (!h) {
    error(w, h.error(), base);
    w.end_object();
    return;
  }
  auto name = s::command_name(h->command);
  if (name.empty()) w.field("command", "0x" + hex(std::array{std::uint8_t(h->command >> 8), std::uint8_t(h->command)}));
  else w.field("command", name);
  w.field("command_code", unsigned(h->command));
  w.field("is_response", h->is_response());
  w.field("status", s::status_str(h->status));
  w.field("status_code", u(h->status));
  w.field("message_id", u(h->message_id));
  w.field("session_id", u(h->session_id));
  w.field("tree_id", u(h->tree_id));
  if (h->is_async()) w.field("async_id", u(h->async_id));
  w.field("flags", u(h->flags));
  w.field("signed", h->is_signed());
  w.field("credits", unsigned(h->credits));
  w.field("credit_charge", unsigned(h->credit_charge));
  if (!name.empty()) {
    auto body = s::parse_body(*h, pdu);
    if (body) std::visit(BodyJson{w}, *body);
    else error(w, body.error(), base);
  }
  w.end_object();
}

void smb1_json(ByteSpan message, JsonWriter& w) {
  w.begin_object();
  w.field("protocol", "smb1");
  auto m = s::parse_smb1(message);
  if (!m) {
    error(w, m.error(), 0);
    w.end_object();
    return;
  }
  w.field("command_code", unsigned(m->command));
  if (m->command == s::kSmb1Negotiate) w.field("command", "NEGOTIATE");
  w.field("is_response", m->is_response());
  w.field("status", s::status_str(m->status));
  w.field("status_code", u(m->status));
  w.field("message_id", unsigned(m->mid));
  if (m->command == s::kSmb1Negotiate && !m->is_response()) {
    w.key("dialects").begin_array();
    for (const auto& d : m->dialects) w.value(d);
    w.end_array();
  } else if (m->command == s::kSmb1Negotiate) {
    w.field("dialect_index", unsigned(m->dialect_index));
  }
  w.end_object();
}

}  // namespace

void smb2_json(ByteSpan message, JsonWriter& w) {
  switch (s::sniff(message)) {
    case s::Protocol::Smb2: break;
    case s::Protocol::Smb1: smb1_json(message, w); return;
    case s::Protocol::Smb2Transform: {
      w.begin_object();
      w.field("protocol", "smb2-transform");
      w.field("encrypted", true);
      auto t = s::parse_transform_header(message);
      if (t) {
        w.field("session_id", u(t->session_id));
        w.field("original_message_size", u(t->original_message_size));
        w.field("ciphertext_size", u(t->ciphertext_size));
      } else {
        error(w, t.error(), 0);
      }
      w.end_object();
      return;
    }
    case s::Protocol::Smb2Compressed:
      w.begin_object();
      w.field("protocol", "smb2-compressed");
      w.field("length", u(message.size()));
      w.end_object();
      return;
    case s::Protocol::Unknown:
      w.begin_object();
      w.field("protocol", "unknown");
      w.field("length", u(message.size()));
      w.field("error", "not an SMB message (no 0xFE/0xFD/0xFC/0xFF 'SMB' ProtocolId)");
      w.field("error_offset", u(0));
      w.end_object();
      return;
  }
  auto chain = s::split_chain(message);
  for (const auto& e : chain.elements) pdu_json(e.pdu, e.offset, w);
  if (chain.failed) {
    w.begin_object();
    w.field("protocol", "smb2");
    error(w, chain.error, 0);
    w.end_object();
  }
}

}  // namespace pxe::print
