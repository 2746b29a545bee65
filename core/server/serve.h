// `pxekit serve`, assembled: the services a ServeConfig enables (DHCP with proxyDHCP and 4011,
// TFTP, SMB), each opened with its own sockets and files while still root, then the switch to user=
// keeping only the capabilities they still need, then their threads, then the main thread's loop
// over a signalfd: SIGHUP re-reads dhcp-hostsfile / dhcp-optsfile, SIGINT/SIGTERM (or the
// duration) stop every service, last started first.
//
// tools/pxekit/cmd_serve.cpp fills ServeOptions from the command line; everything else is here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/serve_config.h"
#include "config/smb_options.h"

namespace pxe::server {

// pxekit serve's flags, on top of the dnsmasq.conf they name.
struct ServeOptions {
  std::string conf_path;                    // -C dnsmasq.conf; empty: flags only
  std::string tftp_root;                    // --tftp-root: replaces tftp-root=, implies TFTP
  bool enable_tftp = false;                 // --enable-tftp
  std::string listen_address = "0.0.0.0";   // --listen-address: what the TFTP and SMB servers bind
  std::uint16_t tftp_port = 69;
  std::uint32_t tftp_mtu = 0;               // 0: blksize capped by the path MTU
  std::string tftp_upload_dir;              // empty: uploads (WRQ) refused
  bool tftp_upload_overwrite = false;
  std::uint64_t tftp_max_upload_size = 0;   // 0: the settings' default
  std::optional<std::uint32_t> tftp_max;
  std::optional<std::uint32_t> tftp_max_per_client;  // 0: no per-client cap
  std::vector<std::string> interfaces;      // -i; without -C, a quick start on the first one
  std::string lease_db;                     // --db
  bool log_dhcp = false;
  bool dhcp_ping = false;
  std::string user;                         // -u; empty: user= from the conf, else nobody
  std::string group;                        // -g
  config::SmbOptions smb;                   // --smb-conf, --share, --smb-user, --smb-port, --smb-signing
  double duration = 0;                      // seconds; 0: until SIGINT/SIGTERM
};

// The ServeConfig the options describe: the dnsmasq.conf (and the hosts/opts files it names)
// with the flags applied over it. An error is the user's to fix (exit 2): the conf does not
// parse, --interface names no interface with an IPv4 address (quick start), nothing to serve.
Result<config::ServeConfig> serve_config(const ServeOptions& options);

// Runs the enabled services until SIGINT/SIGTERM or `duration` seconds (0: no limit). An error
// (exit 3) says which service could not open what, or that the privilege switch failed; nothing
// has been started then. Must be called before the process starts any thread (signals are
// blocked for every thread, capabilities are per thread).
Result<void> run_serve(config::ServeConfig config, double duration);

}  // namespace pxe::server
