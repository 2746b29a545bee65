// Drives a proto::smb2::Connection the way a client would: requests built with the wire encoders,
// every byte the connection sends parsed back with the wire parsers (the "decoder and server
// agree byte for byte" check: a response that does not parse fails the test).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <deque>

#include "base/random.h"
#include "proto/smb2/connection.h"
#include "proto/smb2/crypto/primitives.h"
#include "proto/smb2/memory_share.h"
#include "proto/smb2/ntlm.h"
#include "proto/smb2/signing.h"
#include "wire/smb2/ntlmssp.h"
#include "wire/smb2/session_setup.h"
#include "wire/smb2/tree_connect.h"
#include "wire/smb2/header.h"
#include "wire/smb2/message.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/status.h"

namespace pxe::test::smb2 {

namespace w = pxe::wire::smb2;
namespace p = pxe::proto::smb2;
namespace signing = pxe::proto::smb2::signing;

// Hands out the given words, then a counter (never zero).
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::deque<std::uint32_t> words = {}) : words_(std::move(words)) {}
  std::uint32_t next() override {
    if (words_.empty()) return ++counter_ * 0x9E3779B9u;
    std::uint32_t v = words_.front();
    words_.pop_front();
    return v;
  }
  void push(std::uint32_t v) { words_.push_back(v); }

 private:
  std::deque<std::uint32_t> words_;
  std::uint32_t counter_ = 0;
};

// One response element, parsed.
struct Rsp {
  w::Header h;
  Bytes pdu;  // this element (with its padding)
  w::Body body;
};

