// dnsmasq's log lines -> Events, so `pxekit diagnose --dnsmasq-log` feeds the same rules as a
// capture. Reads both the plain form (`dnsmasq-dhcp: DHCPOFFER(eno1) 192.168.42.17 20:6a:...`)
// and the syslog form with a transaction number and `--log-dhcp` detail lines
// (`Nov 22 04:15:18 dnsmasq-dhcp[15330]: 3027174014 next server: 192.168.42.1`).
//
// What a log line becomes:
//   DHCPDISCOVER/REQUEST/DECLINE/RELEASE/INFORM  DhcpFromClient, msg_type 1/3/4/7/8
//   DHCPOFFER/ACK/NAK, BOOTP                      DhcpFromServer, msg_type 2/5/6 (BOOTP: 0)
//   PXE(if) MAC proxy                             a DISCOVER and the proxyDHCP's OFFER (yiaddr 0)
//   PXE(if) IP MAC FILE                           a port-4011 REQUEST and the boot server's ACK
//   sent FILE to IP                               TftpSent
//   file FILE not found [for IP]                  TftpError 1 from the server
//   cannot access FILE: ... / cannot read ...     TftpError 2 / 0 from the server (to the client of
//                                                 the `failed sending` line after it, else the last ACKed)
//   TFTP root is DIR                              no event: stats->tftp_enabled
//   error N MSG received from IP                  TftpError N from the client
//   failed sending FILE to IP                     names the file of the client's error just
//                                                 before it; alone, TftpError 0 from the server
//                                                 (the client stopped acknowledging)
// Detail lines attach by transaction number: `vendor class:`, `user class:` and
// `client provides name:` to the next client message; `next server:`, `bootfile name:`,
// `server name:` and `sent size: ... option: N` (54, 60, 66, 67, 12, 43, 175) to the last reply.
//
// Fields a log cannot give are left zero: ports of TFTP transfers, ARP, ICMP. The client's
// option 93 is not logged; a client message gets it from the `PXEClient:Arch:NNNNN` vendor class. A reply's src is its option 54 when logged, else its next server (dnsmasq's own
// address unless dhcp-boot names another). A NAK's logged address goes to requested_ip and its
// reason (`wrong address`) to error_message, as does a client line's note (`no address
// available`). TFTP lines get the client's MAC, and the TFTP server's address (dnsmasq's own),
// from the last reply that gave the client that IP (else from the log's last reply); a
// `file ... not found` line without `for IP` (dnsmasq < 2.77) goes to the last TFTP client seen.
//
// frame is the line number (from 1). time is the syslog time (UTC; the year is options.year,
// else the current year, and advances when the month goes backwards) or an ISO 8601 time; a
// line without one gets its line number as microseconds, which keeps the order.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "base/result.h"
#include "diag/events.h"

namespace pxe::diag {

struct DnsmasqLogStats {
  std::uint64_t lines = 0;          // all lines read
  std::uint64_t dnsmasq_lines = 0;  // lines tagged dnsmasq, dnsmasq-dhcp, dnsmasq-tftp, ...
  std::uint64_t malformed = 0;      // looked relevant, could not be parsed: skipped
  std::vector<Error> problems;      // the first few malformed lines: what, and the byte offset
  bool tftp_enabled = false;        // a "TFTP root is DIR" line: dnsmasq's TFTP server was on
};

struct DnsmasqLogOptions {
  int year = 0;                      // year of syslog timestamps; 0: the current year (UTC)
  DnsmasqLogStats* stats = nullptr;  // filled when set
};

// An error only when the input cannot be read, or when it has lines but none from dnsmasq.
Result<EventList> read_dnsmasq_log(std::istream& in, const DnsmasqLogOptions& options = {});
Result<EventList> read_dnsmasq_log(const std::string& path,
                                            const DnsmasqLogOptions& options = {});

}  // namespace pxe::diag
