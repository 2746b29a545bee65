#include "wire/dhcp/dhcp.h"

#include <gtest/gtest.h>

#include "wire/dhcp/dhcp_samples.h"

namespace pxe::wire::dhcp {
namespace {

using namespace pxe::test::dhcp;

TEST(DhcpParse, IntelDiscoverFields) {
  Bytes b = intel_discover();
  ASSERT_EQ(b.size(), 548u);
  ASSERT_TRUE(has_magic_cookie(b));
  auto m = parse(b);
  ASSERT_TRUE(m.ok()) << m.error().what;
  EXPECT_EQ(m->op, 1);
  EXPECT_EQ(m->htype, 1);
  EXPECT_EQ(m->hlen, 6);
  EXPECT_EQ(m->xid, 0x8b0f7475u);
  EXPECT_EQ(m->secs, 4);
  EXPECT_TRUE(m->broadcast());
  EXPECT_EQ(m->client_mac(), kClientMac);
  EXPECT_EQ(m->message_type(), MessageType::Discover);
  EXPECT_EQ(m->max_message_size(), 1260);
  EXPECT_EQ(m->parameter_request_list()->size(), 36u);
  EXPECT_EQ(m->vendor_class(), "PXEClient:Arch:00000:UNDI:002001");
  EXPECT_TRUE(m->is_pxe());
  EXPECT_EQ(m->client_arch(), std::vector<std::uint16_t>{0});
  EXPECT_EQ(client_arch_name(0), "x86 BIOS");
  EXPECT_EQ(m->client_ndi(), (ClientNdi{1, 2, 1}));
  ASSERT_TRUE(m->client_uuid());
  EXPECT_EQ(m->client_uuid()->type, 0);
  EXPECT_EQ(m->client_uuid()->guid[0], 0xd6);
  EXPECT_FALSE(m->pxe_options());  // no option 43 in a DISCOVER
  EXPECT_FALSE(m->bootfile());
  EXPECT_EQ(m->trailing.size(), 548u - encode(*m).size() + m->trailing.size());
}

TEST(DhcpParse, RoundTripIsByteExactForEverySample) {
  for (const auto& [name, b] : all_samples()) {
    auto m = parse(b);
    ASSERT_TRUE(m.ok()) << name << ": " << m.error().what;
    EXPECT_EQ(encode(*m), b) << name;
  }
}

TEST(DhcpParse, EdgeCasesRoundTrip) {
  for (const auto& [name, b] : edge_cases()) {
    auto m = parse(b);
    ASSERT_TRUE(m.ok()) << name << ": " << m.error().what;
    EXPECT_EQ(encode(*m), b) << name;
  }
}

TEST(DhcpParse, OfferBootfileFromOption67KeepsTheNul) {
  auto m = parse(dnsmasq_offer());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->message_type(), MessageType::Offer);
  EXPECT_EQ(m->yiaddr, Ipv4(192, 168, 42, 17));
  EXPECT_EQ(m->server_id(), Ipv4(192, 168, 42, 1));
  EXPECT_EQ(m->lease_time(), 43200u);
  EXPECT_EQ(m->bootfile(), std::string("boot/pxelinux.0") + '\0');
  EXPECT_EQ(m->tftp_server_name(), "192.168.42.1");
}

TEST(DhcpParse, BootfileFallsBackToFileField) {
  auto m = parse(pxelinux_ack());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->bootfile(), "boot/pxelinux.0");
  EXPECT_EQ(m->tftp_server_name(), "boot-server");
  EXPECT_TRUE(m->pxelinux_magic());
  EXPECT_EQ(m->pxelinux_config_file(), "pxelinux.cfg/default");
  EXPECT_EQ(m->pxelinux_path_prefix(), "/tftpboot/");
  EXPECT_EQ(m->pxelinux_reboot_time(), 600u);
}