// What a SendFileData becomes on the wire: the head followed by the file range.
inline Bytes flatten(const p::SendFileData& f) {
  Bytes out = f.head;
  Bytes data(f.length);
  auto got = f.file->read(f.offset, data);
  EXPECT_TRUE(got.ok());
  if (got.ok()) data.resize(*got);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// A further client connection to the same server (its ServerContext, so the same session
// registry): another channel for multichannel tests.
struct SameServer {
  p::ServerContext& ctx;
};

class Client {
 public:
  explicit Client(SameServer server) : ctx(server.ctx) {}
  explicit Client(std::uint16_t max_dialect = w::dialect::k311)
      : own_ctx_(std::make_unique<p::ServerContext>()), ctx(*own_ctx_) {
    ctx.random = &random;
    ctx.server_guid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    ctx.settings.max_protocol = config::SmbDialect(max_dialect);
    ctx.settings.min_protocol = config::SmbDialect::Smb2_02;
    share.add_file("hello.txt", Bytes{'h', 'e', 'l', 'l', 'o', '\n'});
    share.add_dir("sources");
    share.add_file("sources/install.wim", Bytes(200000, 0x5a));
    share.add_file("setup.exe", Bytes(70000, 0x4d));
    ctx.shares.push_back({"GUEST", &share, true});
    ctx.shares.push_back({"PRIVATE", &share, false});
    ctx.settings.accounts.push_back({"user", "pass"});
  }

  p::Connection& conn() {
    if (!conn_) {
      conn_ = std::make_unique<p::Connection>(ctx, now, filetime);
      p::Actions a;
      conn_->start(a);
      take(a);
    }
    return *conn_;
  }

  // Raw stream bytes in; responses parsed into `responses` (appended).
  void feed(ByteSpan stream) {
    p::Actions a;
    conn().on_bytes(stream, now, filetime, a);
    take(a);
  }
  void send_message(ByteSpan smb) {
    ByteWriter fw;
    w::encode_nbss(fw, smb);
    feed(fw.data());
  }

  // A request header with the next MessageId (charge credits).
  w::Header request(w::Command cmd, std::uint16_t charge = 1) {
    w::Header h;
    h.command = std::uint16_t(cmd);
    h.credit_charge = charge;
    h.credits = 32;
    h.message_id = next_mid;
    next_mid += charge ? charge : 1;
    h.session_id = session_id;
    h.tree_id = tree_id;
    return h;
  }

  // Sends one request (signed when `signer` is set and sign_requests) and returns its one
  // response (fails the test if there is not exactly one). `sent` keeps the request bytes.
  Rsp call(const w::Header& h, const w::Body& body) {
    sent = w::encode_pdu(h, body);
    if (signer && sign_requests) signer->sign_in_place(sent);
    send_message(sent);
    EXPECT_EQ(responses.size(), 1u) << "responses to " << w::command_name(h.command);
    if (responses.empty()) return {};
    Rsp r = std::move(responses.front());
    responses.clear();
    return r;
  }

  // NEGOTIATE offering `dialects` (3.1.1 contexts when 3.1.1 is offered).
  Rsp negotiate(std::vector<std::uint16_t> dialects,
                std::vector<std::uint16_t> signing_algorithms = {}) {
    w::NegotiateRequest n;
    n.security_mode = w::security_mode::kSigningEnabled;
    n.capabilities = 0x7f;
    n.client_guid = client_guid;
    n.dialects = std::move(dialects);
    if (n.offers(w::dialect::k311)) {
      ByteWriter pw;
      pw.u16le(1);
      pw.u16le(32);
      pw.u16le(1);
      pw.zeros(32);
      n.contexts.push_back({w::context_type::kPreauthIntegrity, 0, pw.take()});
      if (!signing_algorithms.empty()) {
        ByteWriter sw;
        sw.u16le(std::uint16_t(signing_algorithms.size()));
        for (auto a : signing_algorithms) sw.u16le(a);
        n.contexts.push_back({w::context_type::kSigning, 0, sw.take()});
      }
    }
    negotiate_request = n;
    Rsp r = call(request(w::Command::Negotiate, 0), n);
    if (const auto* nr = std::get_if<w::NegotiateResponse>(&r.body)) dialect = nr->dialect_revision;
    return r;
  }

  // Session setup with raw NTLMSSP (no SPNEGO, which the server accepts as Samba does).
  Rsp session_setup(ByteSpan token, std::uint16_t security_mode = w::security_mode::kSigningEnabled) {
    w::SessionSetupRequest ss;
    ss.security_mode = std::uint8_t(security_mode);
    ss.security_buffer.assign(token.begin(), token.end());
    return call(request(w::Command::SessionSetup), ss);
  }

  // A whole logon: NEGOTIATE of `dialect` (unless done), then NTLMv2 for user/password
  // computed here, on the client side, from the server's CHALLENGE. Afterwards session_id is
  // set, `session_key` is the key both sides should hold and `signer` is built from it and
  // from the 3.1.1 pre-auth hash computed over the bytes as they travelled.
  Rsp logon(std::string user, std::string password, std::uint16_t offer = w::dialect::k311,
            std::uint16_t security_mode = w::security_mode::kSigningEnabled,
            std::vector<std::uint16_t> signing_algorithms = {}, bool anonymous = false) {
    signing::PreauthIntegrity conn_hash;
    if (negotiate_request.dialects.empty()) {
      Rsp n = negotiate({offer}, signing_algorithms);
      conn_hash.update(sent);
      conn_hash.update(n.pdu);
      if (!signing_algorithms.empty()) {
        const auto& nr = std::get<w::NegotiateResponse>(n.body);
        for (const auto& nc : nr.contexts)
          if (nc.type == w::context_type::kSigning)
            algorithm = signing::Algorithm(nc.algorithm_ids().at(0));
      }
    }
    namespace nf = wire::ntlmssp::flag;
    wire::ntlmssp::Negotiate neg;
    neg.flags = nf::kUnicode | nf::kRequestTarget | nf::kNtlm | nf::kSign | nf::kAlwaysSign |
                nf::kExtendedSessionSecurity | nf::k128 | (anonymous ? nf::kAnonymous : 0);
    Bytes negotiate_msg = wire::ntlmssp::encode(neg);
    signing::PreauthIntegrity hash = conn_hash;
    Rsp r1 = session_setup(negotiate_msg, security_mode);
    hash.update(sent);
    hash.update(r1.pdu);
    EXPECT_EQ(r1.h.status, w::status::kMoreProcessingRequired);
    session_id = r1.h.session_id;
    auto answer = ntlmv2_answer(r1, neg.flags, user, password, {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7});
    if (!answer) return r1;
    auto& [auth, key] = *answer;
    if (anonymous) {  // [MS-NLMP] 3.1.5.1.2: no names, LM Z(1), no NT response, no key
      auth.user.clear();
      auth.domain.clear();
      auth.lm_response = Bytes{0};
      auth.nt_response.clear();
      key = Key16{};
    }
    Rsp r2 = session_setup(wire::ntlmssp::encode(auth), security_mode);
    hash.update(sent);
    session_key = key;
    if (r2.h.status == w::status::kSuccess && !anonymous)
      signer = signing::Signer::for_session(this->dialect, key, hash.value(), algorithm);
    return r2;
  }

  // The NTLMv2 AUTHENTICATE (as user@WORKGROUP from CLIENT) answering the CHALLENGE in the
  // SESSION_SETUP response `r1`, and the session base key it gives; nullopt (a test failure) when
  // r1 holds no CHALLENGE.
  static std::optional<std::pair<wire::ntlmssp::Authenticate, proto::smb2::crypto::Key16>> ntlmv2_answer(
      const Rsp& r1, std::uint32_t flags, const std::string& user, const std::string& password,
      const std::array<std::uint8_t, 8>& client_challenge) {
    const auto* ss = std::get_if<w::SessionSetupResponse>(&r1.body);
    EXPECT_NE(ss, nullptr);
    if (!ss) return std::nullopt;
    auto raw = wire::ntlmssp::find_in_spnego(ss->security_buffer);
    EXPECT_TRUE(raw.has_value());
    if (!raw) return std::nullopt;
    auto chal = wire::ntlmssp::parse(*raw);
    EXPECT_TRUE(chal.ok());
    if (!chal.ok()) return std::nullopt;
    wire::ntlmssp::Authenticate auth;
    auth.flags = flags;
    auth.user = user;
    auth.domain = "WORKGROUP";
    auth.workstation = "CLIENT";
    auto nt = proto::smb2::ntlm::ntlmv2_response(proto::smb2::ntlm::nt_hash(password), user, auth.domain,
                                                 chal->challenge, client_challenge);
    auth.nt_response = std::move(nt.nt_response);
    auth.lm_response = Bytes(24, 0);
    return std::pair{std::move(auth), nt.session_base_key};
  }

  // Binds `primary`'s session to this connection (SESSION_SETUP with SMB2_SESSION_FLAG_BINDING,
  // [MS-SMB2] 3.2.4.2.3): NEGOTIATE of `primary`'s dialect (unless done), then NTLMv2 again,
  // every request signed with the session's key. On success `signer` is the new channel's (from
  // this authentication's session key and, 3.1.1, this connection's pre-auth hash). Returns the
  // last response.
  Rsp bind(const Client& primary, std::string user, std::string password) {
    signing::PreauthIntegrity hash;
    if (negotiate_request.dialects.empty()) {
      Rsp n = negotiate({primary.dialect});
      hash.update(sent);
      hash.update(n.pdu);
    }
    session_id = primary.session_id;
    signer = primary.signer;  // Session.SigningKey signs the binding's requests
    algorithm = primary.algorithm;
    namespace nf = wire::ntlmssp::flag;
    wire::ntlmssp::Negotiate neg;
    neg.flags = nf::kUnicode | nf::kRequestTarget | nf::kNtlm | nf::kSign | nf::kAlwaysSign |
                nf::kExtendedSessionSecurity | nf::k128;
    w::SessionSetupRequest ss;
    ss.flags = w::kSessionSetupBinding;
    ss.security_mode = w::security_mode::kSigningEnabled;
    ss.security_buffer = wire::ntlmssp::encode(neg);
    Rsp r1 = call(request(w::Command::SessionSetup), ss);
    hash.update(sent);
    hash.update(r1.pdu);
    if (r1.h.status != w::status::kMoreProcessingRequired) return r1;
    auto answer = ntlmv2_answer(r1, neg.flags, user, password, {0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7});
    if (!answer) return r1;
    ss.security_buffer = wire::ntlmssp::encode(answer->first);
    Rsp r2 = call(request(w::Command::SessionSetup), ss);
    hash.update(sent);
    if (r2.h.status == w::status::kSuccess) {
      session_key = answer->second;
      signer = signing::Signer::for_session(dialect, answer->second, hash.value(), algorithm);
    }
    return r2;
  }

  Rsp tree_connect(std::string share_name) {
    w::TreeConnectRequest t;
    t.path = "\\\\192.0.2.1\\" + share_name;
    Rsp r = call(request(w::Command::TreeConnect), t);
    if (r.h.status == w::status::kSuccess) tree_id = r.h.tree_id;
    return r;
  }

  // What other connections' requests left for this one (Connection::take_deferred), parsed
  // into `responses` like the rest.
  void take_deferred() {
    p::Actions a;
    conn().take_deferred(a);
    take(a);
  }

  // Whether the response carries a valid signature of the client's signer.
  bool signed_ok(const Rsp& r) const {
    return signer && r.h.is_signed() && signer->verify(r.pdu);
  }

  std::vector<Rsp> responses;
  std::vector<p::Event> events;
  std::vector<p::SetTimer> timers;
  std::vector<p::SendFileData> file_sends;
  std::optional<std::string> closed;
  std::vector<Bytes> messages;  // every NBSS message sent, as sent (SendFileData flattened)

  using Key16 = proto::smb2::crypto::Key16;
  std::optional<proto::smb2::signing::Signer> signer;
  bool sign_requests = true;
  Key16 session_key{};
  proto::smb2::signing::Algorithm algorithm = proto::smb2::signing::Algorithm::AesCmac;
  Bytes sent;  // the last request as sent

  ScriptedRandom random;
  p::MemoryShare share;
  std::unique_ptr<p::ServerContext> own_ctx_;  // null for a further connection (SameServer)
  p::ServerContext& ctx;
  Timestamp now{1'000'000};
  static constexpr std::uint64_t kFiletime = 0x01DB000000000000ull;
  std::uint64_t filetime = kFiletime;
  std::uint64_t next_mid = 0;
  std::uint64_t session_id = 0;
  std::uint32_t tree_id = 0;
  std::uint16_t dialect = 0;  // negotiated
  w::NegotiateRequest negotiate_request;
  std::array<std::uint8_t, 16> client_guid = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};

 private:
  void parse_message(const Bytes& nbss) {
    messages.push_back(nbss);
    auto frame = w::parse_nbss(nbss);
    ASSERT_TRUE(frame.ok()) << frame.error().what;
    ASSERT_EQ(frame->payload.size() + 4, nbss.size()) << "one NBSS message per action";
    auto chain = w::split_chain(frame->payload);
    ASSERT_FALSE(chain.failed) << chain.error.what;
    for (const auto& e : chain.elements) {
      auto h = w::parse_header(e.pdu);
      ASSERT_TRUE(h.ok()) << h.error().what;
      EXPECT_TRUE(h->is_response());
      Rsp r;
      r.h = *h;
      r.pdu.assign(e.pdu.begin(), e.pdu.end());
      auto b = w::parse_body(r.h, r.pdu);
      ASSERT_TRUE(b.ok()) << w::command_name(r.h.command) << " " << w::status_str(r.h.status)
                          << ": " << b.error().what;
      r.body = *b;
      responses.push_back(std::move(r));
    }
  }
  void take(p::Actions& actions) {
    for (auto& a : actions) {
      if (auto* s = std::get_if<p::SendBytes>(&a)) {
        parse_message(s->bytes);
      } else if (auto* f = std::get_if<p::SendFileData>(&a)) {
        file_sends.push_back(*f);
        parse_message(flatten(*f));
      } else if (auto* c = std::get_if<p::CloseConnection>(&a)) {
        closed = c->why;
      } else if (auto* t = std::get_if<p::SetTimer>(&a)) {
        timers.push_back(*t);
      } else if (auto* e = std::get_if<p::Event>(&a)) {
        events.push_back(*e);
      }
    }
  }

  std::unique_ptr<p::Connection> conn_;
};

// The body of a response as T (fails the test when it is another type).
template <class T>
const T& body_as(const Rsp& r) {
  static const T empty{};
  const T* b = std::get_if<T>(&r.body);
  EXPECT_NE(b, nullptr) << "response body of " << w::command_name(r.h.command) << " ("
                        << w::status_str(r.h.status) << ") is not the expected type";
  return b ? *b : empty;
}

}  // namespace pxe::test::smb2
