// Multichannel ([MS-SMB2] 3.3.5.5 session binding): two or more Connection machines on one
// ServerContext, so one SessionRegistry. A session set up on one connection is bound to another
// with SMB2_SESSION_FLAG_BINDING; each channel signs with its own key; trees and opens belong to
// the session, so either channel reaches them; LOGOFF on any channel ends the session on all,
// closing one connection removes only its channel.
#include <gtest/gtest.h>

#include "proto/smb2/connection_support.h"
#include "wire/smb2/close.h"
#include "wire/smb2/create.h"
#include "wire/smb2/query.h"
#include "wire/smb2/read.h"
#include "wire/smb2/simple.h"

namespace pxe::test::smb2 {
namespace {

namespace st = w::status;

w::FileId open(Client& c, std::string name) {
  w::CreateRequest cr;
  cr.impersonation_level = 2;
  cr.desired_access = 0x00120089;
  cr.share_access = 7;
  cr.create_disposition = w::disposition::kOpen;
  cr.name = std::move(name);
  Rsp r = c.call(c.request(w::Command::Create), cr);
  EXPECT_EQ(r.h.status, st::kSuccess) << w::status_str(r.h.status);
  return r.h.status == st::kSuccess ? body_as<w::CreateResponse>(r).file_id : w::FileId{};
}

Rsp read(Client& c, w::FileId id, std::uint32_t length) {
  w::ReadRequest rr;
  rr.padding = 0x50;
  rr.length = length;
  rr.file_id = id;
  return c.call(c.request(w::Command::Read), rr);
}

Bytes data_of(const Rsp& r) {
  ByteSpan d = body_as<w::ReadResponse>(r).data;
  return Bytes(d.begin(), d.end());
}

// The first leg of a binding, built by hand for the error cases: NEGOTIATE of `dialect` on `c`
// (unless done), then SESSION_SETUP with the binding flag for `session_id`, signed by `signer`
// when there is one.
Rsp bind_request(Client& c, std::uint64_t session_id, std::optional<signing::Signer> signer,
                 std::uint16_t dialect = w::dialect::k311) {
  if (c.negotiate_request.dialects.empty()) c.negotiate({dialect});
  c.session_id = session_id;
  c.signer = std::move(signer);
  namespace nf = wire::ntlmssp::flag;
  wire::ntlmssp::Negotiate neg;
  neg.flags = nf::kUnicode | nf::kNtlm | nf::kSign | nf::kExtendedSessionSecurity | nf::k128;
  w::SessionSetupRequest ss;
  ss.flags = w::kSessionSetupBinding;
  ss.security_mode = w::security_mode::kSigningEnabled;
  ss.security_buffer = wire::ntlmssp::encode(neg);
  return c.call(c.request(w::Command::SessionSetup), ss);
}

class SmbMultichannel : public ::testing::TestWithParam<std::uint16_t> {};

TEST_P(SmbMultichannel, BindsASecondChannelThatSignsWithItsOwnKeyAndReadsTheSessionsFiles) {
  const std::uint16_t dialect = GetParam();
  Client a;
  ASSERT_EQ(a.logon("user", "pass", dialect).h.status, st::kSuccess);
  ASSERT_EQ(a.tree_connect("GUEST").h.status, st::kSuccess);
  w::FileId f = open(a, "hello.txt");

  Client b(SameServer{a.ctx});
  Rsp bound = b.bind(a, "user", "pass");
  ASSERT_EQ(bound.h.status, st::kSuccess) << w::status_str(bound.h.status);
  EXPECT_EQ(bound.h.session_id, a.session_id);
  EXPECT_EQ(body_as<w::SessionSetupResponse>(bound).session_flags, 0);
  // The final response is signed with the new channel's key, not with the session's.
  ASSERT_TRUE(b.signer && a.signer);
  EXPECT_NE(b.signer->key(), a.signer->key());
  EXPECT_TRUE(b.signed_ok(bound));
  EXPECT_FALSE(a.signer->verify(bound.pdu));
  EXPECT_EQ(a.ctx.registry.find(a.session_id)->channels.size(), 2u);

  // The tree connected and the file opened on the first channel are the session's: the second
  // channel reads them, its requests and responses signed with its own key.
  b.tree_id = a.tree_id;
  Rsp r = read(b, f, 100);
  ASSERT_EQ(r.h.status, st::kSuccess) << w::status_str(r.h.status);
  EXPECT_EQ(data_of(r), (Bytes{'h', 'e', 'l', 'l', 'o', '\n'}));
  EXPECT_TRUE(b.signed_ok(r));
  // A tree connected on the second channel is seen from the first.
  const std::uint32_t first_tree = a.tree_id;
  ASSERT_EQ(b.tree_connect("GUEST").h.status, st::kSuccess);
  a.tree_id = b.tree_id;
  w::FileId g = open(a, "setup.exe");
  EXPECT_EQ(read(b, g, 16).h.status, st::kSuccess);
  // The first channel still signs with the session's key.
  a.tree_id = first_tree;
  Rsp ra = read(a, f, 6);
  EXPECT_EQ(ra.h.status, st::kSuccess);
  EXPECT_TRUE(a.signed_ok(ra));

  // On the second channel, a request signed with the session's key is refused.
  b.signer = a.signer;
  EXPECT_EQ(read(b, f, 6).h.status, st::kAccessDenied);
}

INSTANTIATE_TEST_SUITE_P(Dialects, SmbMultichannel,
                         ::testing::Values(w::dialect::k300, w::dialect::k302, w::dialect::k311),
                         [](const ::testing::TestParamInfo<std::uint16_t>& i) {
                           std::string n = w::dialect_str(i.param);
                           for (auto& ch : n)
                             if (ch == '.') ch = '_';
                           return "Smb" + n;
                         });

TEST(SmbMultichannel, LogoffOnEitherChannelEndsTheSessionOnBoth) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  ASSERT_EQ(a.tree_connect("GUEST").h.status, st::kSuccess);
  w::FileId f = open(a, "hello.txt");
  Client b(SameServer{a.ctx});
  ASSERT_EQ(b.bind(a, "user", "pass").h.status, st::kSuccess);
  b.tree_id = a.tree_id;

