// The DHCP client machine against the real server Engine, in memory (client_lab.h): each firmware
// profile's path through offers, proxyDHCP, the port-4011 step and every failure, with its timing.
#include "client_lab.h"

namespace pxe::proto::dhcp::test {
namespace {

TEST(DhcpClient, FullDhcpWithBootFileBindsAndNamesTheTftpServer) {
  Lab lab(bios_profile());
  lab.add_server(std::string(kRange) + "dhcp-boot=pxelinux.0\n", kDhcpIp);
  lab.run();
  ASSERT_TRUE(lab.done) << (lab.failed ? failure_name(*lab.failed) : "no end");
  EXPECT_EQ(lab.done->boot_file, "pxelinux.0");
  EXPECT_EQ(lab.done->tftp_server, kDhcpIp);
  EXPECT_EQ(lab.done->server_id, kDhcpIp);
  EXPECT_EQ(lab.done->netmask, Ipv4(255, 255, 255, 0));
  EXPECT_GE(lab.done->yiaddr, Ipv4(192, 168, 42, 10));
  EXPECT_LE(lab.done->yiaddr, Ipv4(192, 168, 42, 20));
  EXPECT_EQ(lab.end(), Duration(0));
  auto req = lab.sent_of(wd::MessageType::Request);
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0].msg.requested_ip(), lab.done->yiaddr);
  EXPECT_EQ(req[0].msg.server_id(), kDhcpIp);
  EXPECT_EQ(req[0].msg.xid, lab.sent_of(wd::MessageType::Discover)[0].msg.xid);
  EXPECT_TRUE(req[0].send.broadcast);
  EXPECT_EQ(lab.client.state(), DhcpClient::State::Done);
  EXPECT_FALSE(lab.client.deadline());
}

// pxe-netboot.md §3.8: the Intel ROM has no fallback for a zero siaddr (PXE-E7B); EDK2 and
// iPXE-as-pxelinux take the server identifier.
TEST(DhcpClient, BiosHasNoTftpServerWhenSiaddrIsZeroWhileEdk2TakesTheServerId) {
  const std::string conf = std::string(kRange) + "dhcp-boot=pxelinux.0,,0.0.0.0\n";
  Lab bios(bios_profile());
  bios.add_server(conf, kDhcpIp);
  bios.run();
  ASSERT_TRUE(bios.done) << (bios.failed ? failure_name(*bios.failed) : "no end");
  EXPECT_EQ(bios.done->boot_file, "pxelinux.0");
  EXPECT_TRUE(bios.done->tftp_server.is_zero());
  Lab uefi(uefi_profile());
  uefi.add_server(conf, kDhcpIp);
  uefi.run();
  ASSERT_TRUE(uefi.done) << (uefi.failed ? failure_name(*uefi.failed) : "no end");
  EXPECT_EQ(uefi.done->tftp_server, kDhcpIp);
}

TEST(DhcpClient, ProxyMenuBesideDhcpWithoutBootFileGoesToTheBootServer) {
  Lab lab(bios_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.add_server(kProxyMenu, kProxyIp);
  lab.run();
  ASSERT_TRUE(lab.done) << (lab.failed ? failure_name(*lab.failed) : "no end");
  EXPECT_EQ(lab.done->server_id, kDhcpIp);
  EXPECT_EQ(lab.done->boot_file, "pxe/pxelinux.0");
  EXPECT_EQ(lab.done->tftp_server, kProxyIp);
  ASSERT_TRUE(lab.done->boot_reply);
  EXPECT_TRUE(lab.done->pxe_menu_43);
  auto bs = lab.sent_of(wd::MessageType::Request, 4011);
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0].send.to_ip, kProxyIp);
  EXPECT_EQ(bs[0].send.from_port, 68);
  EXPECT_FALSE(bs[0].send.broadcast);
  EXPECT_EQ(bs[0].msg.ciaddr, lab.done->yiaddr);
  auto po = bs[0].msg.pxe_options();
  ASSERT_TRUE(po && po->boot_item);
  EXPECT_EQ(po->boot_item->layer, 0);
}

