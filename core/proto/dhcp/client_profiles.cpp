// Firmware profiles for the DHCP client machine. Every value names where it was seen; "capture"
// means the committed recording in captures/ (see captures/README.md for how it was made).
#include <string_view>

#include "proto/dhcp/client.h"

namespace pxe::proto::dhcp {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<Duration> secs_list(std::initializer_list<int> s) {
  std::vector<Duration> out;
  for (int v : s) out.push_back(seconds(v));
  return out;
}

std::vector<std::uint8_t> range(std::vector<std::uint8_t> head, int from, int to) {
  for (int c = from; c <= to; ++c) head.push_back(std::uint8_t(c));
  return head;
}

// The SMBIOS UUID of the recorded VM (8d3a6f0e-4b1c-4d2e-9f00-5058454b4954) as option 97 carries
// it: type 0, then the GUID with its first three fields little-endian.
Bytes capture_uuid() {
  return {0x00, 0x0e, 0x6f, 0x3a, 0x8d, 0x1c, 0x4b, 0x2e, 0x4d,
          0x9f, 0x00, 0x50, 0x58, 0x45, 0x4b, 0x49, 0x54};
}

}  // namespace

// PXE 2.1 BIOS ROM: the Intel ROM DISCOVER of pxe-netboot.md §3.1 (55 with 36 codes, 57 = 1260,
// 97, 93 = 0, 94 = 1.2.1, 60; no 61, no 12; padded to 548 bytes; broadcast flag). Timing from
// the PXE 2.1 spec as quoted by iPXE and EDK2: DISCOVER 4, 8, 16, 32 s, proxy offers awaited
// through the 4 and 8 s timeouts, REQUEST and boot server 1, 2, 3, 4 s. The ROM ignores offers
// without a boot file and DISCOVERs on until PXE-E53. Where 50/54 sit in its REQUEST was not
// recorded (put after 53, as EDK2 does).
ClientDhcpProfile bios_profile() {
  ClientDhcpProfile p;
  p.name = "bios";
  p.request_list = range({1, 2, 3, 4, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50,
                          51, 54, 58, 59, 60, 66, 67},
                         128, 135);
  p.vendor_class = "PXEClient:Arch:00000:UNDI:002001";
  p.arch = 0;
  p.undi = Bytes{1, 2, 1};
  p.uuid = capture_uuid();
  p.max_size = 1260;
  p.option_order = {53, 54, 50, 55, 57, 97, 93, 94, 60};
  p.pad_to = 548;
  p.discover_timeouts = secs_list({4, 8, 16, 32});
  p.request_timeouts = secs_list({1, 2, 3, 4});
  p.boot_server_timeouts = secs_list({1, 2, 3, 4});
  p.proxy_wait_timeouts = 2;
  p.want_boot_file = true;
  p.broadcast_flag = true;
  p.boot_server_src_port = 68;
  // pxe-netboot.md §3.8 (Broadcom KB): siaddr 0 and no PXE tags or proxy offer is PXE-E7B.
  p.tftp_server_from_siaddr_only = true;
  return p;
}

// OVMF / EDK2 x64, as captured (edk2-syslinux-menu.pcap, proxydhcp-uefi.pcap, edk2-no-offer.pcap):
// DISCOVER 53, 57 = 1472, 55 (35 codes), 97, 94 = 1.3.0, 93 = 7, 60; broadcast flag; xid kept,
// secs 0, 4, 12, 28 (4, 8, 16, 32 s timeouts); offers cached and one chosen at the first timeout;
// REQUEST with 54, 50 right after 53. Its proxy request goes from port 4011 to 4011 with a new
// xid, no broadcast flag and the options in another order, retried after 1, 2, 3 s (4 tries);
// a silent proxy ends in PXE-E16. (EDK2 also sends 57 = 65280 in its REQUEST and the 4011
// request's secs byte-swapped; neither is reproduced.)
ClientDhcpProfile uefi_profile() {
  ClientDhcpProfile p;
  p.name = "uefi";
  p.request_list = range({1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54,
                          58, 59, 60, 66, 67, 97},
                         128, 135);
  p.vendor_class = "PXEClient:Arch:00007:UNDI:003000";
  p.arch = 7;
  p.undi = Bytes{1, 3, 0};
  p.uuid = capture_uuid();
  p.max_size = 1472;
  p.option_order = {53, 54, 50, 57, 55, 97, 94, 93, 60};
  p.boot_server_option_order = {53, 55, 57, 60, 93, 94, 97};
  p.discover_timeouts = secs_list({4, 8, 16, 32});
  p.request_timeouts = secs_list({1, 2, 3, 4});
  p.boot_server_timeouts = secs_list({1, 2, 3, 4});
  p.proxy_wait_timeouts = 0;
  p.choose_at_timeout = true;
  p.want_boot_file = true;
  p.broadcast_flag = true;
  p.boot_server_src_port = 4011;
  p.boot_server_broadcast_flag = false;
  p.boot_server_new_xid = true;
  p.proxy_request_fatal = true;
  return p;
}

