// The engine for PXE clients: boot files by architecture, menus, proxyDHCP, the 4011 boot server.
#include "engine_harness.h"

namespace pxe::proto::dhcp::test {
namespace {

wd::PxeOptions pxe43(const wd::Message& m) {
  auto v = m.option(wd::opt::kVendorSpecific);
  EXPECT_TRUE(v.has_value());
  if (!v) return {};
  auto p = wd::decode_pxe_options(*v);
  EXPECT_TRUE(p.ok());
  return p.ok() ? *p : wd::PxeOptions{};
}

constexpr const char* kProxy =
    "pxe-service=x86PC,\"PXE Netboot\",pxe/pxelinux\n"
    "dhcp-range=192.168.42.0,proxy\n";

TEST(PxeEngine, BootFileIsChosenByArchitectureTag) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-match=set:efi-x86_64,option:client-arch,7\n"
            "dhcp-boot=tag:efi-x86_64,syslinux.efi\n"
            "dhcp-boot=tag:!efi-x86_64,pxelinux.0\n");
  auto bios = h.one(pxe_client(wd::MessageType::Discover, mac(1), 0).build());
  EXPECT_EQ(bios.msg.file_str(), "pxelinux.0");
  auto efi = h.one(pxe_client(wd::MessageType::Discover, mac(2), 7).build());
  EXPECT_EQ(efi.msg.file_str(), "syslinux.efi");
  EXPECT_EQ(efi.msg.siaddr, Ipv4(192, 168, 42, 1));
}

// A dhcp-boot line and no pxe-service: a PXE client is answered as any DHCP client, with the
// boot file and siaddr and nothing PXE: no 60 "PXEClient", no 97 echo, no 43 (dnsmasq 2.90,
// bios-pxelinux-menu.pcap; PXE firmware boots from such a "DHCP-only" offer). Before, pxekit
// sent 60, 97 and 43.6 = 8, and iPXE, seeing "PXEClient" from the DHCP server, asked its port
// 4011 as well (bios-option66-siaddr0.pcap as first recorded).
TEST(PxeEngine, DhcpBootWithoutAMenuIsAPlainDhcpAnswer) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\ndhcp-boot=pxelinux.0\n");
  for (auto type : {wd::MessageType::Discover, wd::MessageType::Request}) {
    auto m = pxe_client(type, mac(1), 0);
    if (type == wd::MessageType::Request)
      m.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).option_ip(wd::opt::kRequestedIp, Ipv4(192, 168, 42, 10));
    auto r = h.one(m.build());
    EXPECT_EQ(r.msg.file_str(), "pxelinux.0");
    EXPECT_EQ(r.msg.siaddr, Ipv4(192, 168, 42, 1));
    EXPECT_FALSE(r.msg.option(wd::opt::kVendorSpecific));
    EXPECT_FALSE(r.msg.option(wd::opt::kVendorClass));
    EXPECT_FALSE(r.msg.option(wd::opt::kClientUuid));
  }
}

// The same in proxy mode must still say "PXE": 60, 97 and 43 = 6:08 ("use the boot file") with
// the configured prompt, siaddr 0.0.0.0 (the file comes from the port-4011 answer): the bytes
// dnsmasq 2.90's proxy sent in bios-proxy-4011-silent.pcap.
TEST(PxeEngine, ProxyWithDhcpBootAndNoMenuSaysUseTheFileWithThePrompt) {
  Harness h("dhcp-range=192.168.42.0,proxy\npxe-prompt=\"pxekit proxyDHCP\",0\ndhcp-boot=pxelinux.0\n");
  auto r = h.one(pxe_client(wd::MessageType::Discover, mac(1), 0).build());
  EXPECT_EQ(r.msg.file_str(), "pxelinux.0");
  EXPECT_EQ(r.msg.siaddr, Ipv4());
  EXPECT_EQ(r.msg.vendor_class(), "PXEClient");
  EXPECT_TRUE(r.msg.client_uuid());
  std::string prompt = "pxekit proxyDHCP";
  Bytes want{6, 1, 8, 10, 17, 0};
  want.insert(want.end(), prompt.begin(), prompt.end());
  want.push_back(0xff);
  EXPECT_EQ(*r.msg.option(wd::opt::kVendorSpecific), want);
}

TEST(PxeEngine, Option67CarriesATrailingNulForBuggyRoms) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\ndhcp-boot=boot/pxelinux.0\n");
  auto d = client(wd::MessageType::Discover, mac(1));
  d.option(wd::opt::kParamRequest, Bytes{1, 66, 67});
  auto r = h.one(d.build());
  auto bf = r.msg.option(wd::opt::kBootfileName);
  ASSERT_TRUE(bf);
  EXPECT_EQ(std::string(bf->begin(), bf->end()), std::string("boot/pxelinux.0\0", 16));
  EXPECT_EQ(r.msg.file[15], 0);
}

