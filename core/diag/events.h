// Events: what happened on the wire (or in a dnsmasq log), in the protocol's words, one per
// relevant packet. The builder turns Observations into Events; the dnsmasq log reader turns log
// lines into the same Events, so both feed the same rules (Zeek's grammar/events/policy split).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/clock.h"

namespace pxe::diag {

enum class EventKind : std::uint8_t {
  DhcpFromClient,   // DISCOVER/REQUEST/DECLINE/RELEASE/INFORM (to 67 or 4011)
  DhcpFromServer,   // OFFER/ACK/NAK (from 67 or 4011)
  ArpRequest,       // who-has target tell sender
  ArpReply,
  IcmpUnreachable,  // with the quoted datagram's ports
  TftpRequest,      // RRQ/WRQ from the client
  TftpOack,
  TftpData,
  TftpAck,
  TftpError,        // from either side (from_client tells)
  TftpSent,         // dnsmasq log only: "sent FILE to IP" (a completed transfer)
  SmbSessionSetup,  // request or response
  SmbTreeConnect,
  SmbOther,         // any other SMB2 command
  TcpClose,         // FIN or RST on an SMB connection
};

struct Event {
  EventKind kind{};
  std::uint64_t frame = 0;  // frame number, or the log line number for dnsmasq logs
  Timestamp time;
  bool from_client = false;
  Ipv4 src, dst;
  std::uint16_t sport = 0, dport = 0;
  Mac client_mac;

  // DHCP
  std::uint8_t msg_type = 0;  // option 53
  std::uint32_t xid = 0;
  Ipv4 ciaddr, yiaddr, siaddr, giaddr, server_id, requested_ip;
  std::string bootfile;       // `file` or option 67
  std::string tftp_server;    // option 66 / sname
  std::string vendor_class;   // option 60
  std::string user_class;     // option 77 (e.g. "iPXE")
  std::string hostname;       // option 12
  std::vector<std::uint16_t> arch;  // option 93
  bool has_pxe_options = false;     // option 43 with PXE sub-options
  bool pxe_boot_item = false;       // 43.71 present (boot server request/reply)
  std::uint8_t pxe_discovery_control = 0;  // 43.6
  bool has_ipxe_encap = false;      // option 175

  // ARP (sender/target in src/dst), ICMP (quoted datagram in src/dst/sport/dport)
  std::uint8_t icmp_code = 0;

  // TFTP
  std::string filename;          // RRQ/WRQ, or the file of an error/sent line from a log
  std::uint16_t block = 0;
  std::size_t data_len = 0;
  // A run of DATA blocks (or ACKs) of one transfer is kept as its latest packet, with the run's
  // totals: a 316 MB image is one event, not 600,000 (bounded memory on long captures).
  std::uint32_t run_blocks = 1;
  std::uint64_t run_bytes = 0;
  std::uint32_t blksize = 0;     // as requested (RRQ) or granted (OACK)
  bool fragmented = false;       // the datagram arrived in IPv4 fragments
  bool bad_checksum = false;     // the UDP/TCP checksum did not verify
  std::uint16_t error_code = 0;
  std::string error_message;

  // SMB2
  bool is_response = false;
  std::uint32_t status = 0;
  std::uint16_t session_flags = 0;  // 1 guest, 2 null
  bool anonymous = false;           // NTLMSSP AUTHENTICATE with no user and no NT response
  bool has_authenticate = false;
  std::string user, domain, path;
  bool rst = false;                 // TcpClose: RST (else FIN)
};

}  // namespace pxe::diag
