#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "replay/compare.h"
#include "wire/dhcp/dhcp.h"
#include "wire/tftp/tftp.h"

namespace pxe::replay {
namespace {

namespace dhcp = wire::dhcp;
namespace tftp = wire::tftp;

const Ipv4 kSrv(192, 168, 42, 1);

Datagram dg(Bytes payload, Ipv4 src = kSrv) {
  Datagram d;
  d.src_ip = src;
  d.payload = std::move(payload);
  return d;
}

dhcp::Builder reply(dhcp::MessageType t, Ipv4 yiaddr, const char* bootfile = nullptr) {
  dhcp::Builder b(dhcp::Op::Reply);
  b.xid(0x1234).yiaddr(yiaddr).siaddr(kSrv).message_type(t).option_ip(54, kSrv);
  if (bootfile) b.option_str(67, bootfile);
  return b;
}

Conversation dhcp_conv(std::vector<Datagram> answers) {
  Conversation c;
  c.kind = ConversationKind::Dhcp;
  c.xid = 0x1234;
  c.answers = std::move(answers);
  return c;
}

Comparison run(const Conversation& c, const std::vector<Datagram>& replayed, bool strict = false) {
  Comparison out;
  compare_conversation(c, 0, replayed, CompareOptions{strict}, out);
  return out;
}

const Ipv4 kA(192, 168, 42, 17), kB(192, 168, 42, 10);

TEST(ReplayCompare, SameAnswersMatch) {
  auto c = dhcp_conv({dg(reply(dhcp::MessageType::Offer, kA, "pxelinux.0").encode()),
                      dg(reply(dhcp::MessageType::Ack, kA, "pxelinux.0").encode())});
  auto r = run(c, c.answers);
  EXPECT_TRUE(r.matches());
  EXPECT_TRUE(r.differences.empty());
  EXPECT_EQ(r.recorded_answers, 2u);
  EXPECT_EQ(r.replayed_answers, 2u);
  EXPECT_NE(to_text(r).find("match: 1 conversations"), std::string::npos);
}

TEST(ReplayCompare, AnotherAddressIsANoteUnlessStrict) {
  auto c = dhcp_conv({dg(reply(dhcp::MessageType::Offer, kA, "pxelinux.0").encode())});
  std::vector<Datagram> n{dg(reply(dhcp::MessageType::Offer, kB, "pxelinux.0").encode())};
  auto r = run(c, n);
  ASSERT_EQ(r.differences.size(), 1u);
  EXPECT_EQ(r.differences[0].field, "Offer yiaddr");
  EXPECT_TRUE(r.differences[0].note);
  EXPECT_TRUE(r.matches());
  EXPECT_NE(to_text(r).find("note: DHCP xid 0x00001234"), std::string::npos);
  EXPECT_FALSE(run(c, n, true).matches());
}

TEST(ReplayCompare, BootFileSiaddrAndTypeDifferencesFail) {
  auto c = dhcp_conv({dg(reply(dhcp::MessageType::Offer, kA, "pxelinux.0").encode()),
                      dg(reply(dhcp::MessageType::Ack, kA, "pxelinux.0").encode())});
  auto other = reply(dhcp::MessageType::Offer, kA, "other.0");
  other.siaddr(Ipv4(192, 168, 42, 2));
  std::vector<Datagram> n{dg(other.encode()), dg(reply(dhcp::MessageType::Nak, Ipv4()).encode())};
  auto r = run(c, n);
  EXPECT_FALSE(r.matches());
  std::string text = to_text(r);
  EXPECT_NE(text.find("Offer boot file: recorded \"pxelinux.0\", replayed \"other.0\""), std::string::npos) << text;
  EXPECT_NE(text.find("Offer siaddr: recorded 192.168.42.1, replayed 192.168.42.2"), std::string::npos) << text;
  EXPECT_NE(text.find("message type: recorded ACK, replayed no ACK"), std::string::npos) << text;
  EXPECT_NE(text.find("message type: recorded no NACK, replayed NACK"), std::string::npos) << text;
  EXPECT_NE(text.find("differ: 4 differences"), std::string::npos) << text;
}

TEST(ReplayCompare, TftpServerNameFromSnameOrOption66) {
  auto with66 = reply(dhcp::MessageType::Ack, kA, "pxelinux.0");
  with66.option_str(66, "192.168.42.1");
  auto withsname = reply(dhcp::MessageType::Ack, kA, "pxelinux.0");
  withsname.sname("192.168.42.1");
  auto c = dhcp_conv({dg(with66.encode())});
  EXPECT_TRUE(run(c, {dg(withsname.encode())}).differences.empty());
  auto r = run(c, {dg(reply(dhcp::MessageType::Ack, kA, "pxelinux.0").encode())});
  ASSERT_EQ(r.differences.size(), 1u);
  EXPECT_EQ(r.differences[0].field, "ACK TFTP server name");
  EXPECT_EQ(r.differences[0].replayed, "(none)");
  EXPECT_FALSE(r.matches());
}

TEST(ReplayCompare, BootFileFromTheFileFieldEqualsOption67) {
  auto c = dhcp_conv({dg(reply(dhcp::MessageType::Ack, kA, "pxelinux.0").encode())});
  auto f = reply(dhcp::MessageType::Ack, kA);
  f.file("pxelinux.0");
  EXPECT_TRUE(run(c, {dg(f.encode())}).differences.empty());
}

TEST(ReplayCompare, PxeMenuIsComparedDecoded) {
  dhcp::PxeOptions p;
  p.discovery_control = 3;
  p.boot_menu.push_back({0x8000, "PXE Netboot (BIOS)"});
  p.menu_prompt = dhcp::PxeMenuPrompt{0, "pxekit proxyDHCP"};
  auto make = [&](const dhcp::PxeOptions& o) {
    auto b = reply(dhcp::MessageType::Offer, Ipv4());
    b.option_str(60, "PXEClient");
    b.option(43, dhcp::encode_pxe_options(o));
    return dg(b.encode());
  };
  auto c = dhcp_conv({make(p)});
  EXPECT_TRUE(run(c, {make(p)}).differences.empty());
  auto q = p;
  q.boot_menu[0].description = "Other";
  auto r = run(c, {make(q)});
  ASSERT_EQ(r.differences.size(), 1u);
  EXPECT_EQ(r.differences[0].field, "Offer option 43");
  EXPECT_NE(r.differences[0].recorded.find("menu 32768 \"PXE Netboot (BIOS)\""), std::string::npos)
      << r.differences[0].recorded;
  EXPECT_NE(r.differences[0].replayed.find("\"Other\""), std::string::npos);
  EXPECT_FALSE(r.matches());
}

TEST(ReplayCompare, OfferCountIsANote) {
  auto offer = dg(reply(dhcp::MessageType::Offer, kA, "pxelinux.0").encode());
  auto c = dhcp_conv({offer, offer});
  auto r = run(c, {offer});
  ASSERT_EQ(r.differences.size(), 1u);
  EXPECT_TRUE(r.differences[0].note);
}

// ------------------------------------------------------------------------------------ TFTP ---

Datagram data(std::uint16_t block, std::string_view text) {
  Bytes b(text.begin(), text.end());
  return dg(tftp::encode(tftp::Data{block, b}));
}
Datagram oack(std::string blksize) { return dg(tftp::encode(tftp::Oack{{{"blksize", blksize}, {"tsize", "10"}}})); }
Datagram error(std::uint16_t code, std::string text) { return dg(tftp::encode(tftp::ErrorPacket{code, text})); }

Conversation tftp_conv(std::vector<Datagram> answers) {
  Conversation c;
  c.kind = ConversationKind::Tftp;
  c.filename = "pxelinux.0";
  c.client_ip = kA;
  c.client_port = 2000;
  c.answers = std::move(answers);
  return c;
}

TEST(ReplayCompare, TftpSameDataMatchesWithRetransmissionsAndOtherTextIsANote) {
  auto c = tftp_conv({oack("512"), data(1, "hello"), data(2, "world"), data(2, "world")});
  auto r = run(c, {oack("512"), data(1, "hello"), data(2, "world")});
  EXPECT_TRUE(r.differences.empty()) << to_text(r);

  auto e = tftp_conv({error(1, "file /tmp/x not found for 192.168.42.17")});
  auto r2 = run(e, {error(1, "File not found")});
  ASSERT_EQ(r2.differences.size(), 1u);
  EXPECT_EQ(r2.differences[0].field, "TFTP error text");
  EXPECT_TRUE(r2.matches());
}

TEST(ReplayCompare, TftpDataDifferenceNamesTheFirstBlock) {
  auto c = tftp_conv({oack("512"), data(1, "hello"), data(2, "world"), data(3, "!")});
  auto r = run(c, {oack("512"), data(1, "hello"), data(2, "WORLD"), data(3, "!")});
  ASSERT_EQ(r.differences.size(), 1u);
  EXPECT_EQ(r.differences[0].field, "TFTP data");
  EXPECT_NE(r.differences[0].recorded.find("11 bytes in 3 blocks"), std::string::npos) << r.differences[0].recorded;
  EXPECT_NE(r.differences[0].recorded.find("first difference in block 2"), std::string::npos);
  EXPECT_NE(r.differences[0].recorded, r.differences[0].replayed);
}

TEST(ReplayCompare, TftpOpcodesAndErrorCodes) {
  auto c = tftp_conv({oack("512"), data(1, "hello")});
  auto r = run(c, {error(1, "File not found")});
  EXPECT_FALSE(r.matches());
  std::string text = to_text(r);
  EXPECT_NE(text.find("TFTP opcodes: recorded OACK DATA, replayed ERROR"), std::string::npos) << text;
  EXPECT_NE(text.find("TFTP error code: recorded no ERROR, replayed ERROR 1"), std::string::npos) << text;
  // An OACK with other values is a note (unless strict), the data decide.
  auto r2 = run(c, {oack("1024"), data(1, "hello")});
  ASSERT_EQ(r2.differences.size(), 1u);
  EXPECT_EQ(r2.differences[0].field, "TFTP OACK options");
  EXPECT_TRUE(r2.matches());
  EXPECT_FALSE(run(c, {oack("1024"), data(1, "hello")}, true).matches());
  // Nobody answered, nobody answers: a match.
  EXPECT_TRUE(run(tftp_conv({}), {}).differences.empty());
}

TEST(ReplayCompare, IcmpPortUnreachableEqualsErrorFiveFromTheRequestedPort) {
  auto c = tftp_conv({});
  c.port_unreachable = 2;
  auto closed = error(5, "Unknown transfer ID");
  closed.src_port = 69;
  EXPECT_TRUE(run(c, {closed, closed}).differences.empty());
  auto r = run(c, {oack("512"), data(1, "hello")});
  ASSERT_GE(r.differences.size(), 1u);
  EXPECT_EQ(r.differences[0].recorded, "port unreachable");
  EXPECT_FALSE(r.matches());
  // Silence instead (a server without TFTP and without ICMP): a note, unless strict.
  auto quiet = run(c, {});
  ASSERT_EQ(quiet.differences.size(), 1u);
  EXPECT_TRUE(quiet.differences[0].note);
  EXPECT_FALSE(run(c, {}, true).matches());
  // An ERROR 5 from a transfer's port is a TFTP answer like any other.
  auto from_transfer = closed;
  from_transfer.src_port = 40000;
  EXPECT_FALSE(run(c, {from_transfer}).matches());
}

TEST(ReplayCompare, JsonListsTheDifferences) {
  Script s;
  s.conversations.push_back(dhcp_conv({dg(reply(dhcp::MessageType::Ack, kA, "pxelinux.0").encode())}));
  auto cmp = compare(s, {{dg(reply(dhcp::MessageType::Ack, kA, "x.0").encode())}});
  auto j = nlohmann::json::parse(to_json(cmp));
  EXPECT_EQ(j["match"], false);
  EXPECT_EQ(j["conversations"], 1);
  ASSERT_EQ(j["differences"].size(), 1u);
  EXPECT_EQ(j["differences"][0]["field"], "ACK boot file");
  EXPECT_EQ(j["differences"][0]["recorded"], "\"pxelinux.0\"");
  EXPECT_EQ(j["differences"][0]["note"], false);
}

}  // namespace
}  // namespace pxe::replay
