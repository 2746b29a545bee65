#include "client/firmware_profile.h"

#include <algorithm>
#include <array>

namespace pxe::client {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::array kStageNames = {
    std::pair{Stage::Dhcp, "dhcp"},         std::pair{Stage::BootServer, "bootserver"},
    std::pair{Stage::Arp, "arp"},           std::pair{Stage::TftpNbp, "tftp-nbp"},
    std::pair{Stage::PxelinuxConfig, "pxelinux-config"}, std::pair{Stage::Menu, "menu"},
    std::pair{Stage::Kernel, "kernel"},     std::pair{Stage::WinpeDhcp, "winpe-dhcp"},
    std::pair{Stage::WinpeShare, "winpe-share"},
};

std::vector<Duration> secs(std::initializer_list<int> s) {
  std::vector<Duration> out;
  for (int v : s) out.push_back(seconds(v));
  return out;
}

Duration scaled(Duration d, unsigned divisor) {
  return std::max<Duration>(d / divisor, milliseconds(1));
}

// pxelinux's own TFTP (core/fs/pxe/tftp.c): a table of waits from 2 ticks of ~55 ms growing to
// 255 ticks, about 131 s in all; modelled as a backoff from 110 ms to 14 s over 31 tries.
proto::tftp::Timing pxelinux_timing() {
  proto::tftp::Timing t;
  t.retransmit = milliseconds(110);
  t.max_retransmit = milliseconds(14000);
  t.max_retries = 31;
  t.first_answer = seconds(131);
  t.idle = seconds(131);
  return t;
}

}  // namespace

std::string_view stage_name(Stage s) {
  for (const auto& [k, n] : kStageNames)
    if (k == s) return n;
  return "?";
}

std::optional<Stage> stage_from_name(std::string_view name) {
  for (const auto& [k, n] : kStageNames)
    if (name == n) return k;
  return std::nullopt;
}

std::optional<FirmwareProfile> firmware_profile(std::string_view name) {
  auto dhcp = proto::dhcp::profile_by_name(name);
  if (!dhcp) return std::nullopt;
  FirmwareProfile p;
  p.name = std::string(name);
  p.dhcp = std::move(*dhcp);
  p.arp_timeouts = secs({1, 1, 1, 1});  // 4 ARP tries before PXE-E11 (HP KB, pxe-netboot.md §2.2)
  p.pxelinux_timing = pxelinux_timing();
  if (name == "bios" || name == "winpe") {
    // Intel PXE ROM: RRQ tsize 0, OACK, ERROR 0 "TFTP Aborted", RRQ blksize 1456 (§3.9).
    p.screen = Firmware::IntelPxe;
    p.probe_options = {{"tsize", "0"}};
    p.nbp_options = {{"blksize", "1456"}};
    p.tftp_timing.retransmit = seconds(1);
    p.tftp_timing.max_retransmit = seconds(8);
    p.tftp_timing.max_retries = 6;
    p.winpe_after_kernel = name == "winpe";
    p.default_until = name == "winpe" ? Stage::WinpeDhcp : Stage::Menu;
    if (name == "winpe") {
      // The machine boots as a BIOS PXE client; WinPE's DHCP comes after memdisk + the ISO.
      p.winpe_dhcp = std::move(p.dhcp);
      p.dhcp = proto::dhcp::bios_profile();
    }
  } else if (name == "uefi") {
    // EDK2: tsize probe aborted with ERROR 8, then tsize/blksize/windowsize 4; 4 s x 6 (§2.4).
    p.screen = Firmware::Edk2;
    p.probe_options = {{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}};
    p.probe_abort_code = 8;
    p.probe_abort_message = "User aborted the transfer";
    p.nbp_options = {{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}};
    p.tftp_timing.retransmit = seconds(4);
    p.tftp_timing.max_retransmit = seconds(4);
    p.tftp_timing.max_retries = 6;
    p.tftp_timing.first_answer = seconds(24);
    p.tftp_timing.idle = seconds(24);
    p.ldlinux = "ldlinux.e64";
    p.first_tftp_port = 1024;
  } else if (name == "ipxe") {
    // iPXE: no probe, RRQ blksize 1432 tsize 0 (ipxe/ipxe#922 trace; §3.9).
    p.screen = Firmware::Ipxe;
    p.tsize_probe = false;
    p.nbp_options = {{"blksize", "1432"}, {"tsize", "0"}};
    p.first_tftp_port = 49152;
  } else {  // linux: udhcpc -V PXEClient, a DHCP client only
    p.screen = Firmware::Ipxe;
    p.boots = false;
    p.default_until = Stage::Dhcp;
  }
  p.tsize_probe = p.tsize_probe && !p.probe_options.empty();
  return p;
}

void scale_timers(FirmwareProfile& p, unsigned divisor) {
  if (divisor <= 1) return;
  for (auto* v : {&p.dhcp.discover_timeouts, &p.dhcp.request_timeouts, &p.dhcp.boot_server_timeouts,
                  &p.winpe_dhcp.discover_timeouts, &p.winpe_dhcp.request_timeouts, &p.arp_timeouts})
    for (auto& d : *v) d = scaled(d, divisor);
  for (auto* t : {&p.tftp_timing, &p.pxelinux_timing}) {
    t->retransmit = scaled(t->retransmit, divisor);
    t->max_retransmit = scaled(t->max_retransmit, divisor);
    t->first_answer = scaled(t->first_answer, divisor);
    t->idle = scaled(t->idle, divisor);
  }
  // Not smb_response_timeout: it is Windows' SMB session timeout, not a firmware's retry timer, and
  // under load a READ's answer waits for bandwidth (200 machines reading setup.exe at once over
  // one link gave up at 3 s, bench/smb/winpe_load.sh).
}

}  // namespace pxe::client
