#include <gtest/gtest.h>

#include "replay/script.h"
#include "support/test_paths.h"

namespace pxe::replay {
namespace {

Script load(const std::string& name, std::optional<Ipv4> server = std::nullopt) {
  auto s = load_script(test::captures_dir() + "/" + name + ".pcap", server);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().what);
  return s.ok() ? std::move(*s) : Script{};
}

std::size_t count(const Script& s, ConversationKind k) {
  std::size_t n = 0;
  for (const auto& c : s.conversations) n += c.kind == k;
  return n;
}

const Ipv4 kSrv(192, 168, 42, 1), kPrx(192, 168, 42, 2);

TEST(ReplayScript, WorkingBiosCaptureIsOneDhcpExchangeAndSixteenTransfers) {
  Script s = load("bios-pxelinux-menu");
  EXPECT_EQ(s.server_ip, kSrv);
  EXPECT_EQ(s.server_mac.str(), "52:54:00:42:00:01");
  EXPECT_EQ(s.conversations.size(), 17u);
  EXPECT_EQ(count(s, ConversationKind::Dhcp), 1u);
  EXPECT_EQ(count(s, ConversationKind::Tftp), 16u);
  EXPECT_EQ(s.requests.size(), 178u);
  EXPECT_EQ(s.answer_count(), 172u);
  const auto& dhcp = s.conversations[0];
  EXPECT_EQ(dhcp.client_mac.str(), "52:54:00:42:00:10");
  EXPECT_EQ(dhcp.requests.size(), 3u);  // DISCOVER x2, REQUEST
  EXPECT_EQ(dhcp.answers.size(), 3u);   // OFFER x2, ACK
  const auto& nbp = s.conversations[1];
  EXPECT_EQ(nbp.filename, "pxelinux.0");
  EXPECT_EQ(nbp.requests.size(), 32u);  // RRQ + 31 ACKs (OACK + 30 DATA)
  EXPECT_EQ(nbp.answers.size(), 31u);
  EXPECT_NE(nbp.server_port, 0);
  // Requests are in capture order and point back at their conversation.
  for (std::size_t i = 1; i < s.requests.size(); ++i) EXPECT_LE(s.requests[i - 1].d.time, s.requests[i].d.time);
  for (std::size_t c = 0; c < s.conversations.size(); ++c)
    for (auto r : s.conversations[c].requests) EXPECT_EQ(s.requests[r].conversation, c);
  EXPECT_EQ(s.start, s.requests.front().d.time);
}

TEST(ReplayScript, ProxyCaptureTiesThe4011RequestToItsDhcpExchangeAndPicksTheTftpServer) {
  Script s = load("proxydhcp-bios");
  EXPECT_EQ(s.server_ip, kPrx);  // the proxy serves TFTP
  EXPECT_EQ(s.server_mac.str(), "52:54:00:42:00:02");
  ASSERT_EQ(s.servers.size(), 2u);
  EXPECT_EQ(s.conversations.size(), 18u);
  EXPECT_EQ(s.requests.size(), 180u);
  EXPECT_EQ(s.answer_count(), 173u);
  ASSERT_EQ(count(s, ConversationKind::BootServer), 1u);
  const auto& bs = s.conversations[1];
  EXPECT_EQ(bs.kind, ConversationKind::BootServer);
  ASSERT_TRUE(bs.parent.has_value());
  EXPECT_EQ(*bs.parent, 0u);
  EXPECT_EQ(bs.answers.size(), 1u);
  for (const auto& c : s.conversations)
    for (const auto& a : c.answers) EXPECT_EQ(a.src_ip, kPrx);
  // The DHCP server's answers are there when it is the one chosen.
  Script d = load("proxydhcp-bios", kSrv);
  EXPECT_EQ(d.server_ip, kSrv);
  EXPECT_EQ(d.conversations[1].answers.size(), 0u);
  EXPECT_GT(d.conversations[0].answers.size(), 0u);
  for (const auto& c : d.conversations)
    for (const auto& a : c.answers) EXPECT_EQ(a.src_ip, kSrv);
}

TEST(ReplayScript, MissingFileIsOneExchangeAndOneRefusedTransfer) {
  Script s = load("bios-missing-file");
  ASSERT_EQ(s.conversations.size(), 2u);
  EXPECT_EQ(s.requests.size(), 4u);
  EXPECT_EQ(s.answer_count(), 4u);
  EXPECT_EQ(s.conversations[1].filename, "nonexistent.0");
  ASSERT_EQ(s.conversations[1].answers.size(), 1u);
  const auto& err = s.conversations[1].answers[0].payload;
  ASSERT_GE(err.size(), 4u);
  EXPECT_EQ(err[1], 5);  // ERROR
  EXPECT_EQ(err[3], 1);  // file not found
}

TEST(ReplayScript, NoBootfileIsDhcpOnly) {
  Script s = load("bios-no-bootfile");
  ASSERT_EQ(s.conversations.size(), 1u);
  EXPECT_EQ(s.requests.size(), 3u);
  EXPECT_EQ(s.answer_count(), 3u);
}

TEST(ReplayScript, RetransmittedRrqsFromOnePortAreOneConversation) {
  Script s = load("bios-no-tftp");
  ASSERT_EQ(s.conversations.size(), 2u);
  const auto& t = s.conversations[1];
  EXPECT_EQ(t.kind, ConversationKind::Tftp);
  EXPECT_EQ(t.requests.size(), 6u);
  EXPECT_TRUE(t.answers.empty());
  EXPECT_EQ(t.port_unreachable, 6u);  // each RRQ got ICMP port unreachable
  EXPECT_EQ(t.server_port, 0);
  EXPECT_EQ(s.server_ip, kSrv);
}

TEST(ReplayScript, Edk2SizeProbeIsItsOwnTransfer) {
  Script s = load("edk2-syslinux-menu");
  EXPECT_EQ(s.conversations.size(), 19u);
  EXPECT_EQ(count(s, ConversationKind::Dhcp), 2u);  // the firmware's and syslinux.efi's
  const auto& probe = s.conversations[1];
  EXPECT_EQ(probe.filename, "syslinux.efi");
  EXPECT_EQ(probe.requests.size(), 2u);  // RRQ, ERROR 8
  EXPECT_EQ(probe.answers.size(), 1u);   // OACK
}

TEST(ReplayScript, MissingFileIsAnError) {
  auto s = load_script(test::captures_dir() + "/no-such-capture.pcap");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace pxe::replay