TEST(PxeEngine, ProxyAnswersOnlyPxeClientsWithoutAnAddress) {
  Harness h(kProxy);
  EXPECT_TRUE(h.deliver(client(wd::MessageType::Discover, mac(1)).build()).empty());
  auto r = h.one(pxe_client(wd::MessageType::Discover, mac(2), 0).build());
  EXPECT_EQ(r.msg.message_type(), wd::MessageType::Offer);
  EXPECT_TRUE(r.msg.yiaddr.is_zero());
  // A menu sends the client to port 4011 for its file: siaddr 0.0.0.0, as dnsmasq's proxy
  // (proxydhcp-bios.pcap).
  EXPECT_EQ(r.msg.siaddr, Ipv4());
  EXPECT_TRUE(r.msg.file_str().empty());
  EXPECT_TRUE(r.msg.broadcast());
  EXPECT_TRUE(r.to.broadcast);
  EXPECT_FALSE(r.msg.lease_time());
  EXPECT_TRUE(h.logged("PXE(eth0) 52:54:00:42:00:02 proxy"));
  EXPECT_EQ(h.engine.leases().size(), 0u);
}

TEST(PxeEngine, ProxyBiosOfferCarriesTheMenuWithServersAndPrompt) {
  Harness h(kProxy);
  auto p = pxe43(h.one(pxe_client(wd::MessageType::Discover, mac(2), 0).build()).msg);
  EXPECT_EQ(p.discovery_control, wd::kPxeNoBroadcast | wd::kPxeNoMulticast);
  ASSERT_EQ(p.boot_menu.size(), 1u);
  EXPECT_EQ(p.boot_menu[0].description, "PXE Netboot");
  ASSERT_EQ(p.boot_servers.size(), 1u);
  EXPECT_EQ(p.boot_servers[0].type, p.boot_menu[0].type);
  // No SERVER on the pxe-service line: this server is listed, or the client (told not to
  // broadcast) would have nowhere to send its port-4011 request (iPXE: "PXEBS ... No more network devices").
  EXPECT_EQ(p.boot_servers[0].addresses, std::vector<Ipv4>{Ipv4(192, 168, 42, 1)});
  ASSERT_TRUE(p.menu_prompt);
  EXPECT_EQ(p.menu_prompt->timeout, 0);  // one item: boot it without asking
  EXPECT_EQ(p.menu_prompt->prompt, "PXE");
}

TEST(PxeEngine, ConfiguredPromptAndSeveralItemsMakeAMenu) {
  Harness h(std::string(kProxy) + "pxe-service=x86PC,\"Boot from local disk\"\npxe-prompt=\"Press F8\",5\n");
  auto p = pxe43(h.one(pxe_client(wd::MessageType::Discover, mac(2), 0).build()).msg);
  ASSERT_EQ(p.boot_menu.size(), 2u);
  EXPECT_EQ(p.boot_menu[1].type, 0);  // local boot
  EXPECT_EQ(p.boot_servers.size(), 1u);
  EXPECT_EQ(p.menu_prompt->timeout, 5);
  EXPECT_EQ(p.menu_prompt->prompt, "Press F8");
}

TEST(PxeEngine, ProxyWithOnlyAnX86PcServiceDoesNotAnswerUefi) {
  Harness h(kProxy);
  EXPECT_TRUE(h.deliver(pxe_client(wd::MessageType::Discover, mac(3), 7).build()).empty());
}

TEST(PxeEngine, UefiSingleItemGoesStraightIntoFileAndSiaddr) {
  Harness h("pxe-service=x86-64_EFI,\"UEFI boot\",efi/syslinux.efi\ndhcp-range=192.168.42.10,192.168.42.20\n");
  auto r = h.one(pxe_client(wd::MessageType::Discover, mac(3), 7).build());
  EXPECT_EQ(r.msg.file_str(), "efi/syslinux.efi");
  EXPECT_EQ(r.msg.siaddr, Ipv4(192, 168, 42, 1));
  EXPECT_FALSE(r.msg.option(wd::opt::kVendorSpecific));
}

