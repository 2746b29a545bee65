#include "print/dhcp/dhcp_print.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "wire/dhcp/dhcp_samples.h"

namespace pxe::print {
namespace {

using namespace pxe::test::dhcp;

std::string text(const Bytes& b) {
  std::string s;
  dhcp_text(b, s);
  return s;
}

nlohmann::json json(ByteSpan b) {
  std::string s;
  JsonWriter w(s);
  dhcp_json(b, w);
  return nlohmann::json::parse(s);
}

TEST(DhcpText, IntelDiscoverAsTcpdump499PrintsIt) {
  const std::string expected =
      "BOOTP/DHCP, Request from 20:6a:8a:0f:74:75, length 548, xid 0x8b0f7475, secs 4, Flags [Broadcast] (0x8000)\n"
      "\t  Client-Ethernet-Address 20:6a:8a:0f:74:75\n"
      "\t  Vendor-rfc1048 Extensions\n"
      "\t    Magic Cookie 0x63825363\n"
      "\t    DHCP-Message (53), length 1: Discover\n"
      "\t    Parameter-Request (55), length 36: \n"
      "\t      Subnet-Mask (1), Time-Zone (2), Default-Gateway (3), Time-Server (4)\n"
      "\t      IEN-Name-Server (5), Domain-Name-Server (6), RL (11), Hostname (12)\n"
      "\t      BS (13), Domain-Name (15), SS (16), RP (17)\n"
      "\t      EP (18), RSZ (22), TTL (23), BR (28)\n"
      "\t      YD (40), YS (41), NTP (42), Vendor-Option (43)\n"
      "\t      Requested-IP (50), Lease-Time (51), Server-ID (54), RN (58)\n"
      "\t      RB (59), Vendor-Class (60), TFTP (66), BF (67)\n"
      "\t      Unknown (128), Unknown (129), Unknown (130), Unknown (131)\n"
      "\t      Unknown (132), Unknown (133), Unknown (134), Unknown (135)\n"
      "\t    MSZ (57), length 2: 1260\n"
      "\t    GUID (97), length 17: 0.214.110.241.0.166.215.17.223.159.26.249.56.166.111.192.84\n"
      "\t    ARCH (93), length 2: 0 (x86 BIOS)\n"
      "\t    NDI (94), length 3: 1.2.1\n"
      "\t    Vendor-Class (60), length 32: \"PXEClient:Arch:00000:UNDI:002001\"";
  EXPECT_EQ(text(intel_discover()), expected);
}

TEST(DhcpText, OfferShowsBootfileWithNulAsTcpdump) {
  std::string t = text(dnsmasq_offer());
  EXPECT_NE(t.find("\n\t    BF (67), length 16: \"boot/pxelinux.0^@\""), std::string::npos) << t;
  EXPECT_NE(t.find("\n\t  Your-IP 192.168.42.17\n\t  Server-IP 192.168.42.1"), std::string::npos);
}

TEST(DhcpText, ProxyOfferDecodesPxeSubOptions) {
  std::string t = text(proxy_offer_menu());
  EXPECT_NE(t.find("\n\t    Vendor-Option (43), length 74: PXE"
                   "\n\t      Discovery-Control SubOption 6, length 1: 0x03 [no-broadcast, no-multicast]"
                   "\n\t      Boot-Servers SubOption 8, length 7: type 32768 192.168.42.1"
                   "\n\t      Boot-Menu SubOption 9, length 39: type 0 \"Boot from local disk\", type 32768 \"Install Linux\""
                   "\n\t      Menu-Prompt SubOption 10, length 18: timeout 10 \"Press F8 for menu\""
                   "\n\t      End SubOption 255"),
            std::string::npos)
      << t;
}

TEST(DhcpText, Option43WithoutPxeClientStaysBytes) {
  std::string t = text(dw::Builder().option(43, Bytes{6, 1, 8, 255}).encode());
  EXPECT_NE(t.find("Vendor-Option (43), length 4: 6.1.8.255"), std::string::npos) << t;
}

// A PXE menu longer than 255 bytes goes out as two instances of option 43 (RFC 3396).
Bytes split_menu_offer() {
  dw::PxeOptions p;
  p.discovery_control = 3;
  p.menu_prompt = dw::PxeMenuPrompt{20, "Press F8 for the boot menu now"};
  for (int i = 0; i < 8; ++i) p.boot_menu.push_back({std::uint16_t(0x8000 + i), "Menu entry number " + std::to_string(i) + " ....."});
  Bytes v = dw::encode_pxe_options(p);
  EXPECT_GT(v.size(), 255u);
  return dw::Builder().option_str(60, "PXEClient").option(43, v).encode();
}

TEST(DhcpText, SplitPxeOptionIsDecodedJoined) {
  std::string t = text(split_menu_offer());
  EXPECT_NE(t.find("Vendor-Option (43), length 255: PXE, 2 instances joined\n\t      Discovery-Control SubOption 6"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("type 32775 \"Menu entry number 7 .....\""), std::string::npos) << t;
  EXPECT_NE(t.find("PXE, continued"), std::string::npos);
  EXPECT_EQ(t.find("goes past end"), std::string::npos);
}

TEST(DhcpJson, SplitPxeOptionIsDecodedJoined) {
  auto j = json(split_menu_offer());
  std::vector<nlohmann::json> vals;
  for (auto& o : j["options"])
    if (o["code"] == 43) vals.push_back(o["value"]);
  ASSERT_EQ(vals.size(), 2u);
  EXPECT_EQ(vals[0]["boot_menu"].size(), 8u);
  EXPECT_EQ(vals[0]["menu_prompt"]["timeout"], 20);
  EXPECT_EQ(vals[1], "continued");
}

TEST(DhcpText, BootItemFromPort4011Request) {
  std::string t = text(boot_server_request());
  EXPECT_NE(t.find("\n\t      Boot-Item SubOption 71, length 4: type 32768, layer 0"), std::string::npos) << t;
}

TEST(DhcpText, IpxeRawUserClassArchNameAndEncapsulatedOptions) {
  std::string t = text(ipxe_discover());
  EXPECT_NE(t.find("\n\t    User-Class (77), length 4: \"iPXE\""), std::string::npos) << t;
  EXPECT_NE(t.find("\n\t    ARCH (93), length 2: 7 (x64 UEFI)"), std::string::npos);
  EXPECT_NE(t.find("\n\t    iPXE-Encap (175), length 27: \n\t      http SubOption 19, length 1: version 1"),
            std::string::npos);
  EXPECT_NE(t.find("\n\t      version SubOption 235, length 3: 1.21.1"), std::string::npos);
  EXPECT_NE(t.find("\n\t      priority SubOption 1, length 1: -1"), std::string::npos);
}

TEST(DhcpText, PxelinuxOptions) {
  std::string t = text(pxelinux_ack());
  EXPECT_NE(t.find("\n\t    PXELINUX-Magic (208), length 4: f1:00:74:7e"
                   "\n\t    PXELINUX-Config (209), length 20: \"pxelinux.cfg/default\""
                   "\n\t    PXELINUX-Prefix (210), length 10: \"/tftpboot/\""
                   "\n\t    PXELINUX-Reboot (211), length 4: 600"),
            std::string::npos)
      << t;
}

TEST(DhcpText, OverloadedAreasArePrintedAfterTheOptions) {
  std::string t = text(overloaded_ack());
  EXPECT_NE(t.find("\n\t  Options in file field (overload)\n\t    BF (67), length 16: \"boot/pxelinux.0^@\""),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("\n\t  Options in sname field (overload)\n\t    TFTP (66), length 12: \"192.168.42.1\""),
            std::string::npos);
}

TEST(DhcpText, BootpWithoutCookie) {
  std::string t = text(bootp_no_cookie());
  EXPECT_EQ(t,
            "BOOTP/DHCP, Request, length 300, htype 6, hlen 8, Flags [none] (0x0000)\n"
            "\t  sname \"srv^AM-^@name\"\n"
            "\t  file \"/boot/vmlinuz\"\n"
            "\t  Vendor-#0x7");
}

TEST(DhcpText, EveryTruncationPrintsAMarkOrCompletes) {
  for (const auto& [name, full] : all_samples()) {
    for (std::size_t n = 0; n <= full.size(); ++n) {
      std::string t;
      dhcp_text(ByteSpan(full.data(), n), t);
      if (n < 240) {
        EXPECT_TRUE(t.ends_with(" [|bootp]") || (name == "bootp_no_cookie" && n == 240)) << name << " at " << n;
      }
      if (n > 0) {
        EXPECT_TRUE(t.starts_with("BOOTP/DHCP, ")) << name << " at " << n;
      }
    }
  }
}

TEST(DhcpText, TruncatedOptionEndsWithMark) {
  Bytes b = intel_discover();
  b.resize(250);
  EXPECT_TRUE(text(b).ends_with("Parameter-Request (55), length 36:  [|bootp]"));
}

TEST(DhcpJson, FieldsAndTypedValues) {
  auto j = json(intel_discover());
  EXPECT_EQ(j["op"], 1);
  EXPECT_EQ(j["xid"], 0x8b0f7475u);
  EXPECT_EQ(j["flags"], 0x8000);
  EXPECT_EQ(j["chaddr"], "20:6a:8a:0f:74:75");
  EXPECT_EQ(j["message_type"], "Discover");
  EXPECT_EQ(j["truncated"], false);
  auto& opts = j["options"];
  ASSERT_EQ(opts.size(), 7u);
  EXPECT_EQ(opts[0]["name"], "DHCP-Message");
  EXPECT_EQ(opts[2]["value"], 1260);
  EXPECT_EQ(opts[4]["value"][0]["name"], "x86 BIOS");
  EXPECT_EQ(opts[5]["value"]["major"], 2);
  EXPECT_EQ(opts[6]["value"], "PXEClient:Arch:00000:UNDI:002001");
  EXPECT_EQ(opts[6]["raw"], "505845436c69656e743a417263683a30303030303a554e44493a303032303031");
}

TEST(DhcpJson, PxeMenuDecoded) {
  auto j = json(proxy_offer_menu());
  nlohmann::json v;
  for (auto& o : j["options"])
    if (o["code"] == 43) v = o["value"];
  EXPECT_EQ(v["discovery_control"], 3);
  EXPECT_EQ(v["boot_servers"][0]["addresses"][0], "192.168.42.1");
  EXPECT_EQ(v["boot_menu"][1]["description"], "Install Linux");
  EXPECT_EQ(v["menu_prompt"]["timeout"], 10);
}

TEST(DhcpJson, OverloadAreasAreTagged) {
  auto j = json(overloaded_ack());
  bool saw_file = false, saw_sname = false;
  for (auto& o : j["options"]) {
    if (o.contains("area") && o["area"] == "file" && o["code"] == 67) saw_file = true;
    if (o.contains("area") && o["area"] == "sname" && o["code"] == 66) saw_sname = true;
  }
  EXPECT_TRUE(saw_file);
  EXPECT_TRUE(saw_sname);
}

TEST(DhcpJson, EveryTruncationIsValidJson) {
  for (const auto& [name, full] : all_samples()) {
    for (std::size_t n = 0; n <= full.size(); ++n) {
      nlohmann::json j;
      ASSERT_NO_THROW(j = json(ByteSpan(full.data(), n))) << name << " at " << n;
      if (n < 236) {
        EXPECT_EQ(j["truncated"], true);
        EXPECT_TRUE(j.contains("error"));
      }
    }
  }
}

}  // namespace
}  // namespace pxe::print
