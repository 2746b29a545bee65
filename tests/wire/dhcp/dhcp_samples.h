// DHCP payloads used by the wire, print and fuzz-seed tests. Each one mirrors a packet seen from
// real firmware or servers (noted per sample); built with the codec's Builder or by hand.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "wire/dhcp/dhcp.h"

namespace pxe::test::dhcp {

namespace dw = pxe::wire::dhcp;

inline Bytes hexbytes(std::string_view h) {
  Bytes b;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) b.push_back(std::uint8_t(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return b;
}

inline Bytes str_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

inline const Mac kClientMac = *Mac::parse("20:6a:8a:0f:74:75");

// Intel BIOS PXE ROM DHCPDISCOVER (seed 000, tcpdump trace in the blog): 548 bytes, broadcast,
// PRL of 36, MSZ 1260, GUID, ARCH 0, NDI 1.2.1, PXEClient:Arch:00000:UNDI:002001.
inline Bytes intel_discover() {
  const Bytes prl = {1,  2,  3,  4,  5,  6,  11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41,
                     42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135};
  return dw::Builder(dw::Op::Request)
      .xid(0x8b0f7475).secs(4).broadcast().client_mac(kClientMac)
      .message_type(dw::MessageType::Discover)
      .option(55, prl)
      .option_u16(57, 1260)
      .option(97, hexbytes("00d66ef100a6d711df9f1af938a66fc054"))
      .option_u16(93, 0)
      .option(94, Bytes{1, 2, 1})
      .option_str(60, "PXEClient:Arch:00000:UNDI:002001")
      .pad_to(548)
      .encode();
}

// dnsmasq OFFER to the ROM: boot file as option 67 with a NUL (dnsmasq NUL-terminates on purpose).
inline Bytes dnsmasq_offer() {
  return dw::Builder(dw::Op::Reply)
      .xid(0x9c0f7475).secs(38).broadcast().client_mac(kClientMac)
      .yiaddr(Ipv4(192, 168, 42, 17)).siaddr(Ipv4(192, 168, 42, 1))
      .message_type(dw::MessageType::Offer)
      .option_ip(54, Ipv4(192, 168, 42, 1))
      .option_u32(51, 43200).option_u32(58, 21600).option_u32(59, 37800)
      .option_ip(1, Ipv4(255, 255, 255, 0))
      .option_ip(28, Ipv4(192, 168, 42, 255))
      .option_ips(6, {Ipv4(8, 8, 8, 8), Ipv4(8, 8, 4, 4)})
      .option_ip(3, Ipv4(192, 168, 42, 1))
      .option(67, str_bytes(std::string("boot/pxelinux.0") + '\0'))
      .option_str(66, "192.168.42.1")
      .option(97, hexbytes("00d66ef100a6d711df9f1af938a66fc054"))
      .option_str(60, "PXEClient")
      .pad_to(300)
      .encode();
}

// ACK with the file/sname fields filled (BOOTP style) and PXELINUX options 208-211.
inline Bytes pxelinux_ack() {
  return dw::Builder(dw::Op::Reply)
      .xid(0x900f7475).client_mac(kClientMac)
      .yiaddr(Ipv4(192, 168, 42, 17)).siaddr(Ipv4(192, 168, 42, 1))
      .sname("boot-server").file("boot/pxelinux.0")
      .message_type(dw::MessageType::Ack)
      .option_ip(54, Ipv4(192, 168, 42, 1))
      .option_u32(51, 43200)
      .option(208, Bytes{0xf1, 0x00, 0x74, 0x7e})
      .option_str(209, "pxelinux.cfg/default")
      .option_str(210, "/tftpboot/")
      .option_u32(211, 600)
      .pad_to(300)
      .encode();
}

inline dw::PxeOptions sample_menu() {
  dw::PxeOptions p;
  p.discovery_control = 3;
  p.boot_servers.push_back({0x8000, {Ipv4(192, 168, 42, 1)}});
  p.boot_menu.push_back({0, "Boot from local disk"});
  p.boot_menu.push_back({0x8000, "Install Linux"});
  p.menu_prompt = dw::PxeMenuPrompt{10, "Press F8 for menu"};
  return p;
}

// dnsmasq proxyDHCP offer with a PXE menu in option 43 (yiaddr 0, 60 = PXEClient).
inline Bytes proxy_offer_menu() {
  return dw::Builder(dw::Op::Reply)
      .xid(0x8f0f7475).broadcast().client_mac(kClientMac).siaddr(Ipv4(192, 168, 42, 1))
      .message_type(dw::MessageType::Offer)
      .option_ip(54, Ipv4(192, 168, 42, 1))
      .option_str(60, "PXEClient")
      .option(97, hexbytes("00d66ef100a6d711df9f1af938a66fc054"))
      .option(43, dw::encode_pxe_options(sample_menu()))
      .pad_to(300)
      .encode();
}

// Port-4011 boot server REQUEST carrying 43.71 (boot item 0x8000 layer 0).
inline Bytes boot_server_request() {
  dw::PxeOptions p;
  p.boot_item = dw::PxeBootItem{0x8000, 0};
  return dw::Builder(dw::Op::Request)
      .xid(0x910f7475).client_mac(kClientMac).ciaddr(Ipv4(192, 168, 42, 17))
      .message_type(dw::MessageType::Request)
      .option_u16(57, 1260)
      .option_str(60, "PXEClient:Arch:00000:UNDI:002001")
      .option_u16(93, 0)
      .option(94, Bytes{1, 2, 1})
      .option(43, dw::encode_pxe_options(p))
      .encode();
}

// Relayed DISCOVER: giaddr, hops and option 82 (circuit, remote and an unknown sub-option).
inline Bytes relayed_discover() {
  Bytes ri;
  auto sub = [&](std::uint8_t c, const Bytes& d) {
    ri.push_back(c);
    ri.push_back(std::uint8_t(d.size()));
    ri.insert(ri.end(), d.begin(), d.end());
  };
  sub(1, str_bytes("eth0/1/3:vlan42"));
  sub(2, str_bytes("switch-7"));
  sub(9, hexbytes("0000000d0401020304050607080910111213"));
  return dw::Builder(dw::Op::Request)
      .xid(0x12345678).hops(1).client_mac(kClientMac).giaddr(Ipv4(10, 0, 0, 1))
      .message_type(dw::MessageType::Discover)
      .option(61, hexbytes("01206a8a0f7475"))
      .option_str(12, "winpe-client")
      .option(82, ri)
      .encode();
}

// iPXE DISCOVER: raw "iPXE" user class (not RFC 3004 framed), 175 feature list, EFI x64.
inline Bytes ipxe_discover() {
  Bytes feat = {0x13, 1, 1, 0x14, 1, 1, 0x15, 1, 1, 0x17, 1, 1, 0x24, 1, 1, 0x27, 1, 1,
                0xeb, 3, 1, 21, 1, 0x01, 1, 0xff, 0xff};
  const Bytes prl = {1, 3, 6, 7, 12, 15, 17, 26, 42, 43, 60, 66, 67, 119, 121, 128, 129, 130,
                     131, 132, 133, 134, 135, 175, 203};
  return dw::Builder(dw::Op::Request)
      .xid(0x2d1a9f30).broadcast().client_mac(*Mac::parse("52:54:00:12:34:56"))
      .message_type(dw::MessageType::Discover)
      .option_u16(57, 1472)
      .option_u16(93, 7)
      .option(94, Bytes{1, 3, 10})
      .option_str(60, "PXEClient:Arch:00007:UNDI:003010")
      .option_str(77, "iPXE")
      .option(55, prl)
      .option(175, feat)
      .option(61, hexbytes("01525400123456"))
      .encode();
}

// Option 52 = 3: options continue in file, then sname; option 43 split over areas (RFC 3396).
inline Bytes overloaded_ack() {
  dw::Message m;
  m.op = 2;
  m.xid = 0xabcdef01;
  m.set_client_mac(kClientMac);
  m.yiaddr = Ipv4(192, 168, 42, 18);
  m.options = {{53, {5}}, {52, {3}}, {54, {192, 168, 42, 1}}, {60, str_bytes("PXEClient")},
               {43, {6, 1, 8}}, {255, {}}};
  // file: the boot file name as option 67, and the rest of 43; sname: option 66.
  Bytes file = {67, 16};
  for (char c : std::string("boot/pxelinux.0")) file.push_back(std::uint8_t(c));
  file.push_back(0);
  for (std::uint8_t b : {43, 1, 255}) file.push_back(b);
  file.push_back(255);
  std::copy(file.begin(), file.end(), m.file.begin());
  Bytes sname = {66, 12};
  for (char c : std::string("192.168.42.1")) sname.push_back(std::uint8_t(c));
  sname.push_back(255);
  std::copy(sname.begin(), sname.end(), m.sname.begin());
  return dw::encode(m);
}

// Many option shapes in one packet: tcpdump-decoded kinds, specials and unknown codes.
inline Bytes assorted_options() {
  return dw::Builder(dw::Op::Reply)
      .xid(1).client_mac(kClientMac).yiaddr(Ipv4(10, 1, 2, 3))
      .message_type(dw::MessageType::Ack)
      .option_u32(2, std::uint32_t(-3600))
      .option_u16(13, 1234)
      .option_str(15, "example.org")
      .option(19, Bytes{0, 1, 7})
      .option(21, Bytes{10, 0, 0, 0, 255, 0, 0, 0})
      .option_u16(26, 1500)
      .option(46, Bytes{8})
      .option(52, Bytes{9})
      .option(61, str_bytes(std::string("\0client-one", 11)))
      .option(81, Bytes{0x05, 0, 0, 'h', 'o', 's', 't'})
      .option(121, Bytes{24, 192, 168, 5, 10, 0, 0, 1, 0, 10, 0, 0, 254})
      .option(77, Bytes{4, 'i', 'P', 'X', 'E', 3, 'f', 'o', 'o'})
      .option(250, Bytes{1, 2, 3})
      .option(251, Bytes{1, 2})
      .option(252, Bytes{1, 2, 3, 4, 5, 6, 7, 8})
      .option(1, Bytes{255, 255, 255, 0, 9})  // trailing byte
      .option(53, Bytes{14})
      .option(93, Bytes{0, 7, 0, 9, 0, 0x30})
      .option(94, Bytes{1, 2})
      .option_str(56, std::string("bad\x01\x7f\xc8!", 7))
      .encode();
}

// Plain BOOTP: no cookie, non-Ethernet hardware, sname/file with odd bytes.
inline Bytes bootp_no_cookie() {
  dw::Message m;
  m.op = 1;
  m.htype = 6;
  m.hlen = 8;
  m.xid = 0;
  m.chaddr = {1, 2, 3, 4, 5, 6, 7, 8};
  std::string s = "srv\x01\x80name";
  std::copy(s.begin(), s.end(), m.sname.begin());
  std::string f = "/boot/vmlinuz";
  std::copy(f.begin(), f.end(), m.file.begin());
  m.has_cookie = false;
  m.trailing = Bytes(64, 0);
  m.trailing[3] = 7;
  return dw::encode(m);
}

// All samples with a name, for loops.
inline std::vector<std::pair<std::string, Bytes>> all_samples() {
  return {{"intel_discover", intel_discover()},
          {"dnsmasq_offer", dnsmasq_offer()},
          {"pxelinux_ack", pxelinux_ack()},
          {"proxy_offer_menu", proxy_offer_menu()},
          {"boot_server_request", boot_server_request()},
          {"relayed_discover", relayed_discover()},
          {"ipxe_discover", ipxe_discover()},
          {"overloaded_ack", overloaded_ack()},
          {"assorted_options", assorted_options()},
          {"bootp_no_cookie", bootp_no_cookie()}};
}


// Odd and malformed shapes, hand-built: each exercises one branch of tcpdump's printer.
inline std::vector<std::pair<std::string, Bytes>> edge_cases() {
  auto with = [](std::vector<dw::Option> opts, auto&& tweak) {
    dw::Message m;
    m.op = 2;
    m.xid = 0x42;
    m.set_client_mac(kClientMac);
    m.options = std::move(opts);
    tweak(m);
    return dw::encode(m);
  };
  auto plain = [](dw::Message&) {};
  std::vector<std::pair<std::string, Bytes>> v;
  v.push_back({"unknown_op_non_ether", with({{53, {1}}, {255, {}}}, [](dw::Message& m) {
                 m.op = 3;
                 m.htype = 6;
                 m.hops = 3;
                 m.secs = 65535;
                 m.flags = 0x7fff;
                 m.ciaddr = Ipv4(1, 2, 3, 4);
               })});
  v.push_back({"ether_wrong_hlen", with({{255, {}}}, [](dw::Message& m) { m.op = 1; m.hlen = 16; })});
  v.push_back({"cmu_vendor", with({}, [](dw::Message& m) {
                 m.has_cookie = false;
                 m.trailing = {'C', 'M', 'U', 0, 3, 0, 0, 0, 255, 255, 255, 0, 10, 0, 0, 1, 10, 0, 0, 2};
                 m.trailing.resize(64);
               })});
  v.push_back({"fqdn_variants", with({{81, {0x35, 1, 2, 'a', 'b'}}, {81, {1, 0}}, {81, {0, 0, 0}}, {255, {}}}, plain)});
  v.push_back({"classless_errors",
               with({{121, {33, 1, 2, 3, 4}}, {121, {24, 10, 0, 0, 1, 2}}, {249, {0, 1}},
                     {121, {32, 10, 0, 0, 1, 192, 168, 0, 1, 8, 10, 1, 1, 1, 1}}, {255, {}}},
                    plain)});
  v.push_back({"client_id_variants", with({{61, {}}, {61, {0x20, 1, 2}}, {61, {6, 0xaa}}, {255, {}}}, plain)});
  v.push_back({"netbios_overload_odd",
               with({{46, {3}}, {46, {1, 9}}, {46, {}}, {52, {}}, {52, {2, 2}}, {255, {}}}, plain)});
  v.push_back({"message_type_shapes",
               with({{53, {1, 2}}, {53, {10}}, {53, {11}}, {53, {12}}, {53, {13}}, {53, {}}, {255, {}}}, plain)});
  v.push_back({"empty_and_padded",
               with({{0, {}}, {12, {}}, {0, {}}, {0, {}}, {55, {}}, {33, {10, 0, 0, 0, 10, 0, 0, 1, 7}},
                     {91, {0xff, 0xff, 0xff, 0xfe}}, {150, {10, 0, 0, 9}}, {161, str_bytes("https://mud/x")},
                     {255, {}}},
                    [](dw::Message& m) { m.trailing = {1, 2, 3}; })});
  v.push_back({"relay_agent_damage",
               with({{82, {1, 3, 'a', 'b', 'c', 2, 9, 'x'}}, {82, {1}}, {82, {6, 2, 'i', 'd', 5, 0}}, {255, {}}},
                    plain)});
  v.push_back({"full_sname_no_nul", with({{255, {}}}, [](dw::Message& m) {
                 for (std::size_t i = 0; i < m.sname.size(); ++i) m.sname[i] = std::uint8_t(0x41 + i % 60 + (i % 7 == 0 ? 0x80 : 0));
                 for (std::size_t i = 0; i < m.file.size(); ++i) m.file[i] = std::uint8_t(i + 1);
               })});
  v.push_back({"bools_and_words",
               with({{19, {0, 1, 2}}, {20, {}}, {2, {0x80, 0, 0, 0, 1}}, {57, {1}}, {13, {0, 1, 0, 2, 0}},
                     {255, {}}},
                    plain)});
  v.push_back({"no_end_option", with({{53, {3}}, {54, {10, 0, 0, 1}}}, plain)});
  return v;
}

}  // namespace pxe::test::dhcp