// A proxy with one UEFI service: the offer has no file and no 43 (EDK2 then asks on 4011, BINL
// style), and the 4011 answer carries the file and names the TFTP server in sname, as dnsmasq
// 2.90's proxy does (proxydhcp-uefi.pcap, where OVMF boots so).
TEST(PxeEngine, ProxyUefiSingleItemComesFromTheBootServerWithTheServerNamed) {
  Harness h("pxe-service=x86-64_EFI,\"UEFI boot\",efi/syslinux.efi\ndhcp-range=192.168.42.0,proxy\n");
  auto r = h.one(pxe_client(wd::MessageType::Discover, mac(3), 7).build());
  EXPECT_TRUE(r.msg.file_str().empty());
  EXPECT_EQ(r.msg.siaddr, Ipv4(192, 168, 42, 1));
  EXPECT_FALSE(r.msg.option(wd::opt::kVendorSpecific));
  EXPECT_EQ(r.msg.vendor_class(), "PXEClient");
  auto req = pxe_client(wd::MessageType::Request, mac(3), 7).ciaddr(Ipv4(192, 168, 42, 17));
  h.meta.dst_ip = Ipv4(192, 168, 42, 1);
  auto ack = h.one(req.build(), 4011);
  EXPECT_EQ(ack.msg.file_str(), "efi/syslinux.efi");
  EXPECT_EQ(ack.msg.siaddr, Ipv4(192, 168, 42, 1));
  EXPECT_EQ(ack.msg.sname_str(), "192.168.42.1");
  EXPECT_FALSE(ack.msg.option(wd::opt::kVendorSpecific));
}

TEST(PxeEngine, UefiWithSeveralItemsInProxyModeIsRedirectedTo4011WithoutAMenu) {
  Harness h("pxe-service=x86-64_EFI,\"A\",a\npxe-service=x86-64_EFI,\"B\",b\ndhcp-range=192.168.42.0,proxy\n");
  auto r = h.one(pxe_client(wd::MessageType::Discover, mac(3), 7).build());
  EXPECT_FALSE(r.msg.option(wd::opt::kVendorSpecific));
  EXPECT_EQ(r.msg.siaddr, Ipv4(192, 168, 42, 1));
  EXPECT_EQ(r.msg.vendor_class(), "PXEClient");
  // The BINL-style request on 4011 (no 43.71) gets the first item's file.
  auto req = pxe_client(wd::MessageType::Request, mac(3), 7).ciaddr(Ipv4(192, 168, 42, 77));
  auto ack = h.one(req.build(), 4011);
  EXPECT_EQ(ack.msg.file_str(), "a.0");
  EXPECT_EQ(ack.msg.yiaddr, Ipv4(192, 168, 42, 77));
  EXPECT_EQ(ack.msg.sname_str(), "192.168.42.1");
}

TEST(PxeEngine, BootServerAnswersBootItemRequestsAtTheirSource) {
  Harness h(kProxy);
  auto menu = pxe43(h.one(pxe_client(wd::MessageType::Discover, mac(2), 0).build()).msg);
  wd::PxeOptions item;
  item.boot_item = wd::PxeBootItem{menu.boot_menu[0].type, 0};
  auto req = pxe_client(wd::MessageType::Request, mac(2), 0).ciaddr(Ipv4(192, 168, 42, 60));
  req.option(wd::opt::kVendorSpecific, wd::encode_pxe_options(item));
  h.meta.dst_ip = Ipv4(192, 168, 42, 1);
  h.meta.src_port = 68;
  auto ack = h.one(req.build(), 4011);
  EXPECT_EQ(ack.msg.message_type(), wd::MessageType::Ack);
  EXPECT_EQ(ack.msg.file_str(), "pxe/pxelinux.0");
  EXPECT_EQ(ack.msg.yiaddr, Ipv4(192, 168, 42, 60));
  EXPECT_TRUE(ack.msg.ciaddr.is_zero());
  EXPECT_EQ(ack.msg.siaddr, Ipv4(192, 168, 42, 1));
  EXPECT_EQ(ack.msg.server_id(), Ipv4(192, 168, 42, 1));
  EXPECT_EQ(pxe43(ack.msg).boot_item, item.boot_item);
  EXPECT_FALSE(pxe43(ack.msg).menu_prompt);  // no pxe-prompt line: none to repeat
  EXPECT_TRUE(ack.msg.sname_str().empty());
  EXPECT_EQ(ack.to.ip, Ipv4(192, 168, 42, 60));
  EXPECT_EQ(ack.to.port, 68);
  EXPECT_EQ(ack.from_port, 4011);
  EXPECT_TRUE(h.logged("PXE(eth0) 192.168.42.60 52:54:00:42:00:02 pxe/pxelinux.0"));
}

