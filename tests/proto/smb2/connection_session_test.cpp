// SESSION_SETUP through the connection machine: the appendix A.1 exchange replayed, NTLMv2
// logons computed on the client side for 2.1 / 3.0.2 / 3.1.1 (CMAC and GMAC) with every signature
// checked by a Signer built from the same key, guest, anonymous, wrong password, LOGOFF, and the
// tree connect rules.
#include <gtest/gtest.h>

#include "proto/smb2/connection_support.h"
#include "proto/smb2/hex.h"
#include "proto/smb2/session_a1.h"
#include "wire/smb2/simple.h"

namespace pxe::test::smb2 {
namespace {

namespace st = w::status;

TEST(SmbConnectionSession, ReplaysAppendixA1AndSignsTheFinalResponseWithTheDerivedKey) {
  Client c;
  c.ctx.settings.netbios_name = "SMBRESEARCH";
  c.ctx.settings.workgroup = "SMBRESEARCH";
  c.ctx.dns_name = "vm";
  c.filetime = 0x01dd7a275cb73d1a;  // the recorded CHALLENGE's timestamp
  // 8 words of preauth salt, 2 of session id, then Samba's server challenge d50fb6cb7d035a36.
  for (int i = 0; i < 8; ++i) c.random.push(0x11111111u * std::uint32_t(i + 1));
  c.random.push(0x8109fbe4);
  c.random.push(0x00000001);
  c.random.push(0xcbb60fd5);
  c.random.push(0x365a037d);

  signing::PreauthIntegrity hash;
  Bytes neg = unhex(a1::kNegotiateRequest);
  c.send_message(neg);
  ASSERT_EQ(c.responses.size(), 1u);
  EXPECT_EQ(body_as<w::NegotiateResponse>(c.responses[0]).dialect_revision, w::dialect::k311);
  hash.update(neg);
  hash.update(c.responses[0].pdu);
  c.responses.clear();

  Bytes req1 = unhex(a1::kSessionSetupRequest1);
  c.send_message(req1);
  ASSERT_EQ(c.responses.size(), 1u);
  Rsp r1 = c.responses[0];
  c.responses.clear();
  EXPECT_EQ(r1.h.status, st::kMoreProcessingRequired);
  auto samba1 = w::parse_session_setup_response(unhex(a1::kSessionSetupResponse1));
  ASSERT_TRUE(samba1.ok());
  // Our CHALLENGE token is Samba's, byte for byte.
  EXPECT_EQ(hex(body_as<w::SessionSetupResponse>(r1).security_buffer), hex(samba1->security_buffer));
  hash.update(req1);
  hash.update(r1.pdu);

  // The recorded request 2 with our SessionId (the NTLM MIC does not cover the SMB2 header).
  Bytes req2 = unhex(a1::kSessionSetupRequest2);
  for (int k = 0; k < 8; ++k) req2[40 + k] = std::uint8_t(r1.h.session_id >> (8 * k));
  c.send_message(req2);
  ASSERT_EQ(c.responses.size(), 1u);
  Rsp r2 = c.responses[0];
  hash.update(req2);
  EXPECT_EQ(r2.h.status, st::kSuccess);
  const auto& ss2 = body_as<w::SessionSetupResponse>(r2);
  EXPECT_EQ(ss2.session_flags, 0);
  auto samba2 = w::parse_session_setup_response(unhex(a1::kSessionSetupResponse2));
  ASSERT_TRUE(samba2.ok());
  EXPECT_EQ(hex(ss2.security_buffer), hex(samba2->security_buffer));  // accept-completed + mechListMIC

  auto key = unhex_array<16>("7aff00571b48b30b9c85e70b6e943c79");  // ExportedSessionKey of A.1
  auto signer = signing::Signer::for_session(w::dialect::k311, key, hash.value());
  EXPECT_TRUE(r2.h.is_signed());
  EXPECT_TRUE(signer.verify(r2.pdu));
  ASSERT_FALSE(c.events.empty());
  EXPECT_NE(c.events.back().text.find("user 'user'"), std::string::npos) << c.events.back().text;
  EXPECT_NE(c.events.back().text.find("SMB 3.1.1"), std::string::npos);
}

struct DialectCase {
  std::uint16_t dialect;
  std::vector<std::uint16_t> signing_algorithms;
  signing::Algorithm expect;
};

TEST(SmbConnectionSession, UserSessionSignsWithTheDialectsAlgorithm) {
  for (const DialectCase& d : std::vector<DialectCase>{
           {w::dialect::k210, {}, signing::Algorithm::HmacSha256},
           {w::dialect::k302, {}, signing::Algorithm::AesCmac},
           {w::dialect::k311, {}, signing::Algorithm::AesCmac},
           {w::dialect::k311, {2, 1}, signing::Algorithm::AesGmac}}) {
    SCOPED_TRACE(w::dialect_str(d.dialect) + " " + std::to_string(int(d.expect)));
    Client c;
    Rsp r = c.logon("user", "pass", d.dialect,
                    w::security_mode::kSigningEnabled | w::security_mode::kSigningRequired,
                    d.signing_algorithms);
    ASSERT_EQ(r.h.status, st::kSuccess);
    ASSERT_TRUE(c.signer);
    EXPECT_EQ(c.signer->algorithm(), d.expect);
    EXPECT_EQ(body_as<w::SessionSetupResponse>(r).session_flags, 0);
    EXPECT_TRUE(c.signed_ok(r)) << "final SESSION_SETUP";
    // A signed request gets a signed response.
    Rsp t = c.tree_connect("GUEST");
    EXPECT_EQ(t.h.status, st::kSuccess);
    EXPECT_TRUE(c.signed_ok(t));
    Rsp e = c.call(c.request(w::Command::Echo), w::SimpleBody{});
    EXPECT_EQ(e.h.status, st::kSuccess);
    // The client required signing: an unsigned request is refused.
    c.sign_requests = false;
    Rsp u = c.call(c.request(w::Command::TreeConnect), w::TreeConnectRequest{0, "\\\\s\\GUEST"});
    EXPECT_EQ(u.h.status, st::kAccessDenied);
    // A request with a wrong signature is refused.
    w::Header h = c.request(w::Command::TreeConnect);
    Bytes bad = w::encode_pdu(h, w::TreeConnectRequest{0, "\\\\s\\GUEST"});
    c.signer->sign_in_place(bad);
    bad[50] ^= 1;
    c.send_message(bad);
    ASSERT_EQ(c.responses.size(), 1u);
    EXPECT_EQ(c.responses[0].h.status, st::kAccessDenied);
  }
}

TEST(SmbConnectionSession, Smb3FinalResponseIsSignedEvenWhenSigningIsNotRequired) {
  Client c;
  Rsp r = c.logon("user", "pass", w::dialect::k302);
  ASSERT_EQ(r.h.status, st::kSuccess);
  EXPECT_TRUE(c.signed_ok(r));
  // Unsigned requests are fine then, and get unsigned responses.
  c.sign_requests = false;
  Rsp t = c.tree_connect("GUEST");
  EXPECT_EQ(t.h.status, st::kSuccess);
  EXPECT_FALSE(t.h.is_signed());
}

TEST(SmbConnectionSession, Smb21FinalResponseIsUnsignedUnlessSigningIsRequired) {
  Client c;
  Rsp r = c.logon("user", "pass", w::dialect::k210);
  ASSERT_EQ(r.h.status, st::kSuccess);
  EXPECT_FALSE(r.h.is_signed());
  Client d;
  d.ctx.settings.signing = config::SmbSigning::Required;
  Rsp s = d.logon("user", "pass", w::dialect::k210);
  ASSERT_EQ(s.h.status, st::kSuccess);
  EXPECT_TRUE(d.signed_ok(s));
}

TEST(SmbConnectionSession, WrongPasswordIsLogonFailureAndTheSessionIsGone) {
  Client c;
  Rsp r = c.logon("user", "wrong");
  EXPECT_EQ(r.h.status, st::kLogonFailure);
  EXPECT_TRUE(std::holds_alternative<w::ErrorResponse>(r.body));
  Rsp t = c.tree_connect("GUEST");
  EXPECT_EQ(t.h.status, st::kUserSessionDeleted);
  ASSERT_FALSE(c.events.empty());
  EXPECT_NE(c.events.back().text.find("logon failure"), std::string::npos);
}

TEST(SmbConnectionSession, UnknownUserIsGuestUnderBadUserAndGuestOkDecidesTheShare) {
  Client c;
  c.ctx.settings.map_to_guest = config::MapToGuest::BadUser;
  Rsp r = c.logon("nobody", "whatever");
  ASSERT_EQ(r.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::SessionSetupResponse>(r).session_flags, w::session_flag::kIsGuest);
  EXPECT_FALSE(r.h.is_signed());
  c.signer.reset();
  EXPECT_EQ(c.tree_connect("PRIVATE").h.status, st::kAccessDenied);
  EXPECT_EQ(c.tree_connect("GUEST").h.status, st::kSuccess);

  Client d;  // map to guest = Never: refused
  EXPECT_EQ(d.logon("nobody", "whatever").h.status, st::kLogonFailure);
}

TEST(SmbConnectionSession, AnonymousLogonIsNullSessionUnsigned) {
  Client c;
  Rsp r = c.logon("", "", w::dialect::k311, w::security_mode::kSigningEnabled, {}, true);
  ASSERT_EQ(r.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::SessionSetupResponse>(r).session_flags, w::session_flag::kIsNull);
  EXPECT_FALSE(r.h.is_signed());
  EXPECT_EQ(c.tree_connect("IPC$").h.status, st::kSuccess);
}

TEST(SmbConnectionSession, TreeConnectFindsSharesCaseInsensitivelyAndIpc) {
  Client c;
  ASSERT_EQ(c.logon("user", "pass").h.status, st::kSuccess);
  c.sign_requests = true;
  Rsp g = c.tree_connect("guest");
  ASSERT_EQ(g.h.status, st::kSuccess);
  EXPECT_NE(g.h.tree_id, 0u);
  const auto& t = body_as<w::TreeConnectResponse>(g);
  EXPECT_EQ(t.share_type, w::share_type::kDisk);
  EXPECT_EQ(t.share_flags, 0u);
  EXPECT_EQ(t.maximal_access, 0x001200A9u);
  Rsp ipc = c.tree_connect("IPC$");
  ASSERT_EQ(ipc.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::TreeConnectResponse>(ipc).share_type, w::share_type::kPipe);
  EXPECT_NE(ipc.h.tree_id, g.h.tree_id);
  EXPECT_EQ(c.tree_connect("NOSUCH").h.status, st::kBadNetworkName);
}

TEST(SmbConnectionSession, TreeDisconnectAndLogoffInvalidateTheirIds) {
  Client c;
  ASSERT_EQ(c.logon("user", "pass").h.status, st::kSuccess);
  ASSERT_EQ(c.tree_connect("GUEST").h.status, st::kSuccess);
  EXPECT_EQ(c.call(c.request(w::Command::TreeDisconnect), w::SimpleBody{}).h.status, st::kSuccess);
  EXPECT_EQ(c.call(c.request(w::Command::TreeDisconnect), w::SimpleBody{}).h.status,
            st::kNetworkNameDeleted);
  Rsp lo = c.call(c.request(w::Command::Logoff), w::SimpleBody{});
  EXPECT_EQ(lo.h.status, st::kSuccess);
  EXPECT_TRUE(c.signed_ok(lo));  // signed with the session's key before it went
  c.signer.reset();
  EXPECT_EQ(c.tree_connect("GUEST").h.status, st::kUserSessionDeleted);
}

TEST(SmbConnectionSession, SessionsPerConnectionAreCapped) {
  Client c;
  c.ctx.limits.max_sessions_per_connection = 2;
  c.negotiate({w::dialect::k311});
  wire::ntlmssp::Negotiate neg;
  neg.flags = wire::ntlmssp::flag::kUnicode | wire::ntlmssp::flag::kNtlm;
  for (int i = 0; i < 2; ++i) {
    c.session_id = 0;
    EXPECT_EQ(c.session_setup(wire::ntlmssp::encode(neg)).h.status, st::kMoreProcessingRequired);
  }
  c.session_id = 0;
  EXPECT_EQ(c.session_setup(wire::ntlmssp::encode(neg)).h.status, st::kInsufficientResources);
}

}  // namespace
}  // namespace pxe::test::smb2
