// Rules on hand-built event sequences: the failures no real software here produces on demand.
#include <gtest/gtest.h>

#include <algorithm>

#include "diag/analyze.h"

using namespace pxe;
using namespace pxe::diag;

namespace {

const Mac kClient = *Mac::parse("20:6a:8a:0f:74:75");
const Ipv4 kServer(192, 168, 42, 1), kClientIp(192, 168, 42, 17);

struct Builder {
  std::vector<Event> ev;
  TextStore text;  // the events' file names
  std::int64_t t = 0;

  Event& add(EventKind k, bool from_client) {
    Event e;
    e.kind = k;
    e.frame = ev.size() + 1;
    e.time = Timestamp{t};
    t += 1'000'000;
    e.from_client = from_client;
    e.client_mac = kClient;
    ev.push_back(e);
    return ev.back();
  }
  Event& discover(std::uint16_t arch = 0) {
    Event& e = add(EventKind::DhcpFromClient, true);
    e.msg_type = 1;
    e.xid = 0x8b0f7475;
    e.vendor_class = arch ? Text("PXEClient:Arch:00007:UNDI:003000") : Text("PXEClient:Arch:00000:UNDI:002001");
    e.arch = {arch};
    e.src = Ipv4(0u);
    e.dst = Ipv4(0xffffffffu);
    e.sport = 68;
    e.dport = 67;
    return e;
  }
  Event& offer(bool proxy, std::string file = {}) {
    Event& e = add(EventKind::DhcpFromServer, false);
    e.msg_type = 2;
    e.xid = 0x8b0f7475;
    e.yiaddr = proxy ? Ipv4(0u) : kClientIp;
    e.server_id = kServer;
    e.siaddr = kServer;
    e.src = kServer;
    e.sport = 67;
    e.dport = 68;
    e.vendor_class = proxy ? Text("PXEClient") : Text();
    e.bootfile = text.keep(file);
    return e;
  }
  Event& ack(std::string file = "pxelinux.0") {
    Event& e = offer(false, std::move(file));
    e.msg_type = 5;
    return e;
  }
  Event& rrq(std::string file, std::uint16_t port = 2070) {
    Event& e = add(EventKind::TftpRequest, true);
    e.filename = text.keep(file);
    e.src = kClientIp;
    e.dst = kServer;
    e.sport = port;
    e.dport = 69;
    return e;
  }
  Event& data(std::uint16_t block, std::size_t len, std::uint16_t port = 2070) {
    Event& e = add(EventKind::TftpData, false);
    e.block = block;
    e.data_len = len;
    e.src = kServer;
    e.dst = kClientIp;
    e.sport = 40000;
    e.dport = port;
    return e;
  }
};

const ClientReport& only_client(const Report& r) {
  EXPECT_EQ(r.clients.size(), 1u);
  return r.clients.at(0);
}

bool has(const ClientReport& c, std::string_view id) {
  return std::any_of(c.findings.begin(), c.findings.end(), [&](const Finding& f) { return f.id == id; });
}

}  // namespace

TEST(DiagRules, RepeatedDiscoversWithoutOfferAreE51) {
  Builder b;
  for (int i = 0; i < 4; ++i) b.discover();
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  EXPECT_TRUE(c.failed);
  EXPECT_TRUE(has(c, "no-offer"));
  EXPECT_EQ(c.screen, "PXE-E51: No DHCP or proxyDHCP offers were received.");
  EXPECT_EQ(c.firmware, Firmware::BiosPxeRom);
}

TEST(DiagRules, OnlyProxyOffersAreE52) {
  Builder b;
  b.discover();
  b.offer(true, "pxelinux.0");
  b.discover();
  b.offer(true, "pxelinux.0");
  auto r = analyze(b.ev);
  EXPECT_TRUE(has(only_client(r), "only-proxy-offers"));
}

TEST(DiagRules, OffersWithoutBootFileAreE53AndUefiSeesE16) {
  Builder b;
  b.discover(7);
  b.offer(false);
  b.discover(7);
  b.offer(false);
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  ASSERT_TRUE(has(c, "no-boot-filename"));
  EXPECT_EQ(c.firmware, Firmware::UefiPxe);
  EXPECT_EQ(c.screen, "PXE-E16: No valid offer received.");
  // The fix chooses the boot file by architecture for a UEFI client.
  auto f = std::find_if(c.findings.begin(), c.findings.end(), [](const Finding& x) { return x.id == "no-boot-filename"; });
  EXPECT_NE(f->fix_dnsmasq.find("client-arch,7"), std::string::npos);
}