TEST(DhcpParse, ProxyOfferDecodesPxeMenu) {
  auto m = parse(proxy_offer_menu());
  ASSERT_TRUE(m.ok());
  auto p = m->pxe_options();
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, sample_menu());
  EXPECT_EQ(p->boot_menu[1].description, "Install Linux");
  EXPECT_EQ(p->menu_prompt->timeout, 10);
}

TEST(DhcpParse, BootItemFromPort4011Request) {
  auto m = parse(boot_server_request());
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->pxe_options());
  EXPECT_EQ(m->pxe_options()->boot_item, (PxeBootItem{0x8000, 0}));
  EXPECT_EQ(m->ciaddr, Ipv4(192, 168, 42, 17));
}

TEST(DhcpParse, Option43IsNotPxeWithoutPxeClientVendorClass) {
  auto m = parse(dw::Builder().option(43, Bytes{6, 1, 8, 255}).encode());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->option(43));
  EXPECT_FALSE(m->pxe_options());
}

TEST(DhcpParse, RelayAgentSubOptions) {
  auto m = parse(relayed_discover());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->hops, 1);
  EXPECT_EQ(m->giaddr, Ipv4(10, 0, 0, 1));
  auto ri = m->relay_agent_info();
  ASSERT_TRUE(ri);
  ASSERT_EQ(ri->size(), 3u);
  EXPECT_EQ((*ri)[0].code, 1);
  EXPECT_EQ((*ri)[0].data, str_bytes("eth0/1/3:vlan42"));
  EXPECT_EQ((*ri)[1].data, str_bytes("switch-7"));
  EXPECT_EQ((*ri)[2].code, 9);
}

TEST(DhcpParse, IpxeRawUserClassAndEncapsulatedOptions) {
  auto m = parse(ipxe_discover());
  ASSERT_TRUE(m.ok());
  auto uc = m->user_class();
  ASSERT_TRUE(uc);
  EXPECT_TRUE(uc->raw);
  EXPECT_EQ(uc->classes, std::vector<std::string>{"iPXE"});
  EXPECT_EQ(m->client_arch(), std::vector<std::uint16_t>{7});
  EXPECT_EQ(client_arch_name(7), "x64 UEFI");
  EXPECT_EQ(client_arch_name(9), "EBC");
  auto ipxe = m->ipxe_options();
  ASSERT_TRUE(ipxe);
  EXPECT_EQ(ipxe->front().code, 0x13);
  EXPECT_EQ(ipxe_suboption_name(0x13), "http");
}

TEST(DhcpParse, Rfc3004UserClassList) {
  auto uc = decode_user_class(Bytes{4, 'i', 'P', 'X', 'E', 3, 'f', 'o', 'o'});
  ASSERT_TRUE(uc);
  EXPECT_FALSE(uc->raw);
  EXPECT_EQ(uc->classes, (std::vector<std::string>{"iPXE", "foo"}));
  EXPECT_FALSE(is_rfc3004_user_class(str_bytes("iPXE")));
}

TEST(DhcpParse, OverloadConcatenatesOptionsFileSname) {
  auto m = parse(overloaded_ack());
  ASSERT_TRUE(m.ok()) << m.error().what;
  EXPECT_EQ(m->overload(), 3);
  EXPECT_EQ(m->option(43), (Bytes{6, 1, 8, 255}));  // RFC 3396: options field first, then file
  EXPECT_EQ(m->bootfile(), std::string("boot/pxelinux.0") + '\0');
  EXPECT_EQ(m->tftp_server_name(), "192.168.42.1");
  auto p = m->pxe_options();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->discovery_control, 8);
  auto logical = m->logical_options();
  std::vector<std::uint8_t> codes;
  for (const auto& o : logical) codes.push_back(o.code);
  EXPECT_EQ(codes, (std::vector<std::uint8_t>{53, 52, 54, 60, 43, 67, 66}));
}

