#include <gtest/gtest.h>

#include "wire/smb2/header.h"
#include "wire/smb2/message.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/smb2_fixtures.h"
#include "wire/smb2/status.h"

namespace pxe::wire::smb2 {
namespace {

Header sample_header() {
  Header h;
  h.credit_charge = 1;
  h.command = std::uint16_t(Command::Echo);
  h.credits = 31;
  h.message_id = 7;
  h.process_id = 0xFEFF;
  h.tree_id = 5;
  h.session_id = 0x0000400000000005;
  return h;
}

TEST(Smb2Header, ParsesRecordedNegotiateRequest) {
  Bytes msg = test::smb2_fixture("s1.f4");
  auto h = parse_header(msg);
  ASSERT_TRUE(h.ok()) << h.error().what;
  EXPECT_EQ(h->command, 0);
  EXPECT_FALSE(h->is_response());
  EXPECT_EQ(h->message_id, 0u);
  EXPECT_EQ(h->session_id, 0u);
  EXPECT_EQ(h->next_command, 0u);
}

TEST(Smb2Header, ParsesResponseStatusAndSession) {
  Bytes msg = test::smb2_fixture("s1.f9");
  auto h = parse_header(msg);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->is_response());
  EXPECT_EQ(h->command, std::uint16_t(Command::SessionSetup));
  EXPECT_EQ(h->status, status::kMoreProcessingRequired);
  EXPECT_EQ(h->message_id, 1u);
  EXPECT_EQ(h->session_id, 0x00000000f414816aull);
}

TEST(Smb2Header, SyncAndAsyncRoundTrip) {
  Header h = sample_header();
  ByteWriter w;
  encode_header(h, w);
  ASSERT_EQ(w.size(), kHeaderSize);
  auto back = parse_header(w.data());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);

  Header a = sample_header();
  a.flags = flags::kServerToRedir | flags::kAsyncCommand;
  a.process_id = 0;
  a.tree_id = 0;
  a.async_id = 0x1122334455667788;
  a.status = status::kPending;
  ByteWriter w2;
  encode_header(a, w2);
  auto back2 = parse_header(w2.data());
  ASSERT_TRUE(back2.ok());
  EXPECT_EQ(*back2, a);
  EXPECT_TRUE(back2->is_async());
}

TEST(Smb2Header, RejectsShortWrongMagicAndWrongStructureSize) {
  Bytes msg = test::smb2_fixture("s1.f4");
  auto shorter = parse_header(ByteSpan(msg).first(63));
  ASSERT_FALSE(shorter.ok());
  EXPECT_NE(shorter.error().what.find("need 64 bytes"), std::string::npos);

  Bytes bad = msg;
  bad[0] = 0xFD;
  EXPECT_FALSE(parse_header(bad).ok());

  bad = msg;
  bad[4] = 65;
  auto sz = parse_header(bad);
  ASSERT_FALSE(sz.ok());
  EXPECT_EQ(sz.error().offset, 4u);
}

TEST(Smb2Header, SniffsProtocols) {
  EXPECT_EQ(sniff(test::smb2_fixture("s1.f4")), Protocol::Smb2);
  EXPECT_EQ(sniff(test::smb2_fixture("s3.f42")), Protocol::Smb1);
  const std::uint8_t fd[] = {0xFD, 'S', 'M', 'B'};
  EXPECT_EQ(sniff(fd), Protocol::Smb2Transform);
  const std::uint8_t junk[] = {0x01, 0x02};
  EXPECT_EQ(sniff(junk), Protocol::Unknown);
}