TEST(DiagRules, SilentPort4011AfterProxyOfferIsE55) {
  Builder b;
  b.discover();
  b.offer(false);
  b.offer(true);
  b.ack("");
  for (int i = 0; i < 4; ++i) {
    Event& e = b.add(EventKind::DhcpFromClient, true);
    e.msg_type = 3;
    e.dport = 4011;
    e.src = kClientIp;
    e.dst = kServer;
  }
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  EXPECT_TRUE(has(c, "proxy-4011-unanswered"));
  EXPECT_EQ(c.screen, "PXE-E55: proxyDHCP service did not reply to request on port 4011.");
}

TEST(DiagRules, DhcpServerSayingPxeClientWithNothingOn4011IsE55NotE53) {
  // MS KB 259670: the DHCP server's own offer carries option 60 PXEClient, no boot file and no
  // menu; the ROM asks that server on port 4011, where nothing answers.
  Builder b;
  b.discover();
  b.offer(false).vendor_class = Text("PXEClient");
  b.ack("").vendor_class = Text("PXEClient");
  for (int i = 0; i < 4; ++i) {
    Event& e = b.add(EventKind::DhcpFromClient, true);
    e.msg_type = 3;
    e.dport = 4011;
    e.src = kClientIp;
    e.dst = kServer;
  }
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  EXPECT_TRUE(has(c, "proxy-4011-unanswered"));
  EXPECT_FALSE(has(c, "no-boot-filename"));
  EXPECT_EQ(c.screen, "PXE-E55: proxyDHCP service did not reply to request on port 4011.");
}

TEST(DiagRules, SilentBootServerDiscoveryIsE78NotE55) {
  // iPXE's PXEBS: the request to 4011 names a menu item (43.71); that is boot server discovery.
  Builder b;
  b.discover();
  b.offer(false);
  b.offer(true).has_pxe_options = true;
  b.ack("");
  for (int i = 0; i < 5; ++i) {
    Event& e = b.add(EventKind::DhcpFromClient, true);
    e.msg_type = 3;
    e.dport = 4011;
    e.pxe_boot_item = true;
    e.src = kClientIp;
    e.dst = kServer;
  }
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  EXPECT_TRUE(has(c, "boot-server-unanswered"));
  EXPECT_FALSE(has(c, "proxy-4011-unanswered"));
  EXPECT_EQ(c.screen, "PXE-E78: Could not locate boot server.");
}

TEST(DiagRules, StallIsMeasuredFromTheServersLastPacketNotTheClientsRetries) {
  Builder b;
  b.discover();
  b.offer(false, "big.0");
  b.ack("big.0");
  b.rrq("big.0");
  for (std::uint16_t blk = 1; blk <= 3; ++blk) b.data(blk, 1432);
  for (int i = 0; i < 6; ++i) {  // the client re-sends ACK 3 until the capture ends
    Event& a = b.add(EventKind::TftpAck, true);
    a.block = 3;
    a.src = kClientIp, a.dst = kServer, a.sport = 2070, a.dport = 40000;
  }
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  ASSERT_TRUE(has(c, "tftp-transfer-stalled"));
  auto f = std::find_if(c.findings.begin(), c.findings.end(), [](const Finding& x) { return x.id == "tftp-transfer-stalled"; });
  EXPECT_NE(f->cause.find("kept re-sending its ACK of block 3 for 6 s"), std::string::npos) << f->cause;
}

TEST(DiagRules, NotFoundWithBackslashesSaysTheServerMustMapThem) {
  // WinPE's bootmgr asks for \Boot\BCD; a server that does not map \ to / answers not found.
  Builder b;
  b.discover();
  b.offer(false, "pxelinux.0");
  b.ack();
  b.rrq("\\Boot\\BCD");
  Event& err = b.add(EventKind::TftpError, false);
  err.src = kServer, err.dst = kClientIp, err.sport = 40000, err.dport = 2070;
  err.error_code = 1;
  err.error_message = "File not found";
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  auto f = std::find_if(c.findings.begin(), c.findings.end(), [](const Finding& x) { return x.id == "tftp-file-not-found"; });
  ASSERT_NE(f, c.findings.end());
  EXPECT_NE(f->cause.find("backslashes"), std::string::npos) << f->cause;
}