// iPXE ROM (1.0.0+git-20190125) under SeaBIOS, as captured (captures/bios-*.pcap): DISCOVER 53,
// 57 = 1472, 93 = 0, 94 = 1.2.1, 60, 77 = "iPXE" (unframed), 55 (23 codes), 175 (its feature
// list), 61, 97; no broadcast flag; DISCOVERs at 0, 1, 3, 7 s (timeouts 1, 2, 4, 8); an offer
// without boot file is taken once the proxy wait is over (iPXE's is 2 s); any proxy is asked on
// 4011 from port 68 with the DHCP xid and the broadcast flag, four tries in about 2 s
// (bios-proxy-4011-silent.pcap), and a silent proxy is skipped ("Nothing to boot" follows).
ClientDhcpProfile ipxe_profile() {
  ClientDhcpProfile p;
  p.name = "ipxe";
  p.request_list = range({1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119}, 128, 135);
  p.request_list.push_back(175);
  p.request_list.push_back(203);
  p.vendor_class = "PXEClient:Arch:00000:UNDI:002001";
  p.arch = 0;
  p.undi = Bytes{1, 2, 1};
  p.uuid = capture_uuid();
  p.max_size = 1472;
  p.user_class = "iPXE";
  p.client_id = true;
  // 175: bus-id (PCI 8086:100e), version 1.0.0, then the features DNS ELF HTTP iSCSI MENU
  // MBOOT NFS PXE-EXT(2) PXE TFTP bzImage AoE.
  p.extra_options = {175, 48, 0xb1, 0x05, 0x01, 0x80, 0x86, 0x10, 0x0e, 0xeb, 0x03, 0x01, 0x00, 0x00,
                     0x17, 0x01, 0x01, 0x22, 0x01, 0x01, 0x13, 0x01, 0x01, 0x11, 0x01, 0x01, 0x27,
                     0x01, 0x01, 0x19, 0x01, 0x01, 0x29, 0x01, 0x01, 0x10, 0x01, 0x02, 0x21, 0x01,
                     0x01, 0x15, 0x01, 0x01, 0x18, 0x01, 0x01, 0x12, 0x01, 0x01};
  p.option_order = {53, 57, 93, 94, 60, 77, 55, 0, 61, 97, 54, 50};
  p.discover_timeouts = secs_list({1, 2, 4, 8});
  p.request_timeouts = secs_list({1, 2, 4, 8});
  p.boot_server_timeouts = {milliseconds(250), milliseconds(500), seconds(1), seconds(2)};
  p.proxy_wait_timeouts = 2;
  p.want_boot_file = false;
  p.needs_boot_file = true;
  p.broadcast_flag = false;
  p.boot_server_src_port = 68;
  p.boot_server_broadcast_flag = true;
  p.boot_server_new_xid = false;
  p.proxy_request_fatal = false;
  p.proxy_request_always = true;
  // bios-bootserver-silent.pcap, proxydhcp-bios.pcap: PXEBS requests carry xid 0 and come 1 s
  // apart; iPXE moves on after 3 s ("next server", pxe-netboot.md §3.4). Its 4011 requests send
  // 60 = "PXEClient" and add 43 with 71 for a menu item.
  p.boot_item_timeouts = secs_list({1, 2});
  p.boot_item_xid = 0;
  p.boot_server_vendor_class = "PXEClient";
  return p;
}

// busybox udhcpc 1.35 with -V PXEClient (dhcp-udhcpc.pcap, linux-clients.pcap): 53, (50, 54),
// 57 = 576, 55 = 1,3,6,12,15,28,42, 60, 61; padded to 300 bytes; no broadcast flag; 3 DISCOVERs
// 3 s apart (-t 3 -T 3), REQUEST likewise. A plain DHCP client: the first offer is taken and no
// boot file is needed.
ClientDhcpProfile linux_profile() {
  ClientDhcpProfile p;
  p.name = "linux";
  p.request_list = {1, 3, 6, 12, 15, 28, 42};
  p.vendor_class = "PXEClient";
  p.max_size = 576;
  p.client_id = true;
  p.option_order = {53, 50, 54, 57, 55, 12, 60, 61};
  p.pad_to = 300;
  p.discover_timeouts = secs_list({3, 3, 3});
  p.request_timeouts = secs_list({3, 3, 3});
  p.boot_server_timeouts = {};
  p.proxy_wait_timeouts = 0;
  p.want_boot_file = false;
  p.needs_boot_file = false;
  p.broadcast_flag = false;
  return p;
}

// WinPE's DHCP client (pxe-netboot.md §4.1): 53, 61 = 01+MAC, (50), 12 = MININT-xxxxxxx, 60 =
// "MSFT 5.0", 55 (14 codes); no PXE options; no broadcast flag; RFC 2131 timing 4, 8, 16, 32 s.
// The host name is fixed here; WinPE draws the 7 characters at random (callers may set one).
ClientDhcpProfile winpe_profile() {
  ClientDhcpProfile p;
  p.name = "winpe";
  p.request_list = {1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252};
  p.vendor_class = "MSFT 5.0";
  p.hostname = "MININT-PXEKIT1";
  p.client_id = true;
  p.option_order = {53, 61, 50, 54, 12, 60, 55};
  p.pad_to = 300;
  p.discover_timeouts = secs_list({4, 8, 16, 32});
  p.request_timeouts = secs_list({4, 8, 16, 32});
  p.boot_server_timeouts = {};
  p.proxy_wait_timeouts = 0;
  p.want_boot_file = false;
  p.needs_boot_file = false;
  p.broadcast_flag = false;
  return p;
}

std::optional<ClientDhcpProfile> profile_by_name(std::string_view name) {
  if (name == "bios") return bios_profile();
  if (name == "uefi") return uefi_profile();
  if (name == "ipxe") return ipxe_profile();
  if (name == "linux") return linux_profile();
  if (name == "winpe") return winpe_profile();
  return std::nullopt;
}

}  // namespace pxe::proto::dhcp
