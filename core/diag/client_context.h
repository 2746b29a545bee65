// A client's view of the capture, prepared once for the rules: its DHCP exchanges, offers
// classified the way PXE firmware classifies them, TFTP transfers, ARP, ICMP and SMB.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "diag/events.h"
#include "diag/report.h"

namespace pxe::diag {

struct Offer {
  const Event* ev = nullptr;
  bool proxy = false;  // yiaddr 0 with option 60 PXEClient: PXE info only (proxyDHCP)
  bool has_bootfile() const { return !ev->bootfile.empty(); }
  Ipv4 server() const { return ev->server_id.is_zero() ? ev->src : ev->server_id; }
};

struct Transfer {
  const Event* request = nullptr;  // the first RRQ
  std::vector<const Event*> requests;
  Text file;
  Ipv4 server;
  std::uint16_t client_port = 0;
  bool answered = false;       // OACK, DATA or ERROR from the server
  bool completed = false;      // final (short) DATA block seen, or a "sent" log line
  const Event* server_error = nullptr;
  const Event* client_error = nullptr;  // e.g. the tsize probe's abort
  std::vector<const Event*> icmp;       // ICMP unreachable for these requests
  std::uint32_t blksize = 512;
  std::uint64_t bytes = 0;
  std::uint32_t blocks = 0;
  bool fragmented = false;
  const Event* last = nullptr;         // the latest packet of the transfer, either side
  const Event* last_server = nullptr;  // the latest OACK/DATA/ERROR from the server
};

struct ClientContext {
  std::string key;
  Mac mac;
  std::vector<const Event*> events;  // in capture order
  std::vector<const Event*> discovers, dhcp_requests, boot_requests;  // boot: to 4011 / 43.71
  std::vector<Offer> offers;                                            // OFFERs to this client
  std::vector<const Event*> acks, naks, boot_replies;
  std::vector<const Event*> arp_requests, arp_replies;
  std::vector<Transfer> transfers;
  std::vector<const Event*> smb;
  Firmware firmware = Firmware::Unknown;
  std::string firmware_detail;
  ArchList arch;
  bool winpe_seen = false;
  Timestamp capture_end;  // the last event of the whole capture
  bool from_log = false;  // events came from a dnsmasq log (no ARP/ICMP/DATA visibility)
  bool log_has_tftp = false;  // the log shows TFTP activity at all (dnsmasq's TFTP is on)

  bool is_uefi() const;
  // The firmware's own words for a PXE failure, by firmware kind.
  std::string screen_for(std::string_view bios_code) const;
};

Evidence evidence(const Event* e, std::string what);
std::string basename(std::string_view path);

}  // namespace pxe::diag