  Rsp lo = b.call(b.request(w::Command::Logoff), w::SimpleBody{});
  EXPECT_EQ(lo.h.status, st::kSuccess);
  EXPECT_TRUE(b.signed_ok(lo));
  EXPECT_EQ(a.ctx.registry.find(a.session_id), nullptr);
  EXPECT_TRUE(a.ctx.registry.opens.empty());
  EXPECT_EQ(read(a, f, 6).h.status, st::kUserSessionDeleted);
  EXPECT_EQ(read(b, f, 6).h.status, st::kUserSessionDeleted);
  // The log says what was read before it went.
  bool logged = false;
  for (const auto& e : b.events) logged = logged || e.text.find("logoff session") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(SmbMultichannel, ClosingOneConnectionKeepsTheSessionOnTheOtherUntilTheLast) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  ASSERT_EQ(a.tree_connect("GUEST").h.status, st::kSuccess);
  w::FileId f = open(a, "hello.txt");
  auto b = std::make_unique<Client>(SameServer{a.ctx});
  ASSERT_EQ(b->bind(a, "user", "pass").h.status, st::kSuccess);
  b->tree_id = a.tree_id;

  // The first connection goes (the peer left): the session and its open live on.
  p::Actions gone;
  a.conn().on_close(gone);
  const p::Session* s = a.ctx.registry.find(a.session_id);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->channels.size(), 1u);
  Rsp r = read(*b, f, 6);
  EXPECT_EQ(r.h.status, st::kSuccess);
  EXPECT_TRUE(b->signed_ok(r));

