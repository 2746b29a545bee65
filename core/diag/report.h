// The diagnosis: per client (by MAC), the firmware, the last stage reached, what its screen
// showed, and findings with stable ids, evidence and fixes. Rendered as text, JSON and HTML.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/clock.h"

namespace pxe::diag {

enum class Firmware : std::uint8_t { Unknown, BiosPxeRom, UefiPxe, Ipxe, Pxelinux, WinPe, LinuxDhcp };
std::string_view firmware_name(Firmware f);

// The boot stages in order; a client's last stage is the furthest it reached.
enum class Stage : std::uint8_t {
  Link,
  DhcpDiscovery,
  OfferSelection,
  BootServer,    // port 4011 / 43.71
  Arp,
  TftpNbp,       // downloading the network boot program
  NbpLoaded,
  PxelinuxConfig,
  Modules,
  KernelInitrd,  // memdisk + ISO, vmlinuz/initrd
  WinPeDhcp,
  Smb,
};
std::string_view stage_name(Stage s);

enum class Severity : std::uint8_t { Failure, Warning, Info };
std::string_view severity_name(Severity s);

struct Evidence {
  std::uint64_t frame = 0;  // frame number (or log line)
  Timestamp time;
  std::string what;         // "DHCPOFFER 192.168.42.17 from 192.168.42.1 without a boot file"
};

struct Finding {
  std::string id;            // stable, grep-able: "no-boot-filename"
  Severity severity = Severity::Failure;
  std::string code;          // the BIOS PXE code this maps to, e.g. "PXE-E53" (may be empty)
  std::string screen;        // what this client's firmware printed, e.g. the iPXE error line
  std::string cause;         // one sentence
  std::vector<Evidence> evidence;
  std::string fix_dnsmasq;   // the dnsmasq.conf line(s) that repair it
  std::string fix_pxekit;    // the pxekit serve setting that repairs it
};

// One arrow of the ladder diagram.
struct LadderStep {
  std::uint64_t frame = 0;
  Timestamp time;
  bool from_client = true;
  std::string peer;   // the server side's address
  std::string label;  // "DHCPDISCOVER", "RRQ pxelinux.0", "ERROR 1 file not found"
  bool noise = false;    // benign (tsize probe abort, config search)
  bool failing = false;  // evidence of a failure finding
};

struct ClientReport {
  std::string key;  // MAC, or an IP for clients seen without link-layer addresses
  Mac mac;
  std::vector<Ipv4> ips;
  Firmware firmware = Firmware::Unknown;
  std::string firmware_detail;  // "PXEClient:Arch:00000:UNDI:002001, iPXE"
  Stage last_stage = Stage::Link;
  bool failed = false;
  std::string screen;           // the last message the user saw (failure) or the outcome
  std::vector<Finding> findings;
  std::vector<LadderStep> ladder;
};

struct Report {
  std::string source;  // the capture or log file
  std::uint64_t frames = 0;
  std::vector<ClientReport> clients;
  std::vector<Finding> network;  // findings not tied to one client (rogue DHCP server, ...)
  bool any_failed() const;
};

}  // namespace pxe::diag
