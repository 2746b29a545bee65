#include "proto/smb2/client.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "base/addr.h"
#include "proto/smb2/crypto/primitives.h"
#include "proto/smb2/ntlm.h"
#include "wire/smb2/message.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/ntlmssp.h"
#include "wire/smb2/spnego.h"
#include "wire/smb2/status.h"
#include "wire/smb2/utf16.h"

namespace pxe::proto::smb2 {

namespace w = wire::smb2;
namespace nf = wire::ntlmssp::flag;

namespace {

constexpr std::uint8_t kFileIdBothDirectoryInformation = 37;
constexpr std::uint32_t kListBufferLength = 65536;

std::string status_text(std::uint32_t status) { return std::string(w::status_str(status)); }

std::string hex_u64(std::uint64_t v) {
  char buf[17];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  return std::string(buf, r.ptr);
}

}  // namespace

std::string_view system_error_text(int e) {
  switch (e) {
    case 2: return "The system cannot find the file specified.";
    case 5: return "Access is denied.";
    case 53: return "The network path was not found.";
    case 58: return "The specified server cannot perform the requested operation.";
    case 67: return "The network name cannot be found.";
    case 1272:
      return "You can't access this shared folder because your organization's security policies block "
             "unauthenticated guest access. These policies help protect your PC from unsafe or malicious devices "
             "on the network.";
    case 1326: return "The user name or password is incorrect.";
    default: return {};
  }
}

SmbClient::SmbClient(ClientConfig config, Random& random)
    : cfg_(std::move(config)), random_(random) {}

void SmbClient::fail(int system_error, std::uint32_t status, std::string reason,
                     ClientActions& out) {
  if (state_ == State::Finished) return;
  state_ = State::Finished;
  deadline_.reset();
  out.push_back(Event{"net use failed: System error " + std::to_string(system_error) + " (" +
                      reason + ")"});
  out.push_back(ClientFailed{system_error, status, std::move(reason)});
}

void SmbClient::fail_status(const w::Header& h, ClientActions& out) {
  std::string what = std::string(w::command_name(h.command)) + ": " + status_text(h.status);
  switch (h.status) {
    case w::status::kLogonFailure:
    case w::status::kAccountDisabled:
      return fail(1326, h.status, what + " (user '" + cfg_.user + "')", out);
    case w::status::kBadNetworkName:
      return fail(67, h.status, what + " (share '" + cfg_.share + "')", out);
    case w::status::kAccessDenied:
      return fail(5, h.status, what, out);
    case w::status::kObjectNameNotFound:
    case w::status::kNoSuchFile:
    case w::status::kObjectPathNotFound:
      return fail(2, h.status, what + " ('" + cfg_.file + "')", out);
    default:
      return fail(58, h.status, what, out);
  }
}

void SmbClient::send(w::Command cmd, const auto& body, std::uint32_t payload, Timestamp now,
                     ClientActions& out) {
  w::Header h;
  h.command = std::uint16_t(cmd);
  // 2.0.2 has no multi-credit requests (CreditCharge 0); later dialects charge one credit per
  // started 64 KiB of the larger of request and response payload.
  std::uint16_t charge = 0;
  if (dialect_ != 0 && dialect_ != w::dialect::k202)
    charge = std::uint16_t(std::max<std::uint32_t>(1, (payload + 65535) / 65536));
  h.credit_charge = charge;
  h.credits = 256;
  h.message_id = next_mid_;
  expect_mid_ = next_mid_;
  next_mid_ += charge ? charge : 1;
  h.session_id = session_id_;
  h.tree_id = tree_id_;
  Bytes pdu = w::encode_pdu(h, w::Body{body});
  if (sign_ && signer_) signer_->sign_in_place(pdu);
  if (cmd == w::Command::Negotiate) conn_hash_.update(pdu);
  if (cmd == w::Command::SessionSetup) session_hash_.update(pdu);
  ByteWriter fw;
  w::encode_nbss(fw, pdu);
  out.push_back(SendBytes{fw.take()});
  deadline_ = now + cfg_.response_timeout;
  out.push_back(SetTimer{*deadline_});
}

// The SecurityMode of our NEGOTIATE and SESSION_SETUP requests.
std::uint8_t SmbClient::security_mode() const {
  return std::uint8_t(cfg_.require_signing ? w::security_mode::kSigningRequired : w::security_mode::kSigningEnabled);
}

void SmbClient::start(Timestamp now, ClientActions& out) {
  if (state_ != State::Idle) return;
  w::NegotiateRequest n;
  n.security_mode = security_mode();
  n.capabilities = 0x7f;  // DFS, leasing, large MTU, multi-channel, persistent, dir leasing, encryption
  for (std::size_t i = 0; i < n.client_guid.size(); i += 4) {
    std::uint32_t v = random_.next();
    for (std::size_t j = 0; j < 4; ++j) n.client_guid[i + j] = std::uint8_t(v >> (8 * j));
  }
  for (std::uint16_t d : {w::dialect::k202, w::dialect::k210, w::dialect::k300, w::dialect::k302,
                          w::dialect::k311})
    if (d >= cfg_.min_dialect && d <= cfg_.max_dialect) n.dialects.push_back(d);
  if (n.offers(w::dialect::k311)) {
    ByteWriter pw;  // PREAUTH_INTEGRITY_CAPABILITIES: one hash (SHA-512), 32 bytes of salt
    pw.u16le(1);
    pw.u16le(32);
    pw.u16le(1);
    for (int i = 0; i < 8; ++i) pw.u32le(random_.next());
    n.contexts.push_back({w::context_type::kPreauthIntegrity, 0, pw.take()});
  }
  state_ = State::Negotiate;
  out.push_back(Event{"\\\\" + cfg_.server + "\\" + cfg_.share + ": NEGOTIATE"});
  send(w::Command::Negotiate, n, 0, now, out);
}

void SmbClient::on_time(Timestamp now, ClientActions& out) {
  if (state_ == State::Finished || !deadline_ || now < *deadline_) return;
  if (!got_any_response_)
    return fail(53, 0, "no answer to NEGOTIATE from " + cfg_.server, out);
  fail(58, 0, "no answer from " + cfg_.server, out);
}

void SmbClient::on_close(ClientActions& out) {
  if (state_ == State::Finished) return;
  fail(58, 0, "the server closed the connection", out);
}

void SmbClient::on_bytes(ByteSpan stream, Timestamp now, ClientActions& out) {
  if (state_ == State::Finished) return;
  rx_.insert(rx_.end(), stream.begin(), stream.end());
  std::size_t used = 0;
  while (state_ != State::Finished) {
    ByteSpan rest = ByteSpan(rx_).subspan(used);
    auto size = w::nbss_frame_size(rest);
    if (!size || rest.size() < *size) break;
    auto frame = w::parse_nbss(rest.first(*size));
    used += *size;
    if (!frame.ok()) return fail(58, 0, "bad NBSS frame: " + frame.error().what, out);
    if (frame->type == w::kNbssKeepAlive) continue;
    auto chain = w::split_chain(frame->payload);
    if (chain.failed) return fail(58, 0, "bad SMB2 message: " + chain.error.what, out);
    for (const auto& e : chain.elements) {
      if (state_ == State::Finished) break;
      handle(e.pdu, now, out);
    }
  }
  rx_.erase(rx_.begin(), rx_.begin() + std::ptrdiff_t(std::min(used, rx_.size())));
}

void SmbClient::handle(ByteSpan pdu, Timestamp now, ClientActions& out) {
  auto hr = w::parse_header(pdu);
  if (!hr.ok()) return fail(58, 0, "bad SMB2 header: " + hr.error().what, out);
  const w::Header& h = *hr;
  if (!h.is_response()) return fail(58, 0, "the server sent a request", out);
  if (h.is_async() && h.status == w::status::kPending) return;  // interim; the answer follows
  if (h.message_id != expect_mid_)
    return fail(58, 0, "response to MessageId " + std::to_string(h.message_id) +
                           ", expected " + std::to_string(expect_mid_), out);
  got_any_response_ = true;
  deadline_.reset();
  if (signer_ && h.is_signed()) {
    if (!signer_->verify(pdu))
      return fail(58, h.status,
                  std::string(w::command_name(h.command)) + " response with a bad signature", out);
    ++verified_;
  }
  if (sign_ && signer_ && !h.is_signed() && state_ != State::SessionAuth)
    return fail(58, h.status,
                std::string(w::command_name(h.command)) + " response not signed", out);

  switch (state_) {
    case State::Negotiate: return on_negotiate(h, pdu, now, out);
    case State::SessionNegotiate:
    case State::SessionAuth: return on_session(h, pdu, now, out);
    case State::TreeConnect:
      if (h.status != w::status::kSuccess) return fail_status(h, out);
      tree_id_ = h.tree_id;
      out.push_back(Event{"tree connect \\\\" + cfg_.server + "\\" + cfg_.share + " id " +
                          std::to_string(tree_id_)});
      return open(true, now, out);
    case State::OpenDir:
    case State::OpenFile: {
      if (h.status != w::status::kSuccess) return fail_status(h, out);
      auto c = w::parse_create_response(pdu);
      if (!c.ok()) return fail(58, 0, "bad CREATE response: " + c.error().what, out);
      fid_ = c->file_id;
      if (state_ == State::OpenDir) return query_dir(now, out);
      file_size_ = c->end_of_file;
      data_.clear();
      state_ = State::Read;
      return read_next(now, out);
    }
    case State::QueryDir: {
      if (h.status == w::status::kNoMoreFiles) {
        out.push_back(Event{"list: " + std::to_string(listing_.size()) + " entries"});
        return close_file(now, out);
      }
      if (h.status != w::status::kSuccess) return fail_status(h, out);
      auto o = w::parse_output_response(pdu);
      if (!o.ok()) return fail(58, 0, "bad QUERY_DIRECTORY response: " + o.error().what, out);
      // FILE_ID_BOTH_DIR_INFORMATION entries: NextEntryOffset (4) ... FileNameLength at 60,
      // FileName at 104.
      ByteSpan buf = o->output;
      std::size_t at = 0;
      for (;;) {
        if (buf.size() < at + 104) return fail(58, 0, "short directory entry", out);
        ByteReader r(buf.subspan(at));
        std::uint32_t next = r.u32le();
        ByteReader nr(buf.subspan(at + 60));
        std::uint32_t name_len = nr.u32le();
        if (buf.size() - at - 104 < name_len) return fail(58, 0, "directory entry name overruns", out);
        std::string name = w::utf16le_to_utf8(buf.subspan(at + 104, name_len));
        if (name != "." && name != "..") listing_.push_back(std::move(name));
        if (next == 0) break;
        if (next < 104 || next > buf.size() - at) return fail(58, 0, "bad NextEntryOffset", out);
        at += next;
      }
      return query_dir(now, out);
    }
    case State::Read: {
      if (h.status == w::status::kEndOfFile) return close_file(now, out);
      if (h.status != w::status::kSuccess) return fail_status(h, out);
      auto rd = w::parse_read_response(pdu);
      if (!rd.ok()) return fail(58, 0, "bad READ response: " + rd.error().what, out);
      if (rd->data.empty()) return close_file(now, out);
      data_.insert(data_.end(), rd->data.begin(), rd->data.end());
      return read_next(now, out);
    }
    case State::CloseDir:
      if (h.status != w::status::kSuccess) return fail_status(h, out);
      if (cfg_.file.empty()) {
        state_ = State::Finished;
        out.push_back(ClientDone{listing_, 0, {}});
        return;
      }
      return open(false, now, out);
    case State::CloseFile: {
      if (h.status != w::status::kSuccess) return fail_status(h, out);
      auto digest = crypto::md5({data_});
      ClientDone d{listing_, data_.size(), hex(digest)};
      out.push_back(Event{"read '" + cfg_.file + "': " + std::to_string(d.size) + " bytes md5 " +
                          d.md5});
      state_ = State::Finished;
      out.push_back(std::move(d));
      return;
    }
    case State::Idle:
    case State::Finished: return;
  }
}

void SmbClient::on_negotiate(const w::Header& h, ByteSpan pdu, Timestamp now, ClientActions& out) {
  if (h.status != w::status::kSuccess) return fail_status(h, out);
  auto n = w::parse_negotiate_response(pdu);
  if (!n.ok()) return fail(58, 0, "bad NEGOTIATE response: " + n.error().what, out);
  dialect_ = n->dialect_revision;
  if (dialect_ < cfg_.min_dialect || dialect_ > cfg_.max_dialect)
    return fail(58, 0, "the server chose a dialect not offered", out);
  conn_hash_.update(pdu);
  session_hash_ = conn_hash_;
  max_read_ = std::max<std::uint32_t>(n->max_read_size, 4096);
  if (dialect_ == w::dialect::k202) max_read_ = std::min<std::uint32_t>(max_read_, 65536);
  max_read_ = std::min<std::uint32_t>(max_read_, 1 << 20);
  server_requires_signing_ = n->security_mode & w::security_mode::kSigningRequired;
  out.push_back(Event{"dialect " + std::to_string(dialect_ >> 8) + "." +
                      std::to_string((dialect_ >> 4) & 0xf) + "." + std::to_string(dialect_ & 0xf) +
                      (server_requires_signing_ ? ", server requires signing" : "")});

  ntlm_flags_ = nf::kUnicode | nf::kRequestTarget | nf::kNtlm | nf::kSign | nf::kAlwaysSign |
                nf::kExtendedSessionSecurity | nf::k128 |
                (cfg_.user.empty() ? nf::kAnonymous : 0);
  wire::ntlmssp::Negotiate neg;
  neg.flags = ntlm_flags_;
  ntlm_negotiate_ = wire::ntlmssp::encode(neg);
  wire::spnego::NegTokenInit init;
  init.mech_types.push_back(Bytes(wire::spnego::kNtlmsspOid.begin(), wire::spnego::kNtlmsspOid.end()));
  init.mech_token = ntlm_negotiate_;
  w::SessionSetupRequest ss;
  ss.security_mode = security_mode();
  ss.security_buffer = wire::spnego::encode_init(init);
  state_ = State::SessionNegotiate;
  send(w::Command::SessionSetup, ss, 0, now, out);
}

void SmbClient::on_session(const w::Header& h, ByteSpan pdu, Timestamp now, ClientActions& out) {
  if (state_ == State::SessionNegotiate) {
    if (h.status != w::status::kMoreProcessingRequired) return fail_status(h, out);
    session_hash_.update(pdu);
    session_id_ = h.session_id;
    auto ss = w::parse_body(h, pdu);
    const auto* rsp = ss.ok() ? std::get_if<w::SessionSetupResponse>(&*ss) : nullptr;
    if (!rsp) return fail(58, 0, "bad SESSION_SETUP response", out);
    auto raw = wire::ntlmssp::find_in_spnego(rsp->security_buffer);
    if (!raw) return fail(58, 0, "no NTLMSSP CHALLENGE in the SESSION_SETUP response", out);
    auto msg = wire::ntlmssp::parse(*raw);
    if (!msg.ok() || msg->type != wire::ntlmssp::MessageType::Challenge) return fail(58, 0, "bad NTLMSSP CHALLENGE", out);
    const wire::ntlmssp::Challenge* chal = &msg->challenge;

    wire::ntlmssp::Authenticate auth;
    auth.flags = ntlm_flags_;
    auth.workstation = cfg_.workstation;
    session_key_ = {};
    if (cfg_.user.empty()) {
      auth.lm_response = Bytes{0};
    } else {
      auth.user = cfg_.user;
      auth.domain = cfg_.domain;
      std::array<std::uint8_t, 8> client_challenge{};
      for (std::size_t i = 0; i < 8; i += 4) {
        std::uint32_t v = random_.next();
        for (std::size_t j = 0; j < 4; ++j) client_challenge[i + j] = std::uint8_t(v >> (8 * j));
      }
      auto r = ntlm::ntlmv2_response(ntlm::nt_hash(cfg_.password), cfg_.user, cfg_.domain, *chal,
                                     client_challenge);
      auth.nt_response = std::move(r.nt_response);
      auth.lm_response = Bytes(24, 0);
      session_key_ = r.session_base_key;
    }
    wire::spnego::NegTokenResp resp;
    resp.response_token = wire::ntlmssp::encode(auth);
    w::SessionSetupRequest ss2;
    ss2.security_mode = security_mode();
    ss2.security_buffer = wire::spnego::encode_resp(resp);
    state_ = State::SessionAuth;
    send(w::Command::SessionSetup, ss2, 0, now, out);
    return;
  }
  // SessionAuth: the final answer.
  if (h.status != w::status::kSuccess) return fail_status(h, out);
  auto ss = w::parse_body(h, pdu);
  const auto* rsp = ss.ok() ? std::get_if<w::SessionSetupResponse>(&*ss) : nullptr;
  if (!rsp) return fail(58, 0, "bad SESSION_SETUP response", out);
  bool guest_or_null = rsp->session_flags & (w::session_flag::kIsGuest | w::session_flag::kIsNull);
  // A client that requires signing cannot sign a guest or anonymous session, and Windows (10 1709
  // and later with RequireSecuritySignature, 11 24H2 by default) refuses to go on with one.
  if (cfg_.require_signing && (guest_or_null || cfg_.user.empty()))
    return fail(1272, 0, "the server gave a guest/anonymous session and this client requires signing", out);
  if (!guest_or_null && !cfg_.user.empty()) {
    signer_ = signing::Signer::for_session(dialect_, session_key_, session_hash_.value());
    sign_ = server_requires_signing_ || cfg_.require_signing;
    if (h.is_signed()) {
      if (!signer_->verify(pdu))
        return fail(58, h.status, "SESSION_SETUP response with a bad signature", out);
      ++verified_;
    }
  }
  out.push_back(Event{"session 0x" + hex_u64(session_id_) +
                      (cfg_.user.empty() ? " anonymous" : " user '" + cfg_.user + "'") +
                      ((rsp->session_flags & w::session_flag::kIsGuest) ? " (guest)" : "") +
                      (sign_ ? " signed" : "")});
  w::TreeConnectRequest t;
  t.path = "\\\\" + cfg_.server + "\\" + cfg_.share;
  state_ = State::TreeConnect;
  send(w::Command::TreeConnect, t, 0, now, out);
}

void SmbClient::open(bool directory, Timestamp now, ClientActions& out) {
  w::CreateRequest c;
  c.requested_oplock_level = 0;
  c.impersonation_level = 2;  // impersonation
  c.desired_access = directory ? 0x00100081u : 0x00120089u;  // list/read data + attributes + synchronize
  c.file_attributes = 0;
  c.share_access = 0x7;
  c.create_disposition = w::disposition::kOpen;
  c.create_options = directory ? w::create_option::kDirectoryFile : w::create_option::kNonDirectoryFile;
  c.name = directory ? std::string() : cfg_.file;
  state_ = directory ? State::OpenDir : State::OpenFile;
  send(w::Command::Create, c, 0, now, out);
}

void SmbClient::query_dir(Timestamp now, ClientActions& out) {
  w::QueryDirectoryRequest q;
  q.info_class = kFileIdBothDirectoryInformation;
  q.file_id = fid_;
  q.pattern = "*";
  q.output_buffer_length = kListBufferLength;
  state_ = State::QueryDir;
  send(w::Command::QueryDirectory, q, kListBufferLength, now, out);
}

void SmbClient::read_next(Timestamp now, ClientActions& out) {
  if (data_.size() >= file_size_) return close_file(now, out);
  w::ReadRequest r;
  r.padding = 0x50;
  r.length = std::uint32_t(std::min<std::uint64_t>(max_read_, file_size_ - data_.size()));
  r.offset = data_.size();
  r.file_id = fid_;
  send(w::Command::Read, r, r.length, now, out);
}

void SmbClient::close_file(Timestamp now, ClientActions& out) {
  w::CloseRequest c;
  c.file_id = fid_;
  state_ = state_ == State::QueryDir ? State::CloseDir : State::CloseFile;
  send(w::Command::Close, c, 0, now, out);
}

}  // namespace pxe::proto::smb2
