// The DHCP side of a PXE client, sans I/O: received datagrams and the time in, datagrams to send,
// one deadline, log lines and the outcome out. It runs DISCOVER -> offers -> REQUEST -> ACK, then
// the port-4011 step when the offers call for it (proxyDHCP without a boot file, a PXE boot
// menu), timed and shaped by a firmware profile (what the firmware puts in its packets and how
// long it waits). Packets are built and parsed with wire/dhcp; nothing here touches sockets or
// clocks.
//
//   start ──DISCOVER──> Selecting ──offers chosen──REQUEST──> Requesting ──ACK──┬──> done
//             ^  timeouts: DISCOVER again; after the last: NoOffer / NoBootFile   │   (bound, boot file)
//             └──────────── NAK (once; the second: Nak) ─────────────────────────┤
//                                 BootServer <──REQUEST to the PXE server :4011──┘ a menu (43.9),
//                                   │ ACK: done            or a PXE answer without a boot file
//                                   └ silent: BootServerSilent (or, iPXE, done without it)
// Offers are chosen as the PXE spec and EDK2 do: one with a boot file or from a PXE server, else
// a DHCP offer plus a proxyDHCP offer (60 "PXEClient", no yiaddr); at once, or only when a
// timeout expires (EDK2). Every deadline is an action (ClientActions::timer), never a poll.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/random.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::proto::dhcp {

// What a firmware puts in its packets and how it times them. The profile functions below give
// the values seen from real firmware; a caller may change any field (MAC-specific UUID, ...).
struct ClientDhcpProfile {
  std::string name;                            // "bios", "uefi", "ipxe", "linux", "winpe"
  std::vector<std::uint8_t> request_list;      // 55
  std::optional<std::string> vendor_class;     // 60, e.g. "PXEClient:Arch:00000:UNDI:002001"
  std::optional<std::uint16_t> arch;           // 93
  std::optional<Bytes> undi;                   // 94 (3 bytes)
  std::optional<Bytes> uuid;                   // 97 (17 bytes: type 0 + 16)
  std::optional<std::uint16_t> max_size;       // 57
  std::optional<std::string> user_class;       // 77, sent raw as iPXE does ("iPXE")
  std::optional<std::string> hostname;         // 12 (WinPE "MININT-...")
  bool client_id = false;                      // 61 = 01 + MAC (iPXE, udhcpc, Windows)
  Bytes extra_options;                         // raw encoded extra options (175 for iPXE ...)
  // The order the options go on the wire (codes; 0 stands for extra_options). 50 and 54 are
  // placed where they stand here in a REQUEST and left out of other messages.
  std::vector<std::uint8_t> option_order;
  std::vector<std::uint8_t> boot_server_option_order;  // the 4011 request's (empty: option_order)
  std::size_t pad_to = 0;                      // total payload size padded with zeros (0: none)
  std::vector<Duration> discover_timeouts;     // 4,8,16,32 s (PXE 2.1, EDK2) ...
  std::vector<Duration> request_timeouts;      // 1,2,3,4 s
  std::vector<Duration> boot_server_timeouts;  // 1,2,3,4 s on port 4011
  // A profile that takes an offer without boot file (want_boot_file = false) first waits for
  // proxy offers through the first N timeouts.
  unsigned proxy_wait_timeouts = 2;
  bool choose_at_timeout = false;              // EDK2: cache offers, choose when a timeout expires
  // An offer without boot information (no file, not from a PXE server) and no proxy offer is not
  // enough: the firmware DISCOVERs on and ends with NoBootFile (Intel ROM, EDK2).
  bool want_boot_file = true;
  bool needs_boot_file = true;                 // ending without a boot file is a failure (PXE)
  bool broadcast_flag = true;                  // in DISCOVER/REQUEST
  // The port-4011 request: source port (iPXE 68, EDK2 4011), broadcast flag, a new xid (EDK2)
  // or the DHCP one (iPXE), and whether a silent proxy is fatal (EDK2) or skipped (iPXE).
  std::uint16_t boot_server_src_port = 68;
  bool boot_server_broadcast_flag = false;
  bool boot_server_new_xid = false;
  bool proxy_request_fatal = true;
  // Where a request for a menu item (43.71) differs from a proxy request (iPXE's PXEBS: xid 0,
  // tries at 1 and 2 s, then "Connection timed out"): empty / nullopt = as boot_server_*.
  std::vector<Duration> boot_item_timeouts;
  std::optional<std::uint32_t> boot_item_xid;
  // Option 60 in 4011 requests when it differs (iPXE sends just "PXEClient").
  std::optional<std::string> boot_server_vendor_class;
  // iPXE asks the proxy on 4011 even when its offer named a boot file.
  bool proxy_request_always = false;
  // The Intel PXE ROM takes the TFTP server from the DHCP ACK's siaddr only: siaddr 0 with no
  // PXE answer (proxy or boot server) leaves it without one (PXE-E7B). EDK2 and pxelinux fall
  // back to the server identifier (option 54); none of them reads option 66.
  bool tftp_server_from_siaddr_only = false;
};