TEST(DiagRules, UnansweredArpForTheServerIsE11) {
  const Ipv4 next_server(192, 168, 42, 99);  // siaddr: where the ROM fetches its boot file
  Builder b;
  b.discover();
  b.offer(false, "pxelinux.0").siaddr = next_server;
  b.ack().siaddr = next_server;
  for (int i = 0; i < 4; ++i) {
    Event& e = b.add(EventKind::ArpRequest, true);
    e.src = kClientIp;
    e.dst = next_server;
  }
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  auto f = std::find_if(c.findings.begin(), c.findings.end(), [](const Finding& x) { return x.id == "arp-unanswered"; });
  ASSERT_NE(f, c.findings.end());
  EXPECT_EQ(f->code, "PXE-E11");
  EXPECT_NE(f->cause.find("192.168.42.99"), std::string::npos) << f->cause;
  EXPECT_EQ(f->evidence.size(), 4u);
}

TEST(DiagRules, UnansweredArpForTheServerNamedInOption66IsE11) {
  const Ipv4 tftp(192, 168, 42, 7);
  Builder b;
  b.discover();
  b.offer(false, "pxelinux.0");
  Event& ack = b.ack();
  ack.siaddr = Ipv4(0u);
  ack.tftp_server = b.text.keep("192.168.42.7");
  for (int i = 0; i < 4; ++i) {
    Event& e = b.add(EventKind::ArpRequest, true);
    e.src = kClientIp;
    e.dst = tftp;
  }
  EXPECT_TRUE(has(only_client(analyze(b.ev)), "arp-unanswered"));
}

TEST(DiagRules, UnansweredArpForAHostThatIsNotTheBootServerIsNotE11) {
  // The client asks for a neighbour (a printer, a conflict check) that is down: the boot server
  // (siaddr 192.168.42.1) was never asked for, so nothing says the boot failed at ARP.
  Builder b;
  b.discover();
  b.offer(false, "pxelinux.0");
  b.ack();
  for (int i = 0; i < 6; ++i) {
    Event& e = b.add(EventKind::ArpRequest, true);
    e.src = kClientIp;
    e.dst = Ipv4(192, 168, 42, 5);
  }
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  EXPECT_FALSE(has(c, "arp-unanswered"));
  EXPECT_FALSE(c.failed);
}

TEST(DiagRules, AnsweredArpForTheServerIsNotE11) {
  Builder b;
  b.discover();
  b.offer(false, "pxelinux.0");
  b.ack();
  for (int i = 0; i < 4; ++i) {
    Event& e = b.add(EventKind::ArpRequest, true);
    e.src = kClientIp;
    e.dst = kServer;
  }
  Event& reply = b.add(EventKind::ArpReply, false);
  reply.src = kServer;
  reply.dst = kClientIp;
  EXPECT_FALSE(has(only_client(analyze(b.ev)), "arp-unanswered"));
}

TEST(DiagRules, TransferThatStopsMidwayIsE35AndFragmentsAreNamed) {
  Builder b;
  b.discover();
  b.offer(false, "winpe.iso");
  b.ack("winpe.iso");
  b.rrq("winpe.iso");
  for (std::uint16_t blk = 1; blk <= 3; ++blk) b.data(blk, 512).fragmented = true;
  b.t += 30'000'000;
  b.add(EventKind::ArpRequest, true).src = Ipv4(192, 168, 42, 99);  // the capture goes on
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  EXPECT_TRUE(has(c, "tftp-transfer-stalled"));
  EXPECT_TRUE(has(c, "tftp-blocks-fragmented"));
}

TEST(DiagRules, BiosBootFileOfferedToUefiClientIsWrongArchitecture) {
  Builder b;
  b.discover(7);
  b.offer(false, "pxelinux.0");
  b.ack("pxelinux.0");
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  ASSERT_TRUE(has(c, "wrong-architecture"));
  auto f = std::find_if(c.findings.begin(), c.findings.end(), [](const Finding& x) { return x.id == "wrong-architecture"; });
  EXPECT_NE(f->cause.find("errata"), std::string::npos);
}

TEST(DiagRules, TsizeProbeAbortIsExplainedNotFlagged) {
  Builder b;
  b.discover();
  b.offer(false, "pxelinux.0");
  b.ack();
  b.rrq("pxelinux.0", 2070);
  Event& oack = b.add(EventKind::TftpOack, false);
  oack.src = kServer, oack.dst = kClientIp, oack.sport = 40000, oack.dport = 2070;
  Event& abort = b.add(EventKind::TftpError, true);
  abort.src = kClientIp, abort.dst = kServer, abort.sport = 2070, abort.dport = 40000;
  abort.error_code = 0, abort.error_message = "TFTP Aborted";
  b.rrq("pxelinux.0", 2071);
  b.data(1, 100, 2071);
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  EXPECT_FALSE(c.failed);
  EXPECT_TRUE(has(c, "tsize-probe-abort"));
}

