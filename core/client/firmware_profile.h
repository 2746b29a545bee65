// A firmware as the simulated client plays it: the DHCP profile (proto::dhcp), whose words go
// on the screen, how it fetches the boot file over TFTP, how it ARPs, and what runs after.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/screen.h"
#include "proto/dhcp/client.h"
#include "proto/tftp/timing.h"
#include "wire/tftp/tftp.h"

namespace pxe::client {

// The stages of a netboot, in order. A client "reaches" a stage when that stage completes.
enum class Stage { Dhcp, BootServer, Arp, TftpNbp, PxelinuxConfig, Menu, Kernel, WinpeDhcp, WinpeShare };
std::string_view stage_name(Stage s);  // "dhcp", "bootserver", "arp", "tftp-nbp", ...
std::optional<Stage> stage_from_name(std::string_view name);

struct FirmwareProfile {
  std::string name;                     // bios, uefi, ipxe, linux, winpe
  proto::dhcp::ClientDhcpProfile dhcp;  // DISCOVER contents and timing
  Firmware screen = Firmware::IntelPxe;
  bool boots = true;                    // false: a plain DHCP client (linux), done after DHCP
  // ARP for the TFTP server: tries and the wait after each (PXE-E11 after the last).
  std::vector<Duration> arp_timeouts;
  // The boot file: an optional size probe (tsize, aborted), then the transfer.
  bool tsize_probe = true;
  std::vector<wire::tftp::Option> probe_options;
  std::uint16_t probe_abort_code = 0;
  std::string probe_abort_message = "TFTP Aborted";
  std::vector<wire::tftp::Option> nbp_options;
  proto::tftp::Timing tftp_timing;
  std::uint16_t first_tftp_port = 2070;  // the Intel ROM's first source port (pxe-netboot.md §3.1)
  // The NBP's own files (pxelinux): the ldlinux module it loads first and its TFTP.
  std::string ldlinux = "ldlinux.c32";
  proto::tftp::Timing pxelinux_timing;
  // After the kernel: WinPE's own DHCP (the winpe profile).
  bool winpe_after_kernel = false;
  proto::dhcp::ClientDhcpProfile winpe_dhcp;
  // Then `net use`: how long WinPE's SMB client waits for each response.
  Duration smb_response_timeout = std::chrono::seconds(30);
  Stage default_until = Stage::Menu;
};

// By name; nullopt for an unknown one. The DHCP part comes from proto::dhcp::profile_by_name.
std::optional<FirmwareProfile> firmware_profile(std::string_view name);
// Every firmware timer of the profile divided by `divisor` (--timing fast), at least 1 ms each;
// the SMB client's response timeout stays (a session timeout, not a firmware's retry timer).
void scale_timers(FirmwareProfile& p, unsigned divisor);

}  // namespace pxe::client