  // Then the last one: the session ends with it, its opens closed (and logged).
  p::Actions last;
  b->conn().on_close(last);
  EXPECT_EQ(a.ctx.registry.find(a.session_id), nullptr);
  EXPECT_TRUE(a.ctx.registry.opens.empty());
  EXPECT_EQ(a.ctx.registry.size(), 0u);
  bool logged = false;
  for (const auto& act : last)
    if (const auto* e = std::get_if<p::Event>(&act))
      logged = logged || e->text.find("read \\\\GUEST\\hello.txt") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(SmbMultichannel, ADestroyedConnectionLeavesNoChannelBehind) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  {
    Client b(SameServer{a.ctx});
    ASSERT_EQ(b.bind(a, "user", "pass").h.status, st::kSuccess);
    EXPECT_EQ(a.ctx.registry.find(a.session_id)->channels.size(), 2u);
  }
  EXPECT_EQ(a.ctx.registry.find(a.session_id)->channels.size(), 1u);
}

TEST(SmbMultichannel, ANotifyPendingOnOneChannelCompletesWhenTheOtherClosesItsHandle) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  ASSERT_EQ(a.tree_connect("GUEST").h.status, st::kSuccess);
  w::FileId dir = open(a, "sources");
  Client b(SameServer{a.ctx});
  ASSERT_EQ(b.bind(a, "user", "pass").h.status, st::kSuccess);
  b.tree_id = a.tree_id;
  w::ChangeNotifyRequest n;
  n.output_buffer_length = 4096;
  n.file_id = dir;
  n.completion_filter = 0x17;
  w::Header nh = b.request(w::Command::ChangeNotify);
  EXPECT_EQ(b.call(nh, n).h.status, st::kPending);

  w::CloseRequest cl;
  cl.file_id = dir;
  EXPECT_EQ(a.call(a.request(w::Command::Close), cl).h.status, st::kSuccess);
  EXPECT_TRUE(b.conn().has_deferred());
  b.take_deferred();
  ASSERT_EQ(b.responses.size(), 1u);
  EXPECT_EQ(b.responses[0].h.status, st::kNotifyCleanup);
  EXPECT_EQ(b.responses[0].h.message_id, nh.message_id);
  EXPECT_TRUE(b.signed_ok(b.responses[0]));  // signed with the channel's key, as its request
  EXPECT_FALSE(b.conn().has_deferred());
}

// The refusals of [MS-SMB2] 3.3.5.5, each with the specification's status.
TEST(SmbMultichannel, BindingToAnUnknownSessionIsUserSessionDeleted) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  EXPECT_EQ(bind_request(b, a.session_id + 1, a.signer).h.status, st::kUserSessionDeleted);
}

TEST(SmbMultichannel, AnUnsignedBindingIsInvalidParameter) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  EXPECT_EQ(bind_request(b, a.session_id, std::nullopt).h.status, st::kInvalidParameter);
}

TEST(SmbMultichannel, ABindingWithAnotherDialectIsInvalidParameter) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass", w::dialect::k311).h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  EXPECT_EQ(bind_request(b, a.session_id, a.signer, w::dialect::k302).h.status, st::kInvalidParameter);
}

TEST(SmbMultichannel, ABadSignatureIsAccessDenied) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  signing::Signer wrong(signing::Algorithm::AesCmac, signing::Key16{1, 2, 3});
  EXPECT_EQ(bind_request(b, a.session_id, wrong).h.status, st::kAccessDenied);
  EXPECT_EQ(a.ctx.registry.find(a.session_id)->channels.size(), 1u);
}

TEST(SmbMultichannel, AGuestSessionCannotBeBound) {
  Client a;
  a.ctx.settings.map_to_guest = config::MapToGuest::BadUser;
  ASSERT_EQ(a.logon("somebody", "x").h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  // A guest session has no key; the client signs with whatever it has.
  signing::Signer any(signing::Algorithm::AesCmac, signing::Key16{});
  EXPECT_EQ(bind_request(b, a.session_id, any).h.status, st::kNotSupported);
}

TEST(SmbMultichannel, AnotherClientGuidIsUserSessionDeleted) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  b.client_guid[0] = 0x42;
  EXPECT_EQ(bind_request(b, a.session_id, a.signer).h.status, st::kUserSessionDeleted);
}

