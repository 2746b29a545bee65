// The DHCP server engine, sans I/O: a datagram and the time in, actions out (replies with their
// RFC 2131 §4.1 destination, lease changes to persist before the replies go out, log events).
// Full DHCP service, proxyDHCP (dhcp-range=NET,proxy) and the PXE boot server on port 4011.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "config/dhcp_settings.h"
#include "proto/dhcp/classify.h"
#include "proto/dhcp/delivery.h"
#include "proto/dhcp/lease_table.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::proto::dhcp {

struct InterfaceInfo {
  std::string name;
  Ipv4 address;
  Ipv4 netmask;
};

struct DatagramMeta {
  InterfaceInfo iface;            // where it arrived (IP_PKTINFO)
  Ipv4 src_ip;
  std::uint16_t src_port = 68;
  Ipv4 dst_ip;
  std::uint16_t local_port = 67;  // 67, or the boot server port (4011)
};

struct OutDatagram {
  Bytes payload;
  Destination to;
  std::string interface;
  std::uint16_t from_port = 67;
  Ipv4 from_ip;
};

enum class LogLevel : std::uint8_t { Debug, Info, Warn };
struct LogEvent {
  LogLevel level = LogLevel::Info;
  std::string text;  // dnsmasq's form: "DHCPOFFER(eth0) 192.168.42.17 52:54:00:42:00:10"
};

struct Actions {
  std::vector<OutDatagram> replies;
  std::vector<LeaseChange> lease_changes;  // persist these before sending `replies`
  std::vector<LogEvent> log;
  void clear() { replies.clear(); lease_changes.clear(); log.clear(); }
};

struct Counters {
  std::uint64_t received = 0, malformed = 0, ignored = 0;
  std::uint64_t offers = 0, acks = 0, naks = 0, declines = 0, releases = 0, informs = 0;
  std::uint64_t proxy_offers = 0, boot_server_acks = 0;
};

// Offers hold their address this long before another client may get it.
inline constexpr Duration kOfferHold = std::chrono::seconds(60);
// A declined address is not offered again for this long.
inline constexpr Duration kDeclineHold = std::chrono::minutes(10);

std::string fmt_xid(std::uint32_t xid);  // "3054726123" as dnsmasq's log-dhcp prefixes lines

class Engine {
 public:
  explicit Engine(config::DhcpSettings settings);

  void restore(const std::vector<Lease>& leases) { leases_.restore(leases); }
  // Appends to `out`.
  void on_datagram(ByteSpan payload, const DatagramMeta& meta, Timestamp now, Actions& out);
  // Expires offers and declines; call about once a second.
  void on_timer(Timestamp now, Actions& out);

  const LeaseTable& leases() const { return leases_; }
  const Counters& counters() const { return counters_; }
  const config::DhcpSettings& settings() const { return s_; }

 private:
  struct Context;  // one request being answered
  void on_discover(Context& c, Actions& out);
  void on_request(Context& c, Actions& out);
  void on_decline(Context& c, Actions& out);
  void on_release(Context& c, Actions& out);
  void on_inform(Context& c, Actions& out);
  void on_proxy(Context& c, Actions& out);
  void on_boot_server(Context& c, Actions& out);

  struct Verdict {
    enum Kind : std::uint8_t { Ack, Nak, Silent } kind;
    std::string why;
  };
  Verdict judge_request(Context& c, Ipv4 ip, bool selecting);
  std::optional<Ipv4> choose_address(Context& c);
  bool reserved_for_other_host(Ipv4 ip, const Client& client) const;
  void ack(Context& c, Ipv4 ip, Actions& out);
  void nak(Context& c, const std::string& why, Actions& out);
  // File/sname/siaddr (dhcp-boot), or the PXE answer for PXE clients.
  void add_boot_fields(Context& c, wire::dhcp::Builder& b);
  void send(Context& c, wire::dhcp::Builder& b, const std::vector<std::uint8_t>& optional, Actions& out);
  void log(Actions& out, LogLevel level, std::string text) const;

  config::DhcpSettings s_;
  LeaseTable leases_;
  Counters counters_;
};

}  // namespace pxe::proto::dhcp
