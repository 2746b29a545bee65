// The firmware profiles' packets compared option by option with what real firmware sent in
// captures/ (read with core/capture), and the values taken from the references.
#include "capture/source.h"
#include "client_lab.h"
#include "support/test_paths.h"

namespace pxe::proto::dhcp::test {
namespace {

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

// DISCOVER times with nobody answering: bios-no-offer.pcap (iPXE) at 0, 1, 3, 7 s;
// edk2-no-offer.pcap at 0, 4, 12, 28 s (secs 0, 4, 12, 28).
TEST(DhcpClientProfiles, DiscoverScheduleWithoutServersMatchesTheCaptures) {
  struct Case { ClientDhcpProfile p; std::vector<long> at_ms; long end_s; };
  for (auto& [p, want, end_s] : std::vector<Case>{{ipxe_profile(), {0, 1000, 3000, 7000}, 15},
                                                  {uefi_profile(), {0, 4000, 12000, 28000}, 60}}) {
    Lab lab(p);
    lab.run();
    EXPECT_EQ(lab.failed, ClientFailure::NoOffer) << p.name;
    std::vector<long> at;
    for (const auto& d : lab.sent_of(wd::MessageType::Discover))
      at.push_back(long(std::chrono::duration_cast<std::chrono::milliseconds>(lab.at(d)).count()));
    EXPECT_EQ(at, want) << p.name;
    EXPECT_EQ(lab.end(), seconds(end_s)) << p.name;
  }
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
