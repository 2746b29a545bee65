// The DHCP client machine against the real server Engine, in memory: the client's datagrams go to
// every Engine that would receive them (broadcast to 67, or unicast to its address), the Engines'
// replies come back to the client, time is a manual clock that jumps to the client's deadline.
#include "proto/dhcp/client.h"

#include <gtest/gtest.h>

#include <memory>

#include "base/random.h"
#include "capture/source.h"
#include "engine_harness.h"
#include "support/test_paths.h"

namespace pxe::proto::dhcp::test {
namespace {

using std::chrono::seconds;

const Mac kMac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x10}};
constexpr Ipv4 kDhcpIp(192, 168, 42, 1), kProxyIp(192, 168, 42, 2);
constexpr const char* kRange = "dhcp-range=192.168.42.10,192.168.42.20\n";
constexpr const char* kProxyMenu =
    "pxe-service=x86PC,\"PXE Netboot\",pxe/pxelinux\n"
    "dhcp-range=192.168.42.0,proxy\n";

struct Server {
  Server(const std::string& conf, Ipv4 ip) : engine(settings_from(conf)) {
    iface = {"eth0", ip, Ipv4(255, 255, 255, 0)};
  }
  Engine engine;
  InterfaceInfo iface;
};

struct SentAt {
  Timestamp at;
  ClientSend send;
  wd::Message msg;
};

struct Lab {
  explicit Lab(ClientDhcpProfile p) : client(kMac, std::move(p), rng) {}

  void add_server(const std::string& conf, Ipv4 ip) { servers.push_back(std::make_unique<Server>(conf, ip)); }

  // Runs until the client is done or failed, or `limit` after the start.
  void run(Duration limit = seconds(600)) {
    start = clock.now();
    ClientActions a;
    client.start(clock.now(), a);
    process(a);
    while (!done && !failed && client.deadline() && *client.deadline() <= start + limit) {
      clock.set(*client.deadline());
      ClientActions t;
      client.on_timer(clock.now(), t);
      process(t);
    }
  }

  void process(ClientActions& a) {
    if (a.done) done = a.done, ended = clock.now();
    if (a.failed) failed = a.failed, ended = clock.now();
    EXPECT_EQ(a.timer, client.deadline());
    for (auto& s : a.sends) {
      auto m = wd::parse(s.payload);
      EXPECT_TRUE(m.ok()) << "the client sent a payload that does not parse";
      sent.push_back({clock.now(), s, m.ok() ? *m : wd::Message{}});
      if (drop && drop(s)) continue;
      for (auto& srv : servers) {
        bool to_it = (s.to_ip == Ipv4(255, 255, 255, 255) && s.to_port == 67) || s.to_ip == srv->iface.address;
        if (!to_it) continue;
        DatagramMeta meta{srv->iface, s.from_ip, s.from_port, s.to_ip, s.to_port};
        Actions out;
        srv->engine.on_datagram(s.payload, meta, clock.now(), out);
        for (std::size_t i = 0; i < out.probes.size(); ++i)  // ping checks: nobody answers
          srv->engine.on_probe_result(out.probes[i].id, false, clock.now(), out);
        for (const auto& r : out.replies) {
          if (r.to.port != 68 && r.to.port != client.profile().boot_server_src_port) continue;
          ClientActions back;
          Ipv4 from = r.from_ip.is_zero() ? srv->iface.address : r.from_ip;
          client.on_datagram(r.payload, from, r.from_port, r.to.port, clock.now(), back);
          process(back);
        }
      }
    }
  }

  std::vector<SentAt> sent_of(wd::MessageType t, std::uint16_t to_port = 67) const {
    std::vector<SentAt> out;
    for (const auto& s : sent)
      if (s.msg.message_type() == t && s.send.to_port == to_port) out.push_back(s);
    return out;
  }
  Duration at(const SentAt& s) const { return s.at - start; }
  Duration end() const { return ended - start; }

