// The connection machine up to NEGOTIATE: NBSS framing, dialects, 3.1.1 contexts, the SMB1
// multi-protocol upgrade, ECHO, credits, compounds and malformed input.
#include <gtest/gtest.h>

#include "proto/smb2/connection_support.h"
#include "wire/smb2/simple.h"
#include "wire/smb2/smb1.h"

namespace pxe::test::smb2 {
namespace {

namespace st = w::status;

TEST(SmbConnectionNegotiate, AnswersSmb311WithPreauthAndGmacSigningContexts) {
  Client c;
  Rsp r = c.negotiate({w::dialect::k202, w::dialect::k210, w::dialect::k300, w::dialect::k302,
                       w::dialect::k311},
                      {2, 1, 0});
  EXPECT_EQ(r.h.status, st::kSuccess);
  EXPECT_EQ(r.h.message_id, 0u);
  EXPECT_GE(r.h.credits, 1);
  const auto& n = body_as<w::NegotiateResponse>(r);
  EXPECT_EQ(n.dialect_revision, w::dialect::k311);
  EXPECT_EQ(n.security_mode, w::security_mode::kSigningEnabled);
  EXPECT_EQ(n.capabilities, w::capability::kLargeMtu | w::capability::kMultiChannel);
  EXPECT_EQ(n.server_guid, c.ctx.server_guid);
  EXPECT_EQ(n.max_read_size, c.ctx.limits.max_read);
  EXPECT_EQ(n.system_time, Client::kFiletime);
  EXPECT_FALSE(n.security_buffer.empty());
  ASSERT_EQ(n.contexts.size(), 2u);
  EXPECT_EQ(n.contexts[0].type, w::context_type::kPreauthIntegrity);
  EXPECT_EQ(n.contexts[0].algorithm_ids(), std::vector<std::uint16_t>{1});
  EXPECT_EQ(n.contexts[0].data.size(), 6u + 32u);  // count, salt length, SHA-512, 32-byte salt
  EXPECT_EQ(n.contexts[1].type, w::context_type::kSigning);
  EXPECT_EQ(n.contexts[1].algorithm_ids(), std::vector<std::uint16_t>{2});  // AES-GMAC
  EXPECT_FALSE(c.closed);
}

TEST(SmbConnectionNegotiate, PicksCmacWhenGmacIsNotOfferedAndNoSigningContextWhenAbsent) {
  Client a;
  Rsp ra = a.negotiate({w::dialect::k311}, {0, 1});
  const auto& n = body_as<w::NegotiateResponse>(ra);
  ASSERT_EQ(n.contexts.size(), 2u);
  EXPECT_EQ(n.contexts[1].algorithm_ids(), std::vector<std::uint16_t>{1});
  Client b;
  Rsp rb = b.negotiate({w::dialect::k311});
  const auto& m = body_as<w::NegotiateResponse>(rb);
  ASSERT_EQ(m.contexts.size(), 1u);
  EXPECT_EQ(m.contexts[0].type, w::context_type::kPreauthIntegrity);
}

TEST(SmbConnectionNegotiate, NegotiatesEachDialectOfferedAlone) {
  for (std::uint16_t d : {w::dialect::k202, w::dialect::k210, w::dialect::k300, w::dialect::k302,
                          w::dialect::k311}) {
    Client c;
    Rsp r = c.negotiate({d});
    EXPECT_EQ(r.h.status, st::kSuccess) << w::dialect_str(d);
    const auto& n = body_as<w::NegotiateResponse>(r);
    EXPECT_EQ(n.dialect_revision, d);
    // 2.0.2 has no large MTU: 64 KiB sizes and no capability; multichannel is 3.x only.
    if (d == w::dialect::k202) {
      EXPECT_EQ(n.capabilities, 0u);
      EXPECT_EQ(n.max_read_size, 65536u);
    } else if (d == w::dialect::k210) {
      EXPECT_EQ(n.capabilities, w::capability::kLargeMtu);
    } else {
      EXPECT_EQ(n.capabilities, w::capability::kLargeMtu | w::capability::kMultiChannel);
    }
    EXPECT_EQ(n.contexts.empty(), d != w::dialect::k311);
  }
}

TEST(SmbConnectionNegotiate, MultiChannelIsNotOfferedWhenTheConfigTurnsItOff) {
  for (std::uint16_t d : {w::dialect::k300, w::dialect::k302, w::dialect::k311}) {
    Client c;
    c.ctx.settings.multi_channel = false;  // server multi channel support = no
    Rsp r = c.negotiate({d});
    EXPECT_EQ(body_as<w::NegotiateResponse>(r).capabilities, w::capability::kLargeMtu) << w::dialect_str(d);
  }
}

TEST(SmbConnectionNegotiate, HighestCommonDialectWithinTheConfiguredRange) {
  Client c(w::dialect::k302);
  Rsp r = c.negotiate({w::dialect::k210, w::dialect::k300, w::dialect::k302, w::dialect::k311});
  const auto& n = body_as<w::NegotiateResponse>(r);
  EXPECT_EQ(n.dialect_revision, w::dialect::k302);
}

TEST(SmbConnectionNegotiate, SigningRequiredIsAnnounced) {
  Client c;
  c.ctx.settings.signing = config::SmbSigning::Required;
  Rsp r = c.negotiate({w::dialect::k311});
  const auto& n = body_as<w::NegotiateResponse>(r);
  EXPECT_EQ(n.security_mode,
            w::security_mode::kSigningEnabled | w::security_mode::kSigningRequired);
}

TEST(SmbConnectionNegotiate, NoCommonDialectIsNotSupported) {
  Client c;
  c.ctx.settings.min_protocol = config::SmbDialect::Smb2_10;
  Rsp r = c.negotiate({w::dialect::k202});
  EXPECT_EQ(r.h.status, st::kNotSupported);
  EXPECT_TRUE(std::holds_alternative<w::ErrorResponse>(r.body));
}

TEST(SmbConnectionNegotiate, NoDialectsIsInvalidParameter) {
  Client c;
  EXPECT_EQ(c.negotiate({}).h.status, st::kInvalidParameter);
}

TEST(SmbConnectionNegotiate, Smb311WithoutPreauthContextOrSha512IsRefused) {
  Client a;
  w::NegotiateRequest n;
  n.dialects = {w::dialect::k311};
  EXPECT_EQ(a.call(a.request(w::Command::Negotiate, 0), n).h.status, st::kInvalidParameter);

  Client b;
  ByteWriter pw;
  pw.u16le(1);
  pw.u16le(0);
  pw.u16le(7);  // not SHA-512
  n.contexts.push_back({w::context_type::kPreauthIntegrity, 0, pw.take()});
  EXPECT_EQ(b.call(b.request(w::Command::Negotiate, 0), n).h.status,
            st::kNoPreauthIntegrityHashOverlap);
}

TEST(SmbConnectionNegotiate, SecondNegotiateDropsTheConnection) {
  Client c;
  c.negotiate({w::dialect::k311});
  w::NegotiateRequest n;
  n.dialects = {w::dialect::k210};
  c.send_message(w::encode_pdu(c.request(w::Command::Negotiate), n));
  EXPECT_TRUE(c.responses.empty());
  ASSERT_TRUE(c.closed);
  EXPECT_NE(c.closed->find("second NEGOTIATE"), std::string::npos);
  EXPECT_TRUE(c.conn().closed());
}

TEST(SmbConnectionNegotiate, Smb1MultiProtocolNegotiateUpgradesWithWildcardThenSmb2Negotiate) {
  Client c;
  c.send_message(w::encode_smb1_negotiate_request({"NT LM 0.12", "SMB 2.002", "SMB 2.???"}));
  ASSERT_EQ(c.responses.size(), 1u);
  Rsp up = c.responses[0];
  c.responses.clear();
  EXPECT_EQ(up.h.message_id, 0u);
  EXPECT_EQ(up.h.credits, 1);
  EXPECT_EQ(body_as<w::NegotiateResponse>(up).dialect_revision, w::dialect::kWildcard);
  EXPECT_TRUE(body_as<w::NegotiateResponse>(up).contexts.empty());
  // The client goes on with MessageId 1.
  c.next_mid = 1;
  Rsp r = c.negotiate({w::dialect::k202, w::dialect::k210, w::dialect::k300});
  EXPECT_EQ(r.h.message_id, 1u);
  EXPECT_EQ(body_as<w::NegotiateResponse>(r).dialect_revision, w::dialect::k300);
  EXPECT_FALSE(c.closed);
}

TEST(SmbConnectionNegotiate, Smb1WithOnlySmb2002Negotiates202AtOnce) {
  Client c;
  c.send_message(w::encode_smb1_negotiate_request({"NT LM 0.12", "SMB 2.002"}));
  ASSERT_EQ(c.responses.size(), 1u);
  EXPECT_EQ(body_as<w::NegotiateResponse>(c.responses[0]).dialect_revision, w::dialect::k202);
  c.responses.clear();
  c.next_mid = 1;
  Rsp e = c.call(c.request(w::Command::Echo), w::SimpleBody{});
  EXPECT_EQ(e.h.status, st::kSuccess);
}

TEST(SmbConnectionNegotiate, Smb1OnlyClientIsDropped) {
  Client c;
  c.send_message(w::encode_smb1_negotiate_request({"NT LM 0.12"}));
  EXPECT_TRUE(c.responses.empty());
  EXPECT_TRUE(c.closed);
}

TEST(SmbConnectionNegotiate, Smb1AfterTheSmb2NegotiationDropsTheConnection) {
  Client c;
  c.negotiate({w::dialect::k311});
  c.send_message(w::encode_smb1_negotiate_request({"NT LM 0.12", "SMB 2.002", "SMB 2.???"}));
  EXPECT_TRUE(c.responses.empty());
  EXPECT_TRUE(c.closed);
}

TEST(SmbConnectionNegotiate, EncryptedMessagesAreNotAcceptedWithoutEncryption) {
  Client c;
  c.negotiate({w::dialect::k311});
  Bytes transform(52 + 80, 0);
  transform[0] = 0xFD;
  transform[1] = 'S';
  transform[2] = 'M';
  transform[3] = 'B';
  c.send_message(transform);
  EXPECT_TRUE(c.closed);
}

TEST(SmbConnectionNegotiate, EchoAnswersAfterNegotiate) {
  Client c;
  c.negotiate({w::dialect::k311});
  w::Header h = c.request(w::Command::Echo);
  h.credits = 10;
  Rsp r = c.call(h, w::SimpleBody{});
  EXPECT_EQ(r.h.status, st::kSuccess);
  EXPECT_EQ(r.h.command, std::uint16_t(w::Command::Echo));
  EXPECT_EQ(r.h.message_id, 1u);
  EXPECT_EQ(r.h.credits, 10);
  EXPECT_TRUE(std::holds_alternative<w::SimpleBody>(r.body));
}

TEST(SmbConnectionNegotiate, RequestBeforeNegotiateDropsTheConnection) {
  Client c;
  c.send_message(w::encode_pdu(c.request(w::Command::Echo), w::SimpleBody{}));
  EXPECT_TRUE(c.responses.empty());
  EXPECT_TRUE(c.closed);
}

TEST(SmbConnectionNegotiate, FramesAStreamInAnyChunking) {
  Client c;
  w::NegotiateRequest n;
  n.dialects = {w::dialect::k210};
  Bytes neg = w::encode_pdu(c.request(w::Command::Negotiate, 0), n);
  Bytes echo1 = w::encode_pdu(c.request(w::Command::Echo), w::SimpleBody{});
  Bytes echo2 = w::encode_pdu(c.request(w::Command::Echo), w::SimpleBody{});
  ByteWriter s;
  w::encode_nbss(s, neg);
  w::encode_nbss(s, {}, w::kNbssKeepAlive);
  w::encode_nbss(s, echo1);
  w::encode_nbss(s, echo2);
  const Bytes& stream = s.data();
  // One byte at a time for the first message, then the rest in one go.
  std::size_t first = 4 + neg.size();
  for (std::size_t i = 0; i < first; ++i) c.feed(ByteSpan(stream).subspan(i, 1));
  ASSERT_EQ(c.responses.size(), 1u);
  c.feed(ByteSpan(stream).subspan(first));
  ASSERT_EQ(c.responses.size(), 3u);
  EXPECT_EQ(c.responses[1].h.message_id, 1u);
  EXPECT_EQ(c.responses[2].h.message_id, 2u);
  EXPECT_FALSE(c.closed);
  EXPECT_LT(c.conn().memory(), 64u * 1024);
}

TEST(SmbConnectionNegotiate, HugeNbssLengthBeforeASessionDropsTheConnection) {
  Client c;
  const std::uint8_t huge[] = {0x00, 0x10, 0x00, 0x00, 0xFE, 'S', 'M', 'B'};  // 1 MiB announced
  c.feed(huge);
  ASSERT_TRUE(c.closed);
  EXPECT_NE(c.closed->find("NBSS length"), std::string::npos);
  EXPECT_LT(c.conn().memory(), 64u * 1024);
}

TEST(SmbConnectionNegotiate, NonSessionNbssTypesAndNonSmbPayloadsDropTheConnection) {
  Client a;
  const std::uint8_t request[] = {0x81, 0x00, 0x00, 0x00};  // NetBIOS SESSION REQUEST
  a.feed(request);
  EXPECT_TRUE(a.closed);
  Client b;
  const std::uint8_t junk[] = {0x00, 0x00, 0x00, 0x04, 'H', 'T', 'T', 'P'};
  b.feed(junk);
  EXPECT_TRUE(b.closed);
}

TEST(SmbConnectionNegotiate, ShortHeaderDropsTheConnection) {
  Client c;
  c.negotiate({w::dialect::k311});
  const std::uint8_t shorty[] = {0xFE, 'S', 'M', 'B', 64, 0, 0, 0};
  c.send_message(shorty);
  EXPECT_TRUE(c.closed);
}

TEST(SmbConnectionNegotiate, BadStructureSizeAndUnknownCommandAreInvalidParameter) {
  Client c;
  c.negotiate({w::dialect::k311});
  w::SimpleBody bad;
  bad.structure_size = 6;
  EXPECT_EQ(c.call(c.request(w::Command::Echo), bad).h.status, st::kInvalidParameter);
  w::Header h = c.request(w::Command::Echo);
  h.command = 0x42;
  Rsp r = c.call(h, w::SimpleBody{});
  EXPECT_EQ(r.h.status, st::kInvalidParameter);
  EXPECT_FALSE(c.closed);
}

TEST(SmbConnectionNegotiate, ReusedOrUngrantedMessageIdDropsTheConnection) {
  Client a;
  a.negotiate({w::dialect::k311});
  w::Header h = a.request(w::Command::Echo);
  a.call(h, w::SimpleBody{});
  a.send_message(w::encode_pdu(h, w::SimpleBody{}));  // MessageId 1 again
  EXPECT_TRUE(a.closed);

  Client b;
  b.negotiate({w::dialect::k311});  // grants 32 (1 .. 32)
  w::Header far = b.request(w::Command::Echo);
  far.message_id = 1000;
  b.send_message(w::encode_pdu(far, w::SimpleBody{}));
  EXPECT_TRUE(b.closed);
}

TEST(SmbConnectionNegotiate, OutOfOrderMessageIdsInsideTheWindowAreAccepted) {
  Client c;
  c.negotiate({w::dialect::k311});
  for (std::uint64_t id : {5u, 2u, 1u, 3u, 4u}) {
    w::Header h = c.request(w::Command::Echo);
    h.message_id = id;
    EXPECT_EQ(c.call(h, w::SimpleBody{}).h.message_id, id);
  }
  EXPECT_FALSE(c.closed);
}

TEST(SmbConnectionNegotiate, UnrelatedCompoundGetsOneMessageWithAlignedElements) {
  Client c;
  c.negotiate({w::dialect::k311});
  Bytes a = w::encode_pdu(c.request(w::Command::Echo), w::SimpleBody{});
  Bytes b = w::encode_pdu(c.request(w::Command::Echo), w::SimpleBody{});
  while (a.size() % 8) a.push_back(0);
  a[20] = std::uint8_t(a.size());
  a.insert(a.end(), b.begin(), b.end());
  c.send_message(a);
  ASSERT_EQ(c.messages.size(), 2u);  // NEGOTIATE, then the one compound response
  ASSERT_EQ(c.responses.size(), 2u);
  EXPECT_EQ(c.responses[0].h.next_command, 72u);
  EXPECT_EQ(c.responses[1].h.next_command, 0u);
  EXPECT_EQ(c.responses[0].h.status, st::kSuccess);
  EXPECT_EQ(c.responses[1].h.status, st::kSuccess);
}

TEST(SmbConnectionNegotiate, RelatedFlagOnTheFirstElementIsInvalidParameter) {
  Client c;
  c.negotiate({w::dialect::k311});
  w::Header h = c.request(w::Command::Echo);
  h.flags = w::flags::kRelatedOperations;
  EXPECT_EQ(c.call(h, w::SimpleBody{}).h.status, st::kInvalidParameter);
}

TEST(SmbConnectionNegotiate, RequestsWithoutASessionGetUserSessionDeleted) {
  Client c;
  c.negotiate({w::dialect::k311});
  c.session_id = 0x1234;
  w::TreeConnectRequest t;
  t.path = "\\\\server\\GUEST";
  EXPECT_EQ(c.call(c.request(w::Command::TreeConnect), t).h.status, st::kUserSessionDeleted);
}

TEST(SmbConnectionNegotiate, NoNegotiateWithinTheTimeoutClosesAndIdleClosesLater) {
  Client c;
  c.conn();
  ASSERT_EQ(c.timers.size(), 1u);
  EXPECT_EQ(c.timers[0].at, c.now + c.ctx.limits.negotiate_timeout);
  p::Actions a;
  c.conn().on_time(c.timers[0].at, a);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<p::CloseConnection>(a[0]));
  EXPECT_NE(std::get<p::CloseConnection>(a[0]).why.find("no NEGOTIATE"), std::string::npos);

  Client d;
  d.negotiate({w::dialect::k311});
  p::Actions b;
  d.conn().on_time(d.timers[0].at, b);  // the negotiate timer fires: re-armed for idleness
  ASSERT_EQ(b.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<p::SetTimer>(b[0]));
  Timestamp idle = std::get<p::SetTimer>(b[0]).at;
  EXPECT_EQ(idle, d.now + d.ctx.limits.idle_timeout);
  p::Actions e;
  d.conn().on_time(idle, e);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<p::CloseConnection>(e[0]));
}

}  // namespace
}  // namespace pxe::test::smb2