TEST(DhcpClient, MenuFromTheDhcpServerItselfIsAnsweredOnItsPort4011) {
  Lab lab(bios_profile());
  lab.add_server(std::string(kRange) + "pxe-service=x86PC,\"Linux\",pxelinux\n", kDhcpIp);
  lab.run();
  ASSERT_TRUE(lab.done) << (lab.failed ? failure_name(*lab.failed) : "no end");
  EXPECT_EQ(lab.done->boot_file, "pxelinux.0");
  EXPECT_EQ(lab.done->tftp_server, kDhcpIp);
  auto bs = lab.sent_of(wd::MessageType::Request, 4011);
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0].send.to_ip, kDhcpIp);
}

TEST(DhcpClient, LinuxClientTakesNoPxeStepsEvenFromAPxeServer) {
  Lab lab(linux_profile());
  lab.add_server(std::string(kRange) + "pxe-service=x86PC,\"Linux\",pxelinux\n", kDhcpIp);
  lab.run();
  ASSERT_TRUE(lab.done) << (lab.failed ? failure_name(*lab.failed) : "no end");
  EXPECT_TRUE(lab.sent_of(wd::MessageType::Request, 4011).empty());
}

TEST(DhcpClient, Edk2WithoutBootFileDiscoversOnAndEndsAfter60Seconds) {
  // edk2-no-bootfile.pcap: DISCOVERs with secs 0, 4, 12, 28, each answered, no REQUEST, then E16.
  Lab lab(uefi_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.run();
  ASSERT_EQ(lab.failed, ClientFailure::NoBootFile);
  EXPECT_EQ(lab.end(), seconds(60));
  EXPECT_TRUE(lab.sent_of(wd::MessageType::Request).empty());
  std::vector<int> secs;
  for (const auto& d : lab.sent_of(wd::MessageType::Discover)) secs.push_back(d.msg.secs);
  EXPECT_EQ(secs, (std::vector<int>{0, 4, 12, 28}));
}

TEST(DhcpClient, NoServerFailsWithNoOfferAfter4816And32Seconds) {
  Lab lab(bios_profile());
  lab.run();
  ASSERT_EQ(lab.failed, ClientFailure::NoOffer);
  EXPECT_EQ(lab.end(), seconds(4 + 8 + 16 + 32));
  auto d = lab.sent_of(wd::MessageType::Discover);
  ASSERT_EQ(d.size(), 4u);
  std::vector<int> at, secs;
  for (const auto& s : d) {
    at.push_back(int(std::chrono::duration_cast<seconds>(lab.at(s)).count()));
    secs.push_back(s.msg.secs);
    EXPECT_EQ(s.msg.xid, d[0].msg.xid);  // the xid is kept across retransmissions
    EXPECT_EQ(s.send.payload.size(), 548u);
  }
  EXPECT_EQ(at, (std::vector<int>{0, 4, 12, 28}));
  EXPECT_EQ(secs, (std::vector<int>{0, 4, 12, 28}));
}

TEST(DhcpClient, BiosIgnoresOffersWithoutBootFileAndEndsWithNoBootFile) {
  Lab lab(bios_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.run();
  ASSERT_EQ(lab.failed, ClientFailure::NoBootFile);
  EXPECT_EQ(lab.end(), seconds(60));
  EXPECT_TRUE(lab.sent_of(wd::MessageType::Request).empty());
  EXPECT_EQ(lab.sent_of(wd::MessageType::Discover).size(), 4u);
}

TEST(DhcpClient, IpxeTakesAnOfferWithoutBootFileAfterTheProxyWaitThenHasNothingToBoot) {
  Lab lab(ipxe_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.run();
  ASSERT_EQ(lab.failed, ClientFailure::NoBootFile);
  auto req = lab.sent_of(wd::MessageType::Request);
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(lab.at(req[0]), seconds(1 + 2));  // through the 1 s and 2 s timeouts
  EXPECT_EQ(lab.end(), seconds(3));
}

TEST(DhcpClient, SilentBootServerFailsAfter1234Seconds) {
  Lab lab(bios_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.add_server(kProxyMenu, kProxyIp);
  lab.drop = [](const ClientSend& s) { return s.to_port == 4011; };
  lab.run();
  ASSERT_EQ(lab.failed, ClientFailure::BootServerSilent);
  auto bs = lab.sent_of(wd::MessageType::Request, 4011);
  ASSERT_EQ(bs.size(), 4u);
  std::vector<long> at;
  for (const auto& s : bs) at.push_back(long(std::chrono::duration_cast<seconds>(lab.at(s)).count()));
  EXPECT_EQ(at, (std::vector<long>{0, 1, 3, 6}));
  EXPECT_EQ(lab.end(), seconds(1 + 2 + 3 + 4));
}

TEST(DhcpClient, IpxeGoesOnWithoutASilentProxy) {
  Lab lab(ipxe_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.add_server("dhcp-boot=pxelinux.0\ndhcp-range=192.168.42.0,proxy\n", kProxyIp);
  lab.drop = [](const ClientSend& s) { return s.to_port == 4011; };
  lab.run();
  // bios-proxy-4011-silent.pcap: four ProxyDHCP requests from port 68, then "Nothing to boot".
  ASSERT_EQ(lab.failed, ClientFailure::NoBootFile);
  auto bs = lab.sent_of(wd::MessageType::Request, 4011);
  ASSERT_EQ(bs.size(), 4u);
  EXPECT_EQ(bs[0].send.from_port, 68);
  EXPECT_EQ(bs[0].msg.xid, lab.client.xid());
  EXPECT_TRUE(bs[0].msg.broadcast());
}

TEST(DhcpClient, Edk2ChoosesAtTheFirstTimeoutAndTakesTheProxyBootFile) {
  Lab lab(uefi_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.add_server("pxe-service=x86-64_EFI,\"UEFI boot\",efi/syslinux.efi\ndhcp-range=192.168.42.0,proxy\n",
                 kProxyIp);
  lab.run();
  ASSERT_TRUE(lab.done) << (lab.failed ? failure_name(*lab.failed) : "no end");
  auto req = lab.sent_of(wd::MessageType::Request);
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(lab.at(req[0]), seconds(4));
  EXPECT_EQ(lab.sent_of(wd::MessageType::Discover).size(), 1u);
  EXPECT_EQ(lab.done->boot_file, "efi/syslinux.efi");
  EXPECT_EQ(lab.done->tftp_server, kProxyIp);
}

TEST(DhcpClient, Edk2AsksTheProxyOn4011FromPort4011WithANewXid) {
  Lab lab(uefi_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.add_server("pxe-service=x86-64_EFI,\"A\",a\npxe-service=x86-64_EFI,\"B\",b\n"
                 "dhcp-range=192.168.42.0,proxy\n",
                 kProxyIp);
  lab.run();
  ASSERT_TRUE(lab.done) << (lab.failed ? failure_name(*lab.failed) : "no end");
  EXPECT_EQ(lab.done->boot_file, "a.0");
  auto bs = lab.sent_of(wd::MessageType::Request, 4011);
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0].send.from_port, 4011);
  EXPECT_NE(bs[0].msg.xid, lab.client.xid());
  EXPECT_FALSE(bs[0].msg.broadcast());
  EXPECT_FALSE(bs[0].msg.option(wd::opt::kVendorSpecific));  // BINL style: no 43.71
}

TEST(DhcpClient, Edk2SilentProxyFailsAfter1234Seconds) {
  Lab lab(uefi_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.add_server("pxe-service=x86-64_EFI,\"A\",a\npxe-service=x86-64_EFI,\"B\",b\n"
                 "dhcp-range=192.168.42.0,proxy\n",
                 kProxyIp);
  lab.drop = [](const ClientSend& s) { return s.to_port == 4011; };
  lab.run();
  ASSERT_EQ(lab.failed, ClientFailure::BootServerSilent);
  EXPECT_EQ(lab.end(), seconds(4 + 1 + 2 + 3 + 4));
}

TEST(DhcpClient, UnansweredRequestFailsWithNoAck) {
  Lab lab(bios_profile());
  lab.add_server(std::string(kRange) + "dhcp-boot=pxelinux.0\n", kDhcpIp);
  lab.drop = [](const ClientSend& s) {
    auto m = wd::parse(s.payload);
    return m.ok() && m->message_type() == wd::MessageType::Request;
  };
  lab.run();
  ASSERT_EQ(lab.failed, ClientFailure::NoAck);
  EXPECT_EQ(lab.sent_of(wd::MessageType::Request).size(), 4u);
  EXPECT_EQ(lab.end(), seconds(1 + 2 + 3 + 4));
}

TEST(DhcpClient, LinuxClientBindsWithoutBootFile) {
  Lab lab(linux_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.run();
  ASSERT_TRUE(lab.done);
  EXPECT_TRUE(lab.done->boot_file.empty());
  auto d = lab.sent_of(wd::MessageType::Discover);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].msg.vendor_class(), "PXEClient");
  EXPECT_FALSE(d[0].msg.broadcast());
}

TEST(DhcpClient, WinpeSendsItsHostNameAndMsftVendorClass) {
  Lab lab(winpe_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.run();
  ASSERT_TRUE(lab.done);
  auto d = lab.sent_of(wd::MessageType::Discover);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].msg.vendor_class(), "MSFT 5.0");
  EXPECT_EQ(d[0].msg.hostname().value_or("").substr(0, 7), "MININT-");
  EXPECT_FALSE(d[0].msg.client_arch());
}

// A NAK restarts the exchange once; a second NAK ends it.
TEST(DhcpClient, NakRestartsOnceThenFails) {
  SeededRandom rng(1);
  DhcpClient c(kMac, bios_profile(), rng);
  Timestamp t{1000};
  ClientActions a;
  c.start(t, a);
  auto offer_and_nak = [&](ClientActions& out) {
    auto offer = wd::Builder::reply_to(wd::parse(out.sends.back().payload).value())
                     .yiaddr(Ipv4(192, 168, 42, 15))
                     .message_type(wd::MessageType::Offer)
                     .option_ip(wd::opt::kServerId, kDhcpIp)
                     .file("pxelinux.0")
                     .encode();
    ClientActions r;
    c.on_datagram(offer, kDhcpIp, 67, 68, t, r);
    EXPECT_EQ(c.state(), DhcpClient::State::Requesting);
    auto nak = wd::Builder::reply_to(wd::parse(r.sends.back().payload).value())
                   .message_type(wd::MessageType::Nak)
                   .option_ip(wd::opt::kServerId, kDhcpIp)
                   .encode();
    ClientActions n;
    c.on_datagram(nak, kDhcpIp, 67, 68, t, n);
    return n;
  };
  auto first = offer_and_nak(a);
  EXPECT_FALSE(first.failed);
  ASSERT_EQ(first.sends.size(), 1u);
  EXPECT_EQ(wd::parse(first.sends[0].payload)->message_type(), wd::MessageType::Discover);
  auto second = offer_and_nak(first);
  EXPECT_EQ(second.failed, ClientFailure::Nak);
}

TEST(DhcpClient, IgnoresAnswersForOtherClientsAndOtherXids) {
  SeededRandom rng(1);
  DhcpClient c(kMac, bios_profile(), rng);
  ClientActions a;
  c.start(Timestamp{0}, a);
  auto discover = wd::parse(a.sends[0].payload).value();
  auto other = discover;
  other.set_client_mac(Mac{{2, 0, 0, 0, 0, 1}});
  for (const auto& req : {other, [&] { auto m = discover; m.xid ^= 1; return m; }()}) {
    auto offer = wd::Builder::reply_to(req).yiaddr(Ipv4(192, 168, 42, 15))
                     .message_type(wd::MessageType::Offer).option_ip(wd::opt::kServerId, kDhcpIp)
                     .file("pxelinux.0").encode();
    ClientActions r;
    c.on_datagram(offer, kDhcpIp, 67, 68, Timestamp{0}, r);
    EXPECT_TRUE(r.sends.empty());
    EXPECT_EQ(c.state(), DhcpClient::State::Selecting);
  }
  // The right offer, but to a port the client does not listen on (4011 before any boot step).
  auto offer = wd::Builder::reply_to(discover).yiaddr(Ipv4(192, 168, 42, 15))
                   .message_type(wd::MessageType::Offer).option_ip(wd::opt::kServerId, kDhcpIp)
                   .file("pxelinux.0").encode();
  ClientActions r;
  c.on_datagram(offer, kDhcpIp, 67, 4011, Timestamp{0}, r);
  EXPECT_EQ(c.state(), DhcpClient::State::Selecting);
  c.on_datagram(offer, kDhcpIp, 67, 68, Timestamp{0}, r);
  EXPECT_EQ(c.state(), DhcpClient::State::Requesting);
}

}  // namespace
}  // namespace pxe::proto::dhcp::test
