// DHCP server settings (dnsmasq.conf's DHCP lines and pxekit serve flags), consumed by
// proto/dhcp (the engine) and server/dhcp (sockets, lease database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"

namespace pxe::config {

// A tag condition list as dnsmasq writes it: `tag:efi` must be set, `tag:!efi` must not be.
struct TagCondition {
  std::string name;
  bool negated = false;
  friend bool operator==(const TagCondition&, const TagCondition&) = default;
};
using TagConditions = std::vector<TagCondition>;

inline constexpr std::uint32_t kInfiniteLease = 0xffffffff;

// dhcp-range=[set:T,][tag:T,]START,END[,NETMASK][,LEASE]  or  NET,proxy[,NETMASK]
//   or  NET,static[,NETMASK][,LEASE] (only dhcp-host addresses are given on that network)
struct DhcpRange {
  TagConditions tags;     // tag: conditions (the range applies only when they hold)
  std::string set_tag;    // set: tag given to clients served from this range
  Ipv4 start, end;        // for proxy: start = end = the network
  Ipv4 netmask;           // zero: the receiving interface's, else /24
  bool proxy = false;
  bool static_only = false;  // `static`: no pool, only dhcp-host addresses
  std::uint32_t lease_s = 3600;  // dnsmasq's default: 1h
};

// dhcp-option[-force]=[tag:T,...][encap:N,|vendor:CLASS,]CODE|option:NAME,VALUES
struct DhcpOptionValue {
  TagConditions tags;
  std::uint8_t code = 0;  // with `encap`: the sub-option code inside option `encap`
  std::uint8_t encap = 0;    // encap:N -> N; vendor:CLASS -> 43 (vendor-specific information)
  std::string vendor_class;  // vendor:CLASS: only for clients whose option 60 contains CLASS
  Bytes value;
  bool force = false;     // dhcp-option-force: sent even when not in the parameter request list
  // Positions (byte offsets) of 0.0.0.0 addresses in `value`: "this server's address".
  std::vector<std::size_t> self_address_at;
  std::string from_file;  // the dhcp-optsfile it came from (re-read on SIGHUP); empty: the conf
};

// dhcp-boot=[tag:T,]FILE[,SNAME[,SERVER_ADDRESS]]
struct DhcpBoot {
  TagConditions tags;
  std::string file;
  std::string sname;
  std::optional<Ipv4> server;
};

// dhcp-host=[MAC][,id:CLIENT_ID|id:*][,set:T][,IP][,HOSTNAME][,LEASE][,ignore]
// Matched by client id (option 61) first, then by MAC, then (a line with neither) by the name
// the client sends in option 12.
struct DhcpHost {
  Mac mac;
  bool has_mac = false;
  Bytes client_id;                // id:01:02:.. (hex) or id:text; empty: not matched by id
  bool ignore_client_id = false;  // id:*: the binding is keyed by MAC even if option 61 is sent
  std::optional<Ipv4> ip;
  std::string hostname;
  std::string set_tag;
  std::optional<std::uint32_t> lease_s;
  bool ignore = false;
  std::string from_file;  // the dhcp-hostsfile it came from (re-read on SIGHUP); empty: the conf
};

// dhcp-match=set:T,CODE|option:NAME[,VALUE]; dhcp-vendorclass / dhcp-userclass=set:T,STRING
struct DhcpMatch {
  std::string set_tag;
  std::uint8_t code = 0;
  enum class Kind : std::uint8_t { Present, Number, Text, Bytes } kind = Kind::Present;
  std::uint64_t number = 0;  // Kind::Number: equal to one element of the option
  Bytes bytes;               // Kind::Text (substring) / Kind::Bytes (exact prefix)
};

// tag-if=set:T[,set:T2...][,tag:C...]
struct TagIf {
  std::vector<std::string> set_tags;
  TagConditions when;
};

// pxe-service=[tag:T,]CSA,"MENU TEXT"[,BASENAME|TYPE][,SERVER]
struct PxeService {
  TagConditions tags;
  std::uint16_t csa = 0;          // client system architecture (option 93 value)
  std::string menu_text;
  std::string basename;           // empty: boot from local disk (type 0)
  std::uint16_t type = 0;         // 43.8/43.9/43.71 boot server type
  std::optional<Ipv4> server;     // absent: this server
};

// pxe-prompt=[tag:T,]"PROMPT"[,TIMEOUT]
struct PxePrompt {
  TagConditions tags;
  std::string text;
  std::uint8_t timeout = 10;
};

struct DhcpSettings {
  bool enabled = false;                 // a dhcp-range (or --interface quick start) was given
  std::vector<std::string> interfaces;  // interface=
  std::vector<std::string> except_interfaces;  // except-interface=
  bool bind_interfaces = false;         // bind-interfaces
  std::string lease_db;                 // dhcp-leasefile / --db (SQLite)
  bool log_dhcp = false;                // log-dhcp
  bool authoritative = false;           // dhcp-authoritative: NAK/ACK requests for unknown leases
  std::string domain;                   // domain= (option 15 when not configured otherwise)
  std::vector<DhcpRange> ranges;
  std::vector<DhcpOptionValue> options;
  std::vector<DhcpBoot> boots;
  std::vector<DhcpHost> hosts;
  // dhcp-hostsfile= / dhcp-optsfile=: files (or directories) of dhcp-host / dhcp-option values,
  // one a line, read at start and again on SIGHUP.
  std::vector<std::string> hostsfiles;
  std::vector<std::string> optsfiles;
  std::vector<DhcpMatch> matches;
  std::vector<TagIf> tag_ifs;
  std::vector<PxeService> pxe_services;
  std::vector<PxePrompt> pxe_prompts;
  std::vector<std::string> pxe_vendors = {"PXEClient"};  // dhcp-pxe-vendor
  std::optional<std::uint32_t> lease_max;  // dhcp-lease-max: most addresses held at once
  // Probe a pool address (ICMP echo) before offering it; an answered probe holds the address
  // like a DECLINE. Off by default (dnsmasq pings by default; `no-ping` is accepted).
  bool ping_check = false;
  std::uint16_t port = 67;              // dhcp-alternate-port / tests
  std::uint16_t boot_server_port = 4011;
};

}  // namespace pxe::config