TEST(DiagRules, AnonymousSmbSessionThenHangupIsSystemError58) {
  Builder b;
  Event& vend = b.discover();
  vend.vendor_class = "MSFT 5.0";
  vend.arch.clear();
  b.ack("");
  auto smb = [&](EventKind k, bool from_client) -> Event& {
    Event& e = b.add(k, from_client);
    e.src = from_client ? kClientIp : kServer;
    e.dst = from_client ? kServer : kClientIp;
    e.sport = from_client ? 49700 : 445;
    e.dport = from_client ? 445 : 49700;
    e.is_response = !from_client;
    return e;
  };
  Event& auth = smb(EventKind::SmbSessionSetup, true);
  auth.has_authenticate = true;
  auth.anonymous = true;
  smb(EventKind::SmbSessionSetup, false).session_flags = 2;
  smb(EventKind::TcpClose, true).rst = true;
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  ASSERT_TRUE(has(c, "smb-anonymous-hangup"));
  EXPECT_EQ(c.firmware, Firmware::WinPe);
  EXPECT_NE(c.screen.find("System error 58"), std::string::npos);
}

// One SMB2 event of the connection from client port `port` (a Linux smbclient: no DHCP seen).
static Event& smb_event(Builder& b, EventKind k, bool from_client, std::uint16_t port = 49700) {
  Event& e = b.add(k, from_client);
  e.src = from_client ? kClientIp : kServer;
  e.dst = from_client ? kServer : kClientIp;
  e.sport = from_client ? port : 445;
  e.dport = from_client ? 445 : port;
  e.is_response = k != EventKind::TcpClose && !from_client;
  return e;
}
static Event& smb_negotiate(Builder& b, bool from_client, bool signing_required, std::uint16_t port = 49700) {
  Event& e = smb_event(b, EventKind::SmbOther, from_client, port);
  e.smb_command = 0;
  e.signing_required = signing_required;
  return e;
}

TEST(DiagRules, GuestSessionForAClientThatRequiresSigningIsItsOwnFinding) {
  Builder b;
  smb_negotiate(b, true, true);
  smb_negotiate(b, false, false);
  smb_event(b, EventKind::SmbSessionSetup, true).has_authenticate = true;
  smb_event(b, EventKind::SmbSessionSetup, false).session_flags = 1;  // guest
  smb_event(b, EventKind::TcpClose, true);
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  ASSERT_TRUE(has(c, "smb-guest-signing-required"));
  EXPECT_FALSE(has(c, "smb-anonymous-hangup"));  // the more precise finding replaces it
  EXPECT_NE(c.screen.find("System error 1272"), std::string::npos);
}

TEST(DiagRules, GuestSessionThatGoesOnToTheShareIsNoSigningFailure) {
  Builder b;
  smb_negotiate(b, true, true);
  smb_negotiate(b, false, false);
  smb_event(b, EventKind::SmbSessionSetup, true).has_authenticate = true;
  smb_event(b, EventKind::SmbSessionSetup, false).session_flags = 1;
  smb_event(b, EventKind::SmbTreeConnect, true).path = "\\\\server\\GUEST";
  smb_event(b, EventKind::SmbTreeConnect, false);
  smb_event(b, EventKind::TcpClose, true);
  auto r = analyze(b.ev);
  EXPECT_FALSE(only_client(r).failed);
}

TEST(DiagRules, ServerClosingMidSessionIsOneServerHangup) {
  Builder b;
  smb_negotiate(b, true, false);
  smb_negotiate(b, false, false);
  smb_event(b, EventKind::SmbSessionSetup, true).has_authenticate = true;
  smb_event(b, EventKind::SmbSessionSetup, false);
  smb_event(b, EventKind::SmbOther, true).smb_command = 0x0E;  // QUERY_DIRECTORY
  smb_event(b, EventKind::TcpClose, false);                    // server FIN
  smb_event(b, EventKind::SmbOther, true).smb_command = 0x0E;  // the client has not noticed
  smb_event(b, EventKind::TcpClose, false).rst = true;         // answered by a RST
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  EXPECT_EQ(std::count_if(c.findings.begin(), c.findings.end(), [](const Finding& f) { return f.id == "smb-server-hangup"; }), 1);
}

TEST(DiagRules, ServerClosingAfterTheClientIsNormal) {
  Builder b;
  smb_negotiate(b, true, false);
  smb_negotiate(b, false, false);
  smb_event(b, EventKind::SmbSessionSetup, true).has_authenticate = true;
  smb_event(b, EventKind::SmbSessionSetup, false);
  smb_event(b, EventKind::TcpClose, true);
  smb_event(b, EventKind::TcpClose, false);
  auto r = analyze(b.ev);
  EXPECT_FALSE(only_client(r).failed);
}