// Values from the references and captures/ (see client_profiles.cpp for the source of each).
ClientDhcpProfile bios_profile();   // PXE 2.1 BIOS ROM (Intel trace in pxe-netboot.md §3.1)
ClientDhcpProfile uefi_profile();   // OVMF / EDK2 x64 (captures/edk2-*.pcap)
ClientDhcpProfile ipxe_profile();   // iPXE ROM under SeaBIOS (captures/bios-*.pcap)
ClientDhcpProfile linux_profile();  // busybox udhcpc -V PXEClient
ClientDhcpProfile winpe_profile();  // WinPE's DHCP client: MSFT 5.0, MININT-xxxxxxx
// By name ("bios", "uefi", "ipxe", "linux", "winpe"); nullopt for another name.
std::optional<ClientDhcpProfile> profile_by_name(std::string_view name);

struct ClientSend {
  Bytes payload;
  Ipv4 to_ip;                    // 255.255.255.255 for a broadcast
  std::uint16_t to_port = 67;
  Ipv4 from_ip;                  // 0.0.0.0 before the client has an address
  std::uint16_t from_port = 68;
  bool broadcast = true;
};
struct ClientLog {
  std::string text;  // one step, for -v: "DHCPOFFER from 192.168.42.1: 192.168.42.17 file pxelinux.0"
};
// What the firmware goes on with.
struct ClientBoot {
  Ipv4 yiaddr, server_id, netmask, router;
  Ipv4 tftp_server;              // siaddr of the packet with the boot file, else its option 54
                                 // (0.0.0.0 when the profile has no such fallback: PXE-E7B)
  std::string boot_file;         // empty for a plain DHCP client (needs_boot_file = false)
  std::optional<Bytes> pxe_menu_43;  // option 43 of the PXE answer (proxy offer / 4011 ACK)
  std::optional<std::string> pxelinux_config_209, path_prefix_210;
  wire::dhcp::Message ack;       // the DHCP server's ACK
  // The packet the boot information came from when it is not `ack`: the proxy offer or the
  // 4011 ACK.
  std::optional<wire::dhcp::Message> boot_reply;
};
enum class ClientFailure {
  NoOffer,           // no usable offer at all (PXE-E51, EDK2 E16)
  NoBootFile,        // offers / ACK without any boot file (PXE-E53; EDK2 prints E16)
  Nak,               // NAK after a restart
  NoAck,             // REQUEST unanswered (E51/E18)
  BootServerSilent,  // 4011 request unanswered (E55 proxy, E78 boot server)
};
std::string_view failure_name(ClientFailure f);

struct ClientActions {
  std::vector<ClientSend> sends;
  // After every call: the machine's one deadline (nullopt: none). The owner calls on_timer at it.
  std::optional<Timestamp> timer;
  std::vector<ClientLog> log;
  std::optional<ClientBoot> done;
  std::optional<ClientFailure> failed;
};

class DhcpClient {
 public:
  DhcpClient(Mac mac, ClientDhcpProfile profile, Random& rng);

  void start(Timestamp now, ClientActions& out);
  // A UDP datagram for the client (to port 68, or the 4011 source port of the profile).
  void on_datagram(ByteSpan payload, Ipv4 src_ip, std::uint16_t src_port, std::uint16_t dst_port,
                   Timestamp now, ClientActions& out);
  void on_timer(Timestamp now, ClientActions& out);

  enum class State : std::uint8_t { Idle, Selecting, Requesting, BootServer, Done, Failed };
  State state() const { return state_; }
  std::optional<Timestamp> deadline() const { return deadline_; }
  std::uint32_t xid() const { return xid_; }
  const ClientDhcpProfile& profile() const { return p_; }

 private:
  struct Offer {
    wire::dhcp::Message msg;
    Ipv4 from;
  };
  void discover(Timestamp now, ClientActions& out);
  void request(Timestamp now, ClientActions& out);
  void boot_server_request(Timestamp now, ClientActions& out);
  void on_offer(const wire::dhcp::Message& m, Ipv4 src, Timestamp now, ClientActions& out);
  void on_ack(const wire::dhcp::Message& m, Timestamp now, ClientActions& out);
  void on_boot_ack(const wire::dhcp::Message& m, Timestamp now, ClientActions& out);
  // Picks the offers to go on with; true when a REQUEST went out.
  bool choose(bool at_timeout, Timestamp now, ClientActions& out);
  // After the ACK: the 4011 step if the PXE answer calls for it, else the end.
  void after_ack(Timestamp now, ClientActions& out);
  void finish(const std::optional<wire::dhcp::Message>& boot_reply, ClientActions& out);
  void fail(ClientFailure f, ClientActions& out);
  wire::dhcp::Builder base(wire::dhcp::MessageType t, Timestamp now, bool for_request,
                           const std::vector<std::uint8_t>& order) const;
  std::uint16_t secs(Timestamp now) const;
  void set_timer(Timestamp at) { deadline_ = at; }
  const std::vector<Duration>& boot_timeouts() const;

  Mac mac_;
  ClientDhcpProfile p_;
  Random& rng_;
  State state_ = State::Idle;
  std::uint32_t xid_ = 0, boot_xid_ = 0;
  Timestamp started_;
  std::optional<Timestamp> deadline_;
  std::size_t tries_ = 0;          // transmissions in the current state
  unsigned timeouts_ = 0;          // DISCOVER timeouts so far
  unsigned restarts_ = 0;          // after a NAK
  std::vector<Offer> dhcp_offers_, proxy_offers_;
  std::optional<Offer> chosen_, chosen_proxy_;
  std::optional<wire::dhcp::Message> ack_;
  Ipv4 boot_server_;
  std::optional<wire::dhcp::PxeBootItem> boot_item_;
};

}  // namespace pxe::proto::dhcp