TEST(DhcpParse, RepeatedOptionInstancesConcatenate) {
  Bytes big(300);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = std::uint8_t(i);
  Bytes b = Builder().option(43, big).option_str(60, "PXEClient").encode();
  auto m = parse(b);
  ASSERT_TRUE(m.ok());
  // Split into 255 + 45 on the wire, joined again in the logical view.
  ASSERT_GE(m->options.size(), 3u);
  EXPECT_EQ(m->options[0].data.size(), 255u);
  EXPECT_EQ(m->options[1].data.size(), 45u);
  EXPECT_EQ(m->option(43), big);
  EXPECT_EQ(encode(*m), b);
}

TEST(DhcpParse, NoCookieKeepsVendArea) {
  Bytes b = bootp_no_cookie();
  EXPECT_FALSE(has_magic_cookie(b));
  auto m = parse(b);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_cookie);
  EXPECT_EQ(m->trailing.size(), 64u);
  EXPECT_EQ(m->sname_str(), "srv\x01\x80name");
  EXPECT_EQ(m->file_str(), "/boot/vmlinuz");
  EXPECT_FALSE(m->message_type());
}

TEST(DhcpParse, ShortHeaderIsAnErrorWithOffset) {
  Bytes b = intel_discover();
  b.resize(100);
  auto m = parse(b);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().offset, 100u);
  EXPECT_NE(m.error().what.find("expected 236 bytes, found 100"), std::string::npos);
}

TEST(DhcpParse, OptionRunningPastTheEndIsAnError) {
  Bytes b = intel_discover();
  b.resize(kOptionsOffset + 3 + 10);  // 53 complete, 55 says 36 but has 8
  auto m = parse(b);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().what.find("option 55: length 36 goes past end of packet"), std::string::npos);
  EXPECT_EQ(m.error().offset, b.size());
  auto pm = parse_lenient(b);
  EXPECT_TRUE(pm.header_complete);
  ASSERT_TRUE(pm.error);
  EXPECT_EQ(pm.message.message_type(), MessageType::Discover);
}

TEST(DhcpParse, MissingLengthByteIsAnError) {
  Bytes b = intel_discover();
  b.resize(kOptionsOffset + 1);
  auto m = parse(b);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().offset, kOptionsOffset + 1);
}

TEST(DhcpParse, BadOverloadAreaIsAnErrorInStrictMode) {
  Bytes b = overloaded_ack();
  b[kSnameOffset + 1] = 200;  // option 66 now claims 200 bytes inside a 64-byte field
  auto m = parse(b);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().offset, kSnameOffset);
  EXPECT_FALSE(parse_lenient(b).error);
}

TEST(DhcpParse, EveryTruncationOfEverySampleIsHandled) {
  for (const auto& [name, full] : all_samples()) {
    auto whole = parse(full);
    ASSERT_TRUE(whole.ok()) << name;
    for (std::size_t n = 0; n < full.size(); ++n) {
      ByteSpan cut(full.data(), n);
      auto m = parse(cut);
      auto pm = parse_lenient(cut);
      if (n < kFixedSize) {
        EXPECT_FALSE(m.ok()) << name << " at " << n;
        EXPECT_FALSE(pm.header_complete);
      }
      if (!m.ok()) {
        EXPECT_LE(m.error().offset, n) << name << " at " << n;
      } else {
        // What parses must re-encode to exactly the bytes given.
        EXPECT_EQ(encode(*m), Bytes(cut.begin(), cut.end())) << name << " at " << n;
      }
    }
  }
}