TEST(SmbMultichannel, AnotherAccountOrAWrongPasswordDoesNotBind) {
  Client a;
  a.ctx.settings.accounts.push_back({"other", "word"});
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  EXPECT_EQ(b.bind(a, "other", "word").h.status, st::kAccessDenied);
  Client c(SameServer{a.ctx});
  EXPECT_EQ(c.bind(a, "user", "wrong").h.status, st::kLogonFailure);
  EXPECT_EQ(a.ctx.registry.find(a.session_id)->channels.size(), 1u);
}

TEST(SmbMultichannel, BindingTwiceOnOneConnectionOrWithoutMultichannelIsNotAccepted) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  ASSERT_EQ(b.bind(a, "user", "pass").h.status, st::kSuccess);
  EXPECT_EQ(bind_request(b, a.session_id, a.signer).h.status, st::kRequestNotAccepted);
  // On the session's own connection too.
  EXPECT_EQ(bind_request(a, a.session_id, a.signer).h.status, st::kRequestNotAccepted);

  Client off;
  off.ctx.settings.multi_channel = false;
  ASSERT_EQ(off.logon("user", "pass").h.status, st::kSuccess);
  Client off_b(SameServer{off.ctx});
  EXPECT_EQ(bind_request(off_b, off.session_id, off.signer).h.status, st::kRequestNotAccepted);

  Client old;
  ASSERT_EQ(old.logon("user", "pass", w::dialect::k210).h.status, st::kSuccess);
  Client old_b(SameServer{old.ctx});
  EXPECT_EQ(bind_request(old_b, old.session_id, old.signer, w::dialect::k210).h.status,
            st::kRequestNotAccepted);
}

TEST(SmbMultichannel, ABoundSessionCountsAgainstTheConnectionsSessionCap) {
  Client a;
  a.ctx.limits.max_sessions_per_connection = 1;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  Client b(SameServer{a.ctx});
  ASSERT_EQ(b.logon("user", "pass").h.status, st::kSuccess);  // b's own session
  EXPECT_EQ(b.bind(a, "user", "pass").h.status, st::kInsufficientResources);
  Client c(SameServer{a.ctx});
  ASSERT_EQ(c.bind(a, "user", "pass").h.status, st::kSuccess);
  c.session_id = 0;  // and then no session of its own
  c.signer.reset();
  namespace nf = wire::ntlmssp::flag;
  wire::ntlmssp::Negotiate neg;
  neg.flags = nf::kUnicode | nf::kNtlm;
  EXPECT_EQ(c.session_setup(wire::ntlmssp::encode(neg)).h.status, st::kInsufficientResources);
}

TEST(SmbMultichannel, TheThirtyThirdChannelIsInsufficientResources) {
  Client a;
  ASSERT_EQ(a.logon("user", "pass").h.status, st::kSuccess);
  std::vector<std::unique_ptr<Client>> more;
  for (int i = 1; i < 32; ++i) {
    more.push_back(std::make_unique<Client>(SameServer{a.ctx}));
    ASSERT_EQ(more.back()->bind(a, "user", "pass").h.status, st::kSuccess) << "channel " << i + 1;
  }
  EXPECT_EQ(a.ctx.registry.find(a.session_id)->channels.size(), 32u);
  Client extra(SameServer{a.ctx});
  EXPECT_EQ(extra.bind(a, "user", "pass").h.status, st::kInsufficientResources);
  // A channel that goes makes room again.
  more.pop_back();
  Client again(SameServer{a.ctx});
  EXPECT_EQ(again.bind(a, "user", "pass").h.status, st::kSuccess);
}

}  // namespace
}  // namespace pxe::test::smb2
