// pxekit serve: DHCP (+proxyDHCP, 4011), TFTP and SMB from a dnsmasq.conf, an smb.conf and/or flags, until
// SIGINT/SIGTERM (or --duration). The flags fill a server::ServeOptions; the assembly (open as
// root, become user=, threads, signals) is server::run_serve() in core/server/serve.h.
// Exit 0 when stopped, 2 usage (bad conf or flags, nothing to serve), 3 runtime error.
#include "cmd_serve.h"

#include <spdlog/spdlog.h>

#include "server/serve.h"

namespace pxekit {

void add_serve(CLI::App& app, int& exit_code) {
  struct Opts {
    pxe::server::ServeOptions s;
    std::string log_level = "info";
  };
  auto o = std::make_shared<Opts>();
  auto& s = o->s;
  auto* cmd = app.add_subcommand("serve", "Serve DHCP/proxyDHCP/4011, TFTP and SMB (dnsmasq.conf, smb.conf or flags)");
  cmd->add_option("-C,--conf-file", s.conf_path, "dnsmasq.conf to read");
  cmd->add_option("--tftp-root", s.tftp_root, "serve TFTP from this directory (implies --enable-tftp)");
  cmd->add_flag("--enable-tftp", s.enable_tftp, "enable the TFTP server");
  cmd->add_option("--listen-address", s.listen_address, "address the TFTP server binds");
  cmd->add_option("--tftp-port", s.tftp_port, "TFTP port (69)");
  cmd->add_option("--tftp-mtu", s.tftp_mtu,
                  "cap TFTP blksize at this MTU - 32 instead of the path MTU's (a larger value allows IP fragments)");
  cmd->add_option("--tftp-upload-dir", s.tftp_upload_dir,
                  "accept TFTP uploads (WRQ) into this directory (relative to the root, or absolute under it); "
                  "new files only");
  cmd->add_flag("--tftp-upload-overwrite", s.tftp_upload_overwrite,
                "let TFTP uploads replace existing files in the upload directory");
  cmd->add_option("--tftp-max", s.tftp_max, "running TFTP transfers in all (50)");
  cmd->add_option("--tftp-max-per-client", s.tftp_max_per_client,
                  "running TFTP transfers per client address (4; 0: no per-client cap)");
  cmd->add_option("--tftp-max-upload-size", s.tftp_max_upload_size,
                  "largest TFTP upload in bytes (default 4294967296); a larger one gets ERROR 3 and is not kept");
  cmd->add_option("--interface,-i", s.interfaces, "interface to serve on");
  cmd->add_option("--db", s.lease_db, "lease database (SQLite)");
  cmd->add_flag("--log-dhcp", s.log_dhcp, "log every DHCP option sent (debug level)");
  cmd->add_flag("--dhcp-ping", s.dhcp_ping, "ping a pool address before offering it (dnsmasq's default; off here)");
  cmd->add_option("-u,--user", s.user, "run as this user once sockets and files are open (default nobody; as root only)");
  cmd->add_option("-g,--group", s.group, "run as this group (default: the user's primary group)");
  cmd->add_option("--smb-conf", s.smb.conf_path, "smb.conf to read: its share sections are served over SMB2/3");
  cmd->add_option("--share", s.smb.shares, "serve this directory as an SMB share, NAME=PATH (repeatable)");
  cmd->add_option("--smb-user", s.smb.users, "an SMB account, USER:PASSWORD (repeatable)");
  cmd->add_option("--smb-port", s.smb.port, "SMB port (445, or the smb.conf's smb ports)");
  cmd->add_option("--smb-signing", s.smb.signing, "SMB signing: auto, required or disabled (default: the smb.conf's, else auto)")
      ->check(CLI::IsMember({"auto", "required", "disabled"}));
  cmd->add_option("--duration", s.duration, "stop after this many seconds (0: until signalled)");
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  cmd->callback([o, &exit_code] {
    spdlog::set_level(spdlog::level::from_str(o->log_level));
    auto cfg = pxe::server::serve_config(o->s);
    if (!cfg) {
      spdlog::error("{}", cfg.error().what);
      exit_code = 2;
      return;
    }
    auto r = pxe::server::run_serve(std::move(*cfg), o->s.duration);
    if (!r) {
      spdlog::error("{}", r.error().what);
      exit_code = 3;
      return;
    }
    exit_code = 0;
  });
}

}  // namespace pxekit
