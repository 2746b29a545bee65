// What a person in front of the booting machine reads: each firmware's own words for each step
// and each failure, as pure functions of what happened. One table (screen.cpp) holds them all.
//
// Sources: the console logs of real firmware in captures/*.console.txt (SeaBIOS + the iPXE ROM
// QEMU ships, OVMF/EDK2, PXELINUX 6.04), pxe-netboot.md §2 and §7 for the Intel-derived BIOS ROM
// texts (PXE-Exx), which QEMU's ROM does not print.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/addr.h"

namespace pxe::client {

// Who is drawing the screen.
enum class Firmware {
  IntelPxe,  // a PXE 2.1 BIOS option ROM (Intel Boot Agent and its Broadcom/Realtek cousins)
  Ipxe,      // iPXE, as a NIC ROM (QEMU's BIOS ROM in captures/bios-*) or chainloaded
  Edk2,      // UEFI PXE (EDK2 / OVMF UefiPxeBcDxe)
  Pxelinux,  // the NBP: PXELINUX and what it loads (menu.c32, memdisk)
};
std::string_view firmware_name(Firmware f);  // "intel-pxe", "ipxe", "edk2", "pxelinux"

// Why a boot stopped. Stable names ("no-offer", ...) for -v, JSON and tests.
enum class Failure {
  NoOffer,           // no DHCP or proxy offer at all
  OnlyProxyOffers,   // proxy offers but no address
  NoBootFile,        // offers with an address, none with a boot file
  BootServerSilent,    // boot server discovery (a 43.71 boot item, to 4011) unanswered: PXE-E78
  ProxyRequestSilent,  // the ProxyDHCP request to 4011 (no boot item) unanswered: PXE-E55
  NoServerAddress,   // siaddr 0, no PXE tags, no proxy
  ArpUnanswered,     // the boot server's MAC never came
  TftpOpenTimeout,   // RRQ unanswered
  FileNotFound,      // TFTP ERROR 1
  AccessViolation,   // TFTP ERROR 2
  TftpError,         // any other TFTP ERROR
  TftpTimeout,       // the transfer stalled after it started
  ModuleMissing,     // pxelinux: ldlinux.c32 or a COM32 module not there
  ConfigNotFound,    // pxelinux: no file of the config search
  ConfigInvalid,     // pxelinux: the config did not parse / has no such label
  WinpeNoOffer,      // WinPE's own DHCP unanswered
  WrongArchitecture, // an NBP for another firmware (pxelinux.0 to UEFI, an .efi to a BIOS)
  NetUseFailed,      // WinPE's `net use` of the install share failed (ScreenFacts::system_error)
};
std::string_view failure_name(Failure f);  // "no-offer", "only-proxy-offers", ...
std::optional<Failure> failure_from_name(std::string_view name);

// What the screen lines are made of; fields not known yet stay empty.
struct ScreenFacts {
  Mac mac;
  std::optional<std::string> uuid;  // "8d3a6f0e-4b1c-4d2e-9f00-5058454b4954"
  Ipv4 ip, netmask, gateway, dhcp_server;
  Ipv4 next_server;                 // the TFTP server the firmware uses
  std::string filename;             // the boot file / the file being fetched
  std::uint64_t size = 0;           // bytes of the file fetched (or its tsize)
  bool proxy_menu = false;          // the boot file came through a PXE menu / boot server
  std::string menu_prompt;          // option 43.10's text ("pxekit proxyDHCP")
  std::uint16_t tftp_code = 0;      // the ERROR code received
  std::string tftp_message;         // the ERROR text received
  std::string module;               // pxelinux: the module that failed to load
  // WinPE's `net use`: the command as typed, and Windows' "System error N" when it failed.
  std::string net_use_command;      // "net use I: \\192.168.42.1\GUEST /user:user pass"
  int system_error = 0;
};

// --- the firmware's progress lines ---
// After DHCP (and the boot server, when there is one): the address lines, up to the transfer.
std::vector<std::string> dhcp_done_lines(Firmware f, const ScreenFacts& s);
// The boot file (NBP) has been fetched: its size line.
std::vector<std::string> nbp_loaded_lines(Firmware f, const ScreenFacts& s);

// --- pxelinux ---
std::string pxelinux_banner();  // "PXELINUX 6.04 PXE 20200816 Copyright (C) 1994-2015 H. Peter Anvin et al"
struct MenuScreen {
  std::string title;
  std::vector<std::string> items;  // MENU LABEL (or the label name)
  std::size_t selected = 0;
  unsigned timeout_tenths = 0;     // TIMEOUT, in 1/10 s
};
std::vector<std::string> menu_lines(const MenuScreen& m);
// What pxelinux prints when it loads a kernel/initrd ("Loading /memdisk... ok").
std::string loading_line(std::string_view file);

// --- WinPE's command prompt (not a firmware: Windows' own words) ---
// The prompt with the command typed at it: "X:\windows\system32>net use I: \\server\share ...".
std::string winpe_prompt(std::string_view command);
// What `net use` answered: "The command completed successfully.", or "System error 58 has
// occurred.", an empty line and the error's text.
std::vector<std::string> net_use_result_lines(const ScreenFacts& s);

// --- failures: every line the firmware prints, from the first error line to where it stops ---
// (NetUseFailed is Windows speaking whatever the firmware was: net_use_result_lines.)
std::vector<std::string> failure_lines(Firmware f, Failure why, const ScreenFacts& s);

// A console log as text lines: terminal escapes removed, carriage returns dropped, lines the
// 80-column terminal wrapped joined again, runs of progress dots shortened to "...", trailing
// blanks cut, empty lines dropped. Used to compare our lines with captures/*.console.txt.
std::vector<std::string> normalize_console(std::string_view raw);

}  // namespace pxe::client
