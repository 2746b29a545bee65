// Replays a script (replay/script.h) against pxekit's own server, in-process on a transport::Link
// with a ManualClock: each client datagram goes out as a frame at its recorded time (relative to
// the first), the answers are collected per conversation and compared with the recorded ones.
//
// Matching: DHCP answers by xid and chaddr (4011 answers by their port); TFTP by the client's
// endpoint, the new server's TID latched from its first answer. The client's ACKs/ERRORs of a
// transfer go to the port the NEW server answered from (the recorded TID is rewritten), so the
// recorded client side drives the new server's transfer block by block.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/serve_config.h"
#include "replay/compare.h"
#include "replay/script.h"

namespace pxe::replay {

struct ReplayOptions {
  // The server's interface: the capture server's address and MAC (Script::server_ip/mac), the
  // conf's first interface= name unless given here.
  std::optional<std::string> ifname;
  Ipv4 netmask{255, 255, 255, 0};
  // How long the server may still answer after the last client datagram.
  Duration settle = std::chrono::seconds(2);
  CompareOptions compare;
};

struct ReplayResult {
  std::vector<std::vector<Datagram>> replayed;  // per conversation, the new server's answers
  std::size_t stray = 0;                         // answers that belong to no conversation
  Comparison comparison;
  std::vector<std::string> server_log;           // what `pxekit serve` would have logged
};

// Reads a dnsmasq.conf for the in-process server. Lines that only say where a daemon keeps its
// log and pid (log-facility, pid-file, keep-in-foreground, log-async) change no answer, and
// `pxekit serve` does not take them: they are skipped (listed in `ignored` as "FILE:LINE: text"),
// keeping line numbers in errors. Everything else goes through config::parse_dnsmasq_conf and
// the dhcp-hostsfile/optsfile it names are read.
Result<config::ServeConfig> read_conf_for_replay(std::istream& in, const std::string& name,
                                                 std::vector<std::string>* ignored = nullptr);
Result<config::ServeConfig> load_conf_for_replay(const std::string& path, std::vector<std::string>* ignored = nullptr);

// An error only when the server cannot be set up (e.g. a TFTP root that cannot be opened).
Result<ReplayResult> replay_in_process(const Script& script, const config::ServeConfig& cfg,
                                       const ReplayOptions& options = {});

// The same against a real server on `ifname` (a packet socket: root or CAP_NET_RAW), in real
// time from now: the server must have the capture server's address on that segment (its MAC is
// asked by ARP); the player answers ARP for the capture's client addresses. `ifname` and
// `netmask` in the options are not used; server_log stays empty.
Result<ReplayResult> replay_on_interface(const Script& script, const std::string& ifname,
                                         const ReplayOptions& options = {});

}  // namespace pxe::replay