TEST(DiagRules, ClientHangingUpAfterNegotiateIsSystemError58) {
  Builder b;
  smb_negotiate(b, true, false, 50000);
  smb_negotiate(b, false, false, 50000);
  smb_event(b, EventKind::TcpClose, true, 50000);
  // A second connection that went on normally is no finding.
  smb_negotiate(b, true, false, 50001);
  smb_negotiate(b, false, false, 50001);
  smb_event(b, EventKind::SmbSessionSetup, true, 50001).has_authenticate = true;
  smb_event(b, EventKind::TcpClose, true, 50001);
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  ASSERT_TRUE(has(c, "smb-negotiate-hangup"));
  EXPECT_EQ(c.findings.size(), 1u);
  EXPECT_NE(c.screen.find("System error 58"), std::string::npos);
}

TEST(DiagRules, AccessDeniedAfterAGuestSessionSaysTheShareRefusesGuests) {
  Builder b;
  smb_negotiate(b, true, false);
  smb_negotiate(b, false, false);
  smb_event(b, EventKind::SmbSessionSetup, true).has_authenticate = true;
  smb_event(b, EventKind::SmbSessionSetup, false).session_flags = 1;  // guest
  smb_event(b, EventKind::SmbTreeConnect, true).path = "\\\\server\\PRIVATE";
  smb_event(b, EventKind::SmbTreeConnect, false).status = 0xC0000022;
  smb_event(b, EventKind::TcpClose, true);
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  ASSERT_EQ(c.findings.size(), 1u);
  const Finding& f = c.findings[0];
  EXPECT_EQ(f.id, "smb-access-denied");
  EXPECT_NE(f.cause.find("refuses guests"), std::string::npos) << f.cause;
  ASSERT_EQ(f.evidence.size(), 1u);
  EXPECT_NE(f.evidence[0].what.find("\\\\server\\PRIVATE"), std::string::npos) << f.evidence[0].what;
}

TEST(DiagRules, TwoDhcpServersAreANetworkWarning) {
  Builder b;
  b.discover();
  b.offer(false, "pxelinux.0");
  Event& rogue = b.offer(false, "");
  rogue.server_id = Ipv4(192, 168, 42, 254);
  rogue.src = rogue.server_id;
  auto r = analyze(b.ev);
  ASSERT_EQ(r.network.size(), 1u);
  EXPECT_EQ(r.network[0].id, "two-dhcp-servers");
}

TEST(DiagRules, SmbPortRefusedIsSystemError53) {
  Builder b;
  smb_event(b, EventKind::TcpOpen, true);
  smb_event(b, EventKind::TcpClose, false).rst = true;
  auto r = analyze(b.ev);
  const auto& c = only_client(r);
  ASSERT_TRUE(has(c, "smb-no-server"));
  EXPECT_NE(c.screen.find("System error 53"), std::string::npos);
  EXPECT_FALSE(has(c, "smb-server-hangup"));  // a RST to a SYN is no hang-up of a session
}

TEST(DiagRules, SmbSynsUnansweredIsSystemError53ButOneSynIsNot) {
  Builder b;
  smb_event(b, EventKind::TcpOpen, true, 49800);
  auto one = analyze(b.ev);
  EXPECT_FALSE(has(only_client(one), "smb-no-server"));  // the capture may just have ended
  b.t += 1'000'000;
  smb_event(b, EventKind::TcpOpen, true, 49800);
  auto two = analyze(b.ev);
  const auto& c = only_client(two);
  ASSERT_TRUE(has(c, "smb-no-server"));
  auto f = std::find_if(c.findings.begin(), c.findings.end(), [](const Finding& x) { return x.id == "smb-no-server"; });
  EXPECT_NE(f->cause.find("never answered"), std::string::npos) << f->cause;
}

TEST(DiagRules, ARefusedProbeBeforeTheServerCameUpIsNoFinding) {
  Builder b;
  smb_event(b, EventKind::TcpOpen, true, 49800);
  smb_event(b, EventKind::TcpClose, false, 49800).rst = true;
  smb_event(b, EventKind::TcpOpen, true, 49801);
  smb_event(b, EventKind::TcpOpen, false, 49801);  // SYN-ACK: a server answered this time
  smb_negotiate(b, true, false, 49801);
  auto r = analyze(b.ev);
  EXPECT_FALSE(has(only_client(r), "smb-no-server"));
}