// dnsmasq 2.90's boot server repeats the configured prompt beside the boot item
// (proxydhcp-bios.pcap: 43 = 71 {0x8000, 0}, 10 {0, "pxekit proxyDHCP"}).
TEST(PxeEngine, BootServerRepeatsTheConfiguredPrompt) {
  Harness h(std::string(kProxy) + "pxe-prompt=\"pxekit proxyDHCP\",0\n");
  wd::PxeOptions item;
  item.boot_item = wd::PxeBootItem{0x8000, 0};
  auto req = pxe_client(wd::MessageType::Request, mac(2), 0).ciaddr(Ipv4(192, 168, 42, 17));
  req.option(wd::opt::kVendorSpecific, wd::encode_pxe_options(item));
  auto ack = h.one(req.build(), 4011);
  std::string prompt = "pxekit proxyDHCP";
  Bytes want{10, 17, 0};
  want.insert(want.end(), prompt.begin(), prompt.end());
  for (std::uint8_t b : {71, 4, 0x80, 0, 0, 0, 0xff}) want.push_back(b);
  EXPECT_EQ(*ack.msg.option(wd::opt::kVendorSpecific), want);
}

TEST(PxeEngine, BootServerRefusesBisRequests) {
  Harness h(kProxy);
  wd::PxeOptions item;
  item.boot_item = wd::PxeBootItem{0x8000, 0x8000};
  auto req = pxe_client(wd::MessageType::Request, mac(2), 0).ciaddr(Ipv4(192, 168, 42, 60));
  req.option(wd::opt::kVendorSpecific, wd::encode_pxe_options(item));
  EXPECT_TRUE(h.deliver(req.build(), 4011).empty());
  EXPECT_EQ(h.last.log.at(0).text, "PXE(eth0) 192.168.42.60 52:54:00:42:00:02 PXE BIS not supported");
}

TEST(PxeEngine, FullServerWithMenuPutsTheMenuInTheOffer) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\npxe-service=x86PC,\"Linux\",pxelinux\n"
            "pxe-service=x86PC,\"Disk\"\n");
  auto r = h.one(pxe_client(wd::MessageType::Discover, mac(4), 0).build());
  EXPECT_EQ(r.msg.yiaddr, Ipv4(192, 168, 42, 10));
  auto p = pxe43(r.msg);
  EXPECT_EQ(p.boot_menu.size(), 2u);
  EXPECT_EQ(p.menu_prompt->timeout, 255);  // several items, no prompt line: wait
}

TEST(PxeEngine, IpxeIsTaggedByUserClassOrOption175ToBreakTheChainloadLoop) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-userclass=set:ipxe,iPXE\n"
            "dhcp-match=set:ipxe,175\n"
            "dhcp-boot=tag:!ipxe,undionly.kpxe\n"
            "dhcp-boot=tag:ipxe,http://192.168.42.1/boot.ipxe\n");
  EXPECT_EQ(h.one(client(wd::MessageType::Discover, mac(1)).build()).msg.file_str(), "undionly.kpxe");
  auto ipxe = client(wd::MessageType::Discover, mac(2));
  ipxe.option_str(wd::opt::kUserClass, "iPXE");
  EXPECT_EQ(h.one(ipxe.build()).msg.file_str(), "http://192.168.42.1/boot.ipxe");
  auto ipxe175 = client(wd::MessageType::Discover, mac(3));
  ipxe175.option(wd::opt::kIpxeEncap, Bytes{0xb1, 1, 1});
  EXPECT_EQ(h.one(ipxe175.build()).msg.file_str(), "http://192.168.42.1/boot.ipxe");
}

TEST(PxeEngine, TagIfCombinesTags) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-match=set:efi,option:client-arch,7\n"
            "dhcp-userclass=set:ipxe,iPXE\n"
            "tag-if=set:efi-rom,tag:efi,tag:!ipxe\n"
            "dhcp-boot=tag:efi-rom,ipxe.efi\n"
            "dhcp-boot=other\n");
  EXPECT_EQ(h.one(pxe_client(wd::MessageType::Discover, mac(1), 7).build()).msg.file_str(), "ipxe.efi");
  auto ipxe = pxe_client(wd::MessageType::Discover, mac(2), 7);
  ipxe.option_str(wd::opt::kUserClass, "iPXE");
  EXPECT_EQ(h.one(ipxe.build()).msg.file_str(), "other");
}

TEST(PxeEngine, TaggedOptionsApplyOnlyToTaggedClients) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-match=set:efi,option:client-arch,7\n"
            "dhcp-option=tag:efi,option:root-path,/efi\n"
            "dhcp-option=option:root-path,/bios\n");
  auto v = [](const wd::Message& m) { auto o = m.option(17); return std::string(o->begin(), o->end()); };
  EXPECT_EQ(v(h.one(pxe_client(wd::MessageType::Discover, mac(1), 7).build()).msg), "/efi");
  EXPECT_EQ(v(h.one(pxe_client(wd::MessageType::Discover, mac(2), 0).build()).msg), "/bios");
}

}  // namespace
}  // namespace pxe::proto::dhcp::test