TEST(DhcpBuilder, ReplyCopiesRequestFieldsAndPads) {
  auto req = parse(intel_discover());
  ASSERT_TRUE(req.ok());
  Bytes b = Builder::reply_to(*req)
                .yiaddr(Ipv4(192, 168, 42, 17))
                .message_type(MessageType::Offer)
                .option_ip(opt::kServerId, Ipv4(192, 168, 42, 1))
                .pad_to(kBootpMinSize)
                .encode();
  EXPECT_EQ(b.size(), kBootpMinSize);
  auto m = parse(b);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->op, 2);
  EXPECT_EQ(m->xid, req->xid);
  EXPECT_EQ(m->flags, req->flags);
  EXPECT_EQ(m->chaddr, req->chaddr);
  EXPECT_EQ(m->message_type(), MessageType::Offer);
  EXPECT_EQ(m->options.back().code, opt::kEnd);
}

TEST(DhcpBuilder, RemoveDropsAllInstances) {
  Builder bld;
  bld.option_u8(53, 1).option_u8(12, 1).option_u8(12, 2).remove(12);
  auto m = parse(bld.encode());
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->option(12));
}

TEST(PxeOptions, EncodeDecodeRoundTrip) {
  PxeOptions p = sample_menu();
  p.mtftp_ip = Ipv4(224, 1, 1, 0);
  p.mtftp_client_port = 1758;
  p.mtftp_server_port = 1759;
  p.mtftp_timeout = 1;
  p.mtftp_delay = 2;
  p.discovery_mcast_addr = Ipv4(224, 0, 1, 2);
  p.boot_item = PxeBootItem{0x8000, 0x8001};
  p.other.push_back({12, {1, 2, 3}});
  auto back = decode_pxe_options(encode_pxe_options(p));
  ASSERT_TRUE(back.ok()) << back.error().what;
  EXPECT_EQ(*back, p);
}

TEST(PxeOptions, MalformedBootServersIsAnError) {
  auto r = decode_pxe_options(Bytes{8, 4, 0x80, 0x00, 2, 192, 255});
  ASSERT_FALSE(r.ok());
  auto r2 = decode_pxe_options(Bytes{9, 10, 0});
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().what.find("goes past end"), std::string::npos);
}

TEST(OptionRegistry, NamesFollowTcpdump) {
  EXPECT_EQ(option_info(53).short_name, "DHCP-Message");
  EXPECT_EQ(option_info(55).short_name, "Parameter-Request");
  EXPECT_EQ(option_info(67).short_name, "BF");
  EXPECT_EQ(option_info(67).long_name, "Bootfile-Name");
  EXPECT_EQ(option_info(93).short_name, "ARCH");
  EXPECT_EQ(option_info(175).short_name, "");
  EXPECT_EQ(option_info(175).pxe_name, "iPXE-Encap");
  EXPECT_EQ(option_info(200).kind, ValueKind::Unknown);
  EXPECT_EQ(message_type_name(5), "ACK");
  EXPECT_EQ(message_type_name(6), "NACK");
  EXPECT_EQ(message_type_name(9), "");
  EXPECT_EQ(client_arch_name(0x10), "x64 UEFI HTTP");
  EXPECT_EQ(client_arch_name(0x0b), "ARM 64-bit UEFI");
  EXPECT_EQ(client_arch_name(0x1b), "RISC-V 64-bit UEFI");
  EXPECT_EQ(client_arch_name(0x29), "");
}

TEST(TlvCursor, StopsOnTruncationWithoutReadingPastTheEnd) {
  Bytes b = {0, 1, 1, 9, 255, 3, 5, 1};
  TlvCursor c(b);
  Tlv t;
  EXPECT_EQ(c.next(t), TlvStep::Pad);
  EXPECT_EQ(c.next(t), TlvStep::Item);
  EXPECT_EQ(t.code, 1);
  EXPECT_EQ(t.data.size(), 1u);
  EXPECT_EQ(c.next(t), TlvStep::End);
  EXPECT_EQ(c.next(t), TlvStep::Truncated);
  EXPECT_EQ(t.code, 3);
  EXPECT_EQ(t.length, 5u);
  EXPECT_EQ(t.data.size(), 1u);
  EXPECT_EQ(c.next(t), TlvStep::Done);
}

}  // namespace
}  // namespace pxe::wire::dhcp