  ManualClock clock{Timestamp{1'700'000'000'000'000}};
  SeededRandom rng{12};
  DhcpClient client;
  std::vector<std::unique_ptr<Server>> servers;
  std::function<bool(const ClientSend&)> drop;
  std::vector<SentAt> sent;
  std::optional<ClientBoot> done;
  std::optional<ClientFailure> failed;
  Timestamp start, ended;
};

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
}

// The first DHCP message of type `t` the client sent in a capture (to port 67, or `filter`).
std::optional<wd::Message> first_sent(const std::string& name, wd::MessageType t = wd::MessageType::Discover,
                                      const std::string& filter = "udp dst port 67") {
  auto src = capture::PcapSource::open_file(pxe::test::captures_dir() + "/" + name, filter);
  EXPECT_TRUE(src.ok());
  if (!src.ok()) return std::nullopt;
  capture::RawFrame f;
  while (src->next(f) == capture::PcapSource::Next::Frame) {
    ByteSpan d = f.data;
    if (d.size() < 14 + 20 + 8) continue;
    std::size_t ihl = (d[14] & 0x0f) * 4;
    if (d.size() < 14 + ihl + 8) continue;
    auto m = wd::parse(d.subspan(14 + ihl + 8));
    if (m.ok() && m->message_type() == t) return *m;
  }
  return std::nullopt;
}

void expect_same_options(const wd::Message& got, const wd::Message& want, const std::string& capture) {
  ASSERT_EQ(got.options.size(), want.options.size()) << capture;
  for (std::size_t i = 0; i < got.options.size(); ++i) {
    EXPECT_EQ(int(got.options[i].code), int(want.options[i].code)) << capture << " option #" << i;
    EXPECT_EQ(got.options[i].data, want.options[i].data) << capture << " option " << int(got.options[i].code);
  }
}

void expect_same_discover(const ClientDhcpProfile& p, const std::string& capture) {
  auto want = first_sent(capture);
  ASSERT_TRUE(want) << capture;
  SeededRandom rng(3);
  DhcpClient c(kMac, p, rng);
  ClientActions a;
  c.start(Timestamp{0}, a);
  ASSERT_EQ(a.sends.size(), 1u);
  auto got = wd::parse(a.sends[0].payload).value();
  // Option by option, in wire order (xid and secs differ by nature).
  expect_same_options(got, *want, capture);
  EXPECT_EQ(got.flags, want->flags);
  EXPECT_EQ(got.chaddr, want->chaddr);
  EXPECT_EQ(a.sends[0].payload.size(), wd::encode(*want).size());
}

// The "bios" captures were made with SeaBIOS's iPXE ROM, so they are the ipxe profile's
// reference; the bios profile follows the Intel ROM trace quoted in pxe-netboot.md §3.1.
TEST(DhcpClientProfiles, IpxeDiscoverMatchesTheCapturedOne) {
  expect_same_discover(ipxe_profile(), "bios-pxelinux-menu.pcap");
}

TEST(DhcpClientProfiles, UefiDiscoverMatchesTheCapturedOne) {
  expect_same_discover(uefi_profile(), "edk2-syslinux-menu.pcap");
}

// iPXE's PXEBS request (menu item from a proxy, 4011 unanswered) as bios-bootserver-silent.pcap
// has it: 60 "PXEClient", 43.71, xid 0, from port 68, two tries 1 s apart, over after 3 s.
TEST(DhcpClientProfiles, IpxeBootServerRequestMatchesTheCapturedOne) {
  Lab lab(ipxe_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.add_server(kProxyMenu, kProxyIp);
  lab.drop = [](const ClientSend& s) { return s.to_port == 4011; };
  lab.run();
  ASSERT_EQ(lab.failed, ClientFailure::BootServerSilent);
  auto bs = lab.sent_of(wd::MessageType::Request, 4011);
  ASSERT_EQ(bs.size(), 2u);
  EXPECT_EQ(lab.at(bs[1]) - lab.at(bs[0]), seconds(1));
  EXPECT_EQ(lab.ended - bs[0].at, seconds(3));
  EXPECT_EQ(bs[0].msg.xid, 0u);
  EXPECT_EQ(bs[0].send.from_port, 68);
  auto want = first_sent("bios-bootserver-silent.pcap", wd::MessageType::Request, "udp dst port 4011");
  ASSERT_TRUE(want);
  EXPECT_EQ(bs[0].msg.flags, want->flags);
  expect_same_options(bs[0].msg, *want, "bios-bootserver-silent.pcap");
}

TEST(DhcpClientProfiles, UefiProxyRequestMatchesTheCapturedOne) {
  Lab lab(uefi_profile());
  lab.add_server(kRange, kDhcpIp);
  lab.add_server("pxe-service=x86-64_EFI,\"A\",a\npxe-service=x86-64_EFI,\"B\",b\n"
                 "dhcp-range=192.168.42.0,proxy\n",
                 kProxyIp);
  lab.run();
  auto bs = lab.sent_of(wd::MessageType::Request, 4011);
  ASSERT_EQ(bs.size(), 1u);
  auto want = first_sent("proxydhcp-uefi.pcap", wd::MessageType::Request, "udp dst port 4011");
  ASSERT_TRUE(want);
  EXPECT_EQ(bs[0].msg.flags, want->flags);
  EXPECT_EQ(bs[0].msg.ciaddr, lab.done ? lab.done->yiaddr : Ipv4());
  expect_same_options(bs[0].msg, *want, "proxydhcp-uefi.pcap");
}

TEST(DhcpClientProfiles, BiosDiscoverHasTheIntelRomOptions) {
  SeededRandom rng(3);
  DhcpClient c(kMac, bios_profile(), rng);
  ClientActions a;
  c.start(Timestamp{0}, a);
  auto m = wd::parse(a.sends[0].payload).value();
  std::vector<int> codes;
  for (const auto& o : m.options)
    if (o.code != 0) codes.push_back(o.code);
  EXPECT_EQ(codes, (std::vector<int>{53, 55, 57, 97, 93, 94, 60, 255}));
  EXPECT_EQ(m.parameter_request_list()->size(), 36u);
  EXPECT_EQ(m.max_message_size(), 1260);
  EXPECT_EQ(m.vendor_class(), "PXEClient:Arch:00000:UNDI:002001");
  EXPECT_TRUE(m.broadcast());
  EXPECT_EQ(a.sends[0].payload.size(), 548u);
  EXPECT_FALSE(m.client_id());
}

TEST(DhcpClientProfiles, ByName) {
  for (const char* n : {"bios", "uefi", "ipxe", "linux", "winpe"}) {
    auto p = profile_by_name(n);
    ASSERT_TRUE(p) << n;
    EXPECT_EQ(p->name, n);
  }
  EXPECT_FALSE(profile_by_name("arm"));
}

}  // namespace
}  // namespace pxe::proto::dhcp::test
