// `pxekit client --in-process`, assembled: a Link with a ManualClock (real firmware timing costs
// no wall time), the in-process server built from a dnsmasq.conf, N simulated clients, the
// faults as the Link's hook, and the frames recorded to a pcap when asked.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/result.h"
#include "client/faults.h"
#include "client/simulated_client.h"
#include "config/smb_options.h"

namespace pxe::client {

struct SessionOptions {
  std::string conf_path;                 // -C dnsmasq.conf
  std::optional<std::string> tftp_root;  // --tftp-root: replaces the conf's tftp-root
  std::string profile = "bios";
  std::optional<Mac> mac;                // the first client's; the others count up from it
  std::optional<Stage> until;
  std::optional<std::string> label;
  std::optional<NetUse> net_use;         // --net-use (winpe): the share WinPE mounts
  config::SmbOptions smb;                // in-process: the server's SMB flags, as `pxekit serve`'s
  unsigned count = 1;
  Duration ramp{};                       // between two clients' power-on (--ramp 50/s: 20 ms)
  unsigned time_divisor = 1;             // --timing fast: 100 in-process, 10 on an interface
  std::vector<Fault> faults;
  std::string record;                    // pcap path, empty: none
  std::uint32_t seed = 1;
  // --interface with one client: where the progress bar of a long file goes (a terminal); unset:
  // no bar.
  std::function<void(std::string_view)> progress;
};

struct SessionResult {
  std::vector<ClientReport> clients;
  std::vector<std::string> server_log;
  std::vector<std::string> fault_log;
  Mac server_mac;
  Ipv4 server_ip;
  Duration simulated{};  // from power-on to the last client's end
  bool wall_clock = false;  // `simulated` is real time (--interface), not the Link's clock
  std::uint64_t frames_dropped = 0;  // --interface: frames the packet socket lost (buffer full)
  Stage until = Stage::Menu;
  bool all_ok() const;
};

// The default first client MAC (the QEMU lab's, as in captures/).
Mac default_client_mac();
// The n-th MAC counting up from `first` (n = 0: first).
Mac nth_mac(const Mac& first, std::uint32_t n);

// Runs every client to its end. An error: the config cannot be read, the server cannot start,
// the pcap cannot be written, or an unknown profile.
Result<SessionResult> run_in_process(const SessionOptions& options);

// A text report: each client's screen (when one client, or `verbose`), the steps (-v), the stage
// times, and a last line per client: "52:54:00:42:00:10 reached menu in 5.123 s" or
// "... failed in dhcp: no-boot-filename".
std::string render_session(const SessionResult& r, bool verbose);

}  // namespace pxe::client
