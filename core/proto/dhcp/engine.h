// The DHCP server engine, sans I/O: a datagram and the time in, actions out (replies with their
// RFC 2131 §4.1 destination, lease changes to persist before the replies go out, log events).
// Full DHCP service, proxyDHCP (dhcp-range=NET,proxy) and the PXE boot server on port 4011.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "base/clock.h"
#include "config/dhcp_settings.h"
#include "proto/dhcp/allocator.h"
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

// Is `ip` in use? The transport sends an ICMP echo request out of `interface` and answers with
// Engine::on_probe_result(id, answered, now) when a reply came or its wait is over.
struct Probe {
  std::uint64_t id = 0;
  Ipv4 ip;
  std::string interface;
};

struct Actions {
  std::vector<OutDatagram> replies;
  std::vector<LeaseChange> lease_changes;  // persist these before sending `replies`
  std::vector<LogEvent> log;
  std::vector<Probe> probes;  // ping checks to start (settings().ping_check)
  void clear() { replies.clear(); lease_changes.clear(); log.clear(); probes.clear(); }
};

struct Counters {
  std::uint64_t received = 0, malformed = 0, ignored = 0;
  std::uint64_t offers = 0, acks = 0, naks = 0, declines = 0, releases = 0, informs = 0;
  // DECLINEs and RELEASEs not acted on: no or another server id, an address we do not serve,
  // or a lease that is not the sender's (spoofed, or stale).
  std::uint64_t declines_ignored = 0, releases_ignored = 0;
  std::uint64_t hostnames_dropped = 0;  // option 12 that is not a legal host name
  std::uint64_t replies_too_big = 0;    // no reply fitted in the client's maximum size
  std::uint64_t proxy_offers = 0, boot_server_acks = 0;
  std::uint64_t probes = 0, probes_answered = 0;
};

// A declined address (or one that answered a ping check) is not offered again for this long
// (at most LeaseTable::kMaxDeclined such holds).
inline constexpr Duration kDeclineHold = std::chrono::minutes(10);
// A DISCOVER waiting for its ping check is forgotten after this long (the transport should
// have answered long before); at most this many wait at once.
inline constexpr Duration kProbeForget = std::chrono::seconds(10);
inline constexpr std::size_t kMaxProbes = 1024;
// An address whose ping went unanswered is offered without another ping for this long (the
// client's retransmissions); at most this many are remembered, the oldest forgotten first.
inline constexpr Duration kProbedFreeFor = std::chrono::seconds(60);
inline constexpr std::size_t kMaxProbedFree = 4096;

std::string fmt_xid(std::uint32_t xid);  // "3054726123" as dnsmasq's log-dhcp prefixes lines

class Engine {
 public:
  explicit Engine(config::DhcpSettings settings);

  void restore(const std::vector<Lease>& leases);
  // New settings (SIGHUP: dhcp-hostsfile, dhcp-optsfile re-read): every lease, offer on a range
  // that stays, and the pools' state are kept.
  void reload(config::DhcpSettings settings);
  // Appends to `out`.
  void on_datagram(ByteSpan payload, const DatagramMeta& meta, Timestamp now, Actions& out);
  // Expires offers, bindings and declines; call about once a second.
  void on_timer(Timestamp now, Actions& out);
  // The answer to a Probe: `answered` when the address replied (it is in use). The waiting
  // DISCOVER is then answered (or, if the address was in use, another address is probed).
  void on_probe_result(std::uint64_t id, bool answered, Timestamp now, Actions& out);

  const LeaseTable& leases() const { return leases_; }
  const Allocator& allocator() const { return alloc_; }
  std::size_t probes_waiting() const { return probing_.size(); }
  std::size_t probed_free() const { return probed_free_.size(); }
  const Counters& counters() const { return counters_; }
  const config::DhcpSettings& settings() const { return s_; }
  // No Info events (the server's log level is above info): saves building their text.
  void set_quiet(bool quiet) { quiet_ = quiet; }

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
  // Not the server, not bound/declined/offered to another client, not another host's.
  bool free_for(Context& c, Ipv4 ip) const;
  // Time-driven state: expired offers, bindings and declines; vacated addresses to the pools.
  void tick(Timestamp now, Actions& out);
  void return_vacated();
  void end_probe(std::uint64_t id);
  void ack(Context& c, Ipv4 ip, Actions& out);
  void nak(Context& c, const std::string& why, Actions& out);
  // File/sname/siaddr (dhcp-boot), or the PXE answer for PXE clients.
  void add_boot_fields(Context& c, wire::dhcp::Builder& b);
  void send(Context& c, wire::dhcp::Builder& b, const std::vector<std::uint8_t>& optional, Actions& out);
  bool lease_limit_reached(const Context& c) const;
  // True when the DISCOVER must wait for a ping check of `ip` (a probe is started or running).
  bool wait_for_probe(Context& c, ByteSpan payload, Ipv4 ip, Actions& out);
  // Builds the text only when the line will be kept (`text` returns a std::string).
  template <typename Text>
  void log(Actions& out, LogLevel level, Text&& text) const {
    if (level == LogLevel::Debug && !s_.log_dhcp) return;
    if (level == LogLevel::Info && quiet_) return;
    out.log.push_back({level, text()});
  }

  config::DhcpSettings s_;
  LeaseTable leases_;
  Counters counters_;
  struct WaitingDiscover {
    Bytes payload;
    DatagramMeta meta;
    Ipv4 ip;
    Timestamp since;
  };
  Allocator alloc_;
  absl::flat_hash_map<std::uint64_t, WaitingDiscover> probing_;
  absl::flat_hash_map<std::uint32_t, std::uint64_t> probing_ip_;  // address -> its probe
  std::deque<std::pair<std::uint64_t, Timestamp>> probe_order_;  // (id, since), oldest first
  absl::flat_hash_map<std::uint32_t, Timestamp> probed_free_;      // ip -> when its probe went unanswered
  std::deque<std::pair<std::uint32_t, Timestamp>> probed_order_;
  std::uint64_t next_probe_ = 1;
  bool after_probe_ = false;
  bool quiet_ = false;  // answering a DISCOVER again after its ping check (logged once)
  ByteSpan payload_;  // the datagram being handled (kept by a DISCOVER that waits for a probe)
};

}  // namespace pxe::proto::dhcp
