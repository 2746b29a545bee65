// DHCP/BOOTP option registry (IANA "BOOTP Vendor Extensions and DHCP Options"), names as tcpdump
// prints them, client architecture names for option 93 and a zero-copy TLV walker.
//
// Option layout (RFC 2132 §2):   code(1) len(1) data(len)   -- except Pad (0) and End (255), 1 byte.
// PXE option 43, relay agent 82 and iPXE 175 carry sub-options in the same TLV shape.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"

namespace pxe::wire::dhcp {

// How an option's value is shaped. The first group mirrors tcpdump's print formats so the printer
// can follow it; Special means the option has its own decoder.
enum class ValueKind : std::uint8_t {
  Unknown,     // not in the registry: tcpdump guesses by length (odd: bytes, 2 mod 4: u16, else u32)
  Pad,
  End,
  Ipv4List,    // one or more IPv4 addresses
  Ipv4Pairs,   // (address, mask) pairs
  U32,         // unsigned 32-bit values
  S32,         // signed 32-bit values (Time Offset)
  U16List,     // unsigned 16-bit values
  Bytes,       // decimal bytes joined by '.'
  Hex,         // hex bytes joined by ':'
  Text,        // NVT ASCII
  Bool,        // 0/1 flags
  MessageType, // option 53
  ParamList,   // option 55
  Special,     // own decoder (52, 61, 77, 81, 82, 93, 121, 43/175 sub-options, ...)
};

struct OptionInfo {
  std::uint8_t code = 0;
  std::string_view short_name;  // tcpdump's name; empty when tcpdump has none (then "T<code>")
  std::string_view long_name;   // IANA registry name; empty when unassigned
  ValueKind kind = ValueKind::Unknown;
  // Our own short name for options tcpdump does not name but we decode (175, 208-211).
  std::string_view pxe_name = {};
};

namespace detail {
struct OptionRow {
  std::uint8_t code;
  std::string_view short_name;
  std::string_view long_name;
  ValueKind kind;
  std::string_view pxe_name = {};
};
// Names and value kinds follow tcpdump 4.99's print-bootp.c table (checked against its output).
// clang-format off
inline constexpr OptionRow kOptionRows[] = {
  {0, "PAD", "Pad", ValueKind::Pad},
  {1, "Subnet-Mask", "Subnet Mask", ValueKind::Ipv4List},
  {2, "Time-Zone", "Time Offset", ValueKind::S32},
  {3, "Default-Gateway", "Router", ValueKind::Ipv4List},
  {4, "Time-Server", "Time Server", ValueKind::Ipv4List},
  {5, "IEN-Name-Server", "Name Server", ValueKind::Ipv4List},
  {6, "Domain-Name-Server", "Domain Server", ValueKind::Ipv4List},
  {7, "LOG", "Log Server", ValueKind::Ipv4List},
  {8, "CS", "Quotes Server", ValueKind::Ipv4List},
  {9, "LPR-Server", "LPR Server", ValueKind::Ipv4List},
  {10, "IM", "Impress Server", ValueKind::Ipv4List},
  {11, "RL", "RLP Server", ValueKind::Ipv4List},
  {12, "Hostname", "Hostname", ValueKind::Text},
  {13, "BS", "Boot File Size", ValueKind::U16List},
  {14, "DP", "Merit Dump File", ValueKind::Text},
  {15, "Domain-Name", "Domain Name", ValueKind::Text},
  {16, "SS", "Swap Server", ValueKind::Ipv4List},
  {17, "RP", "Root Path", ValueKind::Text},
  {18, "EP", "Extension File", ValueKind::Text},
  {19, "IPF", "Forward On/Off", ValueKind::Bool},
  {20, "SRT", "SrcRte On/Off", ValueKind::Bool},
  {21, "PF", "Policy Filter", ValueKind::Ipv4Pairs},
  {22, "RSZ", "Max DG Assembly", ValueKind::U16List},
  {23, "TTL", "Default IP TTL", ValueKind::Bytes},
  {24, "MTU-Timeout", "MTU Timeout", ValueKind::U32},
  {25, "MTU-Table", "MTU Plateau", ValueKind::U16List},
  {26, "MTU", "MTU Interface", ValueKind::U16List},
  {27, "LSN", "MTU Subnet", ValueKind::Bool},
  {28, "BR", "Broadcast Address", ValueKind::Ipv4List},
  {29, "MD", "Mask Discovery", ValueKind::Bool},
  {30, "MS", "Mask Supplier", ValueKind::Bool},
  {31, "Router-Discovery", "Router Discovery", ValueKind::Bool},
  {32, "RSA", "Router Request", ValueKind::Ipv4List},
  {33, "Static-Route", "Static Route", ValueKind::Ipv4Pairs},
  {34, "UT", "Trailers", ValueKind::Bool},
  {35, "AT", "ARP Timeout", ValueKind::U32},
  {36, "IE", "Ethernet", ValueKind::Bool},
  {37, "TT", "Default TCP TTL", ValueKind::Bytes},
  {38, "KI", "Keepalive Time", ValueKind::U32},
  {39, "KG", "Keepalive Data", ValueKind::Bool},
  {40, "YD", "NIS Domain", ValueKind::Text},
  {41, "YS", "NIS Servers", ValueKind::Ipv4List},
  {42, "NTP", "NTP Servers", ValueKind::Ipv4List},
  {43, "Vendor-Option", "Vendor Specific", ValueKind::Bytes},
  {44, "Netbios-Name-Server", "NETBIOS Name Srv", ValueKind::Ipv4List},
  {45, "WDD", "NETBIOS Dist Srv", ValueKind::Ipv4List},
  {46, "Netbios-Node", "NETBIOS Node Type", ValueKind::Special},
  {47, "Netbios-Scope", "NETBIOS Scope", ValueKind::Text},
  {48, "XFS", "X Window Font", ValueKind::Ipv4List},
  {49, "XDM", "X Window Manager", ValueKind::Ipv4List},
  {50, "Requested-IP", "Address Request", ValueKind::Ipv4List},
  {51, "Lease-Time", "Address Time", ValueKind::U32},
  {52, "OO", "Overload", ValueKind::Special},
  {53, "DHCP-Message", "DHCP Msg Type", ValueKind::MessageType},
  {54, "Server-ID", "DHCP Server Id", ValueKind::Ipv4List},
  {55, "Parameter-Request", "Parameter List", ValueKind::ParamList},
  {56, "MSG", "DHCP Message", ValueKind::Text},
  {57, "MSZ", "DHCP Max Msg Size", ValueKind::U16List},
  {58, "RN", "Renewal Time", ValueKind::U32},
  {59, "RB", "Rebinding Time", ValueKind::U32},
  {60, "Vendor-Class", "Class Id", ValueKind::Text},
  {61, "Client-ID", "Client Id", ValueKind::Special},
  {62, "", "NetWare/IP Domain", ValueKind::Unknown},
  {63, "", "NetWare/IP Option", ValueKind::Unknown},
  {64, "N+D", "NIS-Domain-Name", ValueKind::U16List},
  {65, "N+S", "NIS-Server-Addr", ValueKind::Ipv4List},
  {66, "TFTP", "Server-Name", ValueKind::Text},
  {67, "BF", "Bootfile-Name", ValueKind::Text},
  {68, "MH", "Home-Agent-Addrs", ValueKind::Ipv4List},
  {69, "SMTP", "SMTP-Server", ValueKind::Ipv4List},
  {70, "POP3", "POP3-Server", ValueKind::Ipv4List},
  {71, "NNTP", "NNTP-Server", ValueKind::Ipv4List},
  {72, "WWW", "WWW-Server", ValueKind::Ipv4List},
  {73, "FG", "Finger-Server", ValueKind::Ipv4List},
  {74, "IRC", "IRC-Server", ValueKind::Ipv4List},
  {75, "STS", "StreetTalk-Server", ValueKind::Ipv4List},
  {76, "STDA", "STDA-Server", ValueKind::Ipv4List},
  {77, "User-Class", "User-Class", ValueKind::Special},
  {78, "SLP-DA", "Directory Agent", ValueKind::Bytes},
  {79, "SLP-SCOPE", "Service Scope", ValueKind::Bytes},
  {80, "SLP-NA", "Rapid Commit", ValueKind::Text},
  {81, "FQDN", "Client FQDN", ValueKind::Special},
  {82, "Agent-Information", "Relay Agent Information", ValueKind::Special},
  {83, "ARMT", "iSNS", ValueKind::Bytes},
  {84, "", "", ValueKind::Unknown},
  {85, "", "NDS Servers", ValueKind::Unknown},
  {86, "", "NDS Tree Name", ValueKind::Unknown},
  {87, "", "NDS Context", ValueKind::Unknown},
  {88, "TZSTR", "BCMCS Controller Domain Name list", ValueKind::Text},
  {89, "FQDNS", "BCMCS Controller IPv4 address option", ValueKind::Bytes},
  {90, "AUTH", "Authentication", ValueKind::Bytes},
  {91, "Last-Transaction-Time", "client-last-transaction-time option", ValueKind::S32},
  {92, "Associated-IP", "associated-ip option", ValueKind::Ipv4List},
  {93, "ARCH", "Client System", ValueKind::Special},
  {94, "NDI", "Client NDI", ValueKind::Bytes},
  {95, "LDAP", "LDAP", ValueKind::Text},
  {96, "", "", ValueKind::Unknown},
  {97, "GUID", "UUID/GUID", ValueKind::Bytes},
  {98, "UAP", "User-Auth", ValueKind::Text},
  {99, "", "GEOCONF_CIVIC", ValueKind::Unknown},
  {100, "POSIX-TZ", "PCode", ValueKind::Text},
  {101, "TZ-Name", "TCode", ValueKind::Text},
  {108, "", "IPv6-Only Preferred", ValueKind::Unknown},
  {109, "", "OPTION_DHCP4O6_S46_SADDR", ValueKind::Unknown},
  {110, "", "", ValueKind::Unknown},
  {112, "NI", "Netinfo Address", ValueKind::Ipv4List},
  {113, "NITAG", "Netinfo Tag", ValueKind::Text},
  {114, "URL", "DHCP Captive-Portal", ValueKind::Text},
  {115, "", "", ValueKind::Unknown},
  {116, "NOAUTO", "Auto-Config", ValueKind::Bool},
  {117, "NSSEARCH", "Name Service Search", ValueKind::U16List},
  {118, "SUBNET", "Subnet Selection Option", ValueKind::Ipv4List},
  {119, "", "Domain Search", ValueKind::Unknown},
  {120, "", "SIP Servers DHCP Option", ValueKind::Unknown},
  {121, "Classless-Static-Route", "Classless Static Route Option", ValueKind::Special},
  {122, "", "CCC", ValueKind::Unknown},
  {123, "", "GeoConf Option", ValueKind::Unknown},
  {124, "", "V-I Vendor Class", ValueKind::Unknown},
  {125, "", "V-I Vendor-Specific Information", ValueKind::Unknown},
  {128, "", "PXE - undefined (vendor specific)", ValueKind::Unknown},
  {129, "", "PXE - undefined (vendor specific)", ValueKind::Unknown},
  {130, "", "PXE - undefined (vendor specific)", ValueKind::Unknown},
  {131, "", "PXE - undefined (vendor specific)", ValueKind::Unknown},
  {132, "", "PXE - undefined (vendor specific)", ValueKind::Unknown},
  {133, "", "PXE - undefined (vendor specific)", ValueKind::Unknown},
  {134, "", "PXE - undefined (vendor specific)", ValueKind::Unknown},
  {135, "", "PXE - undefined (vendor specific)", ValueKind::Unknown},
  {136, "", "OPTION_PANA_AGENT", ValueKind::Unknown},
  {137, "", "OPTION_V4_LOST", ValueKind::Unknown},
  {138, "", "OPTION_CAPWAP_AC_V4", ValueKind::Unknown},
  {139, "", "OPTION-IPv4_Address-MoS", ValueKind::Unknown},
  {140, "", "OPTION-IPv4_FQDN-MoS", ValueKind::Unknown},
  {141, "", "SIP UA Configuration Service Domains", ValueKind::Unknown},
  {142, "", "OPTION-IPv4_Address-ANDSF", ValueKind::Unknown},
  {143, "", "OPTION_V4_SZTP_REDIRECT", ValueKind::Unknown},
  {144, "", "GeoLoc", ValueKind::Unknown},
  {145, "", "FORCERENEW_NONCE_CAPABLE", ValueKind::Unknown},
  {146, "", "RDNSS Selection", ValueKind::Unknown},
  {147, "", "OPTION_V4_DOTS_RI", ValueKind::Unknown},
  {148, "", "OPTION_V4_DOTS_ADDRESS", ValueKind::Unknown},
  {150, "TFTP-Server-Address", "TFTP server address", ValueKind::Ipv4List},
  {151, "", "status-code", ValueKind::Unknown},
  {152, "", "base-time", ValueKind::Unknown},
  {153, "", "start-time-of-state", ValueKind::Unknown},
  {154, "", "query-start-time", ValueKind::Unknown},
  {155, "", "query-end-time", ValueKind::Unknown},
  {156, "", "dhcp-state", ValueKind::Unknown},
  {157, "", "data-source", ValueKind::Unknown},
  {158, "", "OPTION_V4_PCP_SERVER", ValueKind::Unknown},
  {159, "", "OPTION_V4_PORTPARAMS", ValueKind::Unknown},
  {161, "MUD-URL", "OPTION_MUD_URL_V4", ValueKind::Text},
  {162, "", "OPTION_V4_DNR", ValueKind::Unknown},
  {175, "", "Etherboot (iPXE encapsulated options)", ValueKind::Special, "iPXE-Encap"},
  {176, "", "IP Telephone", ValueKind::Unknown},
  {177, "", "PacketCable and CableHome (replaced by 122)", ValueKind::Unknown},
  {208, "", "PXELINUX Magic", ValueKind::Hex, "PXELINUX-Magic"},
  {209, "", "Configuration File", ValueKind::Text, "PXELINUX-Config"},
  {210, "", "Path Prefix", ValueKind::Text, "PXELINUX-Prefix"},
  {211, "", "Reboot Time", ValueKind::U32, "PXELINUX-Reboot"},
  {212, "", "OPTION_6RD", ValueKind::Unknown},
  {213, "", "OPTION_V4_ACCESS_DOMAIN", ValueKind::Unknown},
  {220, "", "Subnet Allocation Option", ValueKind::Unknown},
  {221, "", "Virtual Subnet Selection (VSS) Option", ValueKind::Unknown},
  {249, "Classless-Static-Route-Microsoft", "", ValueKind::Special},
  {255, "END", "End", ValueKind::End},
};
// clang-format on

constexpr std::array<OptionInfo, 256> make_option_table() {
  std::array<OptionInfo, 256> t{};
  for (unsigned c = 0; c < 256; ++c) t[c].code = std::uint8_t(c);
  for (const OptionRow& r : kOptionRows)
    t[r.code] = OptionInfo{r.code, r.short_name, r.long_name, r.kind, r.pxe_name};
  return t;
}
}  // namespace detail

inline constexpr std::array<OptionInfo, 256> kOptionTable = detail::make_option_table();

constexpr const OptionInfo& option_info(std::uint8_t code) { return kOptionTable[code]; }

// Option codes this codec gives names to in code.
namespace opt {
inline constexpr std::uint8_t kPad = 0, kSubnetMask = 1, kRouter = 3, kDns = 6, kHostname = 12,
                              kBootFileSize = 13, kDomainName = 15, kVendorSpecific = 43,
                              kRequestedIp = 50, kLeaseTime = 51, kOverload = 52,
                              kMessageType = 53, kServerId = 54, kParamRequest = 55,
                              kMessage = 56, kMaxMessageSize = 57, kRenewalTime = 58,
                              kRebindingTime = 59, kVendorClass = 60, kClientId = 61,
                              kTftpServerName = 66, kBootfileName = 67, kUserClass = 77,
                              kRelayAgentInfo = 82, kClientArch = 93, kClientNdi = 94,
                              kClientUuid = 97, kIpxeEncap = 175, kPxelinuxMagic = 208,
                              kPxelinuxConfigFile = 209, kPxelinuxPathPrefix = 210,
                              kPxelinuxRebootTime = 211, kEnd = 255;
}  // namespace opt

enum class MessageType : std::uint8_t {
  Discover = 1, Offer = 2, Request = 3, Decline = 4, Ack = 5, Nak = 6, Release = 7, Inform = 8,
  ForceRenew = 9, LeaseQuery = 10, LeaseUnassigned = 11, LeaseUnknown = 12, LeaseActive = 13,
};
// tcpdump's names: "Discover", "Offer", "Request", "Decline", "ACK", "NACK", "Release", "Inform",
// and RFC 4388 "LeaseQuery" (10) .. "LeaseActive" (13); empty for other values.
std::string_view message_type_name(std::uint8_t type);

// Option 93 values (IANA "Processor Architecture Types", RFC 4578 §2.1 as corrected by the errata
// that swapped 7 and 9). Empty for unassigned values.
std::string_view client_arch_name(std::uint16_t arch);

// PXE option 43 sub-option names (PXE 2.1 spec; empty when unknown).
std::string_view pxe_suboption_name(std::uint8_t code);
// Relay agent information (82) sub-option names, tcpdump spelling ("Circuit-ID", ...).
std::string_view agent_suboption_name(std::uint8_t code);
// iPXE encapsulated option 175 sub-option names (iPXE include/ipxe/dhcp.h, features.h).
std::string_view ipxe_suboption_name(std::uint8_t code);

// One TLV item found by TlvCursor.
struct Tlv {
  std::uint8_t code = 0;
  ByteSpan data;            // the value (for Truncated: the bytes that were there)
  std::size_t offset = 0;   // offset of the code byte inside the walked span
  std::size_t length = 0;   // the declared length (may exceed data.size() when Truncated)
};

enum class TlvStep : std::uint8_t {
  Item,       // a code/len/data item
  Pad,        // a single 0 byte (only when pads_and_end)
  End,        // a 255 byte (only when pads_and_end)
  Done,       // no bytes left
  Truncated,  // the length byte is missing or the data runs past the span; walking stops
};

// Walks code/len/data items with every read bounds-checked. Never allocates.
class TlvCursor {
 public:
  // pads_and_end: treat 0 as a 1-byte pad and 255 as a 1-byte end (DHCP options, PXE 43);
  // false for sub-option spaces where every code has a length (relay agent 82).
  explicit TlvCursor(ByteSpan area, bool pads_and_end = true)
      : area_(area), pads_and_end_(pads_and_end) {}

  TlvStep next(Tlv& out);
  std::size_t offset() const { return pos_; }
  ByteSpan rest() const { return area_.subspan(pos_); }

 private:
  ByteSpan area_;
  std::size_t pos_ = 0;
  bool pads_and_end_;
  bool stopped_ = false;
};

}  // namespace pxe::wire::dhcp