Bytes two_pdu_chain(std::uint32_t next) {
  Header h = sample_header();
  h.next_command = next;
  Bytes first = encode_pdu(h, SimpleBody{});  // 68 bytes
  first.resize(72, 0);                         // padded to 8
  Header h2 = sample_header();
  h2.message_id = 8;
  h2.flags = flags::kRelatedOperations;
  Bytes second = encode_pdu(h2, SimpleBody{});
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

TEST(Smb2Chain, SplitsCompoundByNextCommand) {
  Bytes chain = two_pdu_chain(72);
  Chain c = split_chain(chain);
  ASSERT_FALSE(c.failed) << c.error.what;
  ASSERT_EQ(c.elements.size(), 2u);
  EXPECT_EQ(c.elements[0].offset, 0u);
  EXPECT_EQ(c.elements[0].pdu.size(), 72u);
  EXPECT_EQ(c.elements[1].offset, 72u);
  auto h2 = parse_header(c.elements[1].pdu);
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ(h2->message_id, 8u);
  EXPECT_TRUE(h2->is_related());
}

TEST(Smb2Chain, RejectsUnalignedOrOutOfRangeNextCommand) {
  for (std::uint32_t bad : {70u, 8u, 4096u}) {
    Bytes chain = two_pdu_chain(bad);
    Chain c = split_chain(chain);
    EXPECT_TRUE(c.failed) << bad;
    EXPECT_EQ(c.elements.size(), 1u);
    EXPECT_EQ(c.error.offset, 20u);
  }
}

TEST(Smb2Chain, ReportsTruncatedSecondHeaderWithItsOffset) {
  Bytes chain = two_pdu_chain(72);
  chain.resize(72 + 30);
  Chain c = split_chain(chain);
  EXPECT_TRUE(c.failed);
  EXPECT_EQ(c.elements.size(), 1u);
  EXPECT_EQ(c.error.offset, 72u);
}

TEST(Smb2Transform, ReportsEncryptedMessageWithoutDecrypting) {
  ByteWriter w;
  w.u8(0xFD);
  w.str("SMB");
  w.zeros(32);
  w.u32le(200);
  w.u16le(0);
  w.u16le(1);
  w.u64le(0x4400000000000001);
  w.zeros(200);
  auto t = parse_transform_header(w.data());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->original_message_size, 200u);
  EXPECT_EQ(t->session_id, 0x4400000000000001u);
  EXPECT_EQ(t->ciphertext_size, 200u);
  EXPECT_FALSE(parse_transform_header(ByteSpan(w.data()).first(40)).ok());
}

TEST(Netbios, ParsesSessionMessageAndKeepalive) {
  const std::uint8_t keep[] = {0x85, 0, 0, 0};
  auto k = parse_nbss(keep);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->type, kNbssKeepAlive);
  EXPECT_TRUE(k->payload.empty());

  const std::uint8_t msg[] = {0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB, 0xCC};
  EXPECT_EQ(nbss_frame_size(msg), 6u);
  auto m = parse_nbss(msg);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->payload.size(), 2u);
}

TEST(Netbios, UsesAll24LengthBitsAndRejectsShortOrUnknown) {
  const std::uint8_t big[] = {0x00, 0x01, 0x00, 0x00};
  EXPECT_EQ(nbss_frame_size(big), 4u + 0x10000u);
  EXPECT_FALSE(parse_nbss(big).ok());
  const std::uint8_t three[] = {0x00, 0x00, 0x00};
  EXPECT_FALSE(nbss_frame_size(three).has_value());
  const std::uint8_t bad_type[] = {0x81, 0, 0, 0};
  EXPECT_FALSE(parse_nbss(bad_type).ok());
}

TEST(Smb2Status, NamesCommonCodesAndFallsBackToHex) {
  EXPECT_EQ(status_str(0), "STATUS_SUCCESS");
  EXPECT_EQ(status_str(0xC0000016), "STATUS_MORE_PROCESSING_REQUIRED");
  EXPECT_EQ(status_str(0xC000006D), "STATUS_LOGON_FAILURE");
  EXPECT_EQ(status_str(0xC00000CC), "STATUS_BAD_NETWORK_NAME");
  EXPECT_EQ(status_str(0xC0000203), "STATUS_USER_SESSION_DELETED");
  EXPECT_EQ(status_str(0xC000035C), "STATUS_NETWORK_SESSION_EXPIRED");
  EXPECT_EQ(status_str(0x80000006), "STATUS_NO_MORE_FILES");
  EXPECT_EQ(status_str(0xC0001234), "0xc0001234");
  EXPECT_TRUE(is_error(0xC0000022));
  EXPECT_FALSE(is_error(0x80000005));
}

TEST(Smb2Command, NamesKnownCommandsOnly) {
  EXPECT_EQ(command_name(0x01), "SESSION_SETUP");
  EXPECT_EQ(command_name(0x12), "OPLOCK_BREAK");
  EXPECT_TRUE(command_name(0x13).empty());
}

TEST(Smb2Message, UnknownCommandDecodesHeaderOnly) {
  Header h = sample_header();
  h.command = 0x0042;
  Bytes pdu = encode_pdu(h, std::monostate{});
  pdu.push_back(0x99);
  auto body = parse_body(*parse_header(pdu), pdu);
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*body));
}

}  // namespace
}  // namespace pxe::wire::smb2
