// pxekit replay CAPTURE (--in-process -C dnsmasq.conf [--tftp-root DIR] [--interface-name NAME]
//                | --interface IFACE) [--server-ip IP] [--format text|json] [--strict] [-v]
// Sends the capture's client datagrams (DHCP to 67/4011, TFTP requests/ACKs/ERRORs) again, at
// their recorded times, to pxekit's own server built from the dnsmasq.conf, on an in-memory link
// whose server interface takes the capture server's address; then compares the answers with the
// recorded ones field by field. With --interface IFACE the same datagrams go out on a real segment
// (packet socket: root or CAP_NET_RAW) to a server that has the capture server's address. Exit 0 when they match, 1 with the differences, 2 usage, 3 when
// the capture or the configuration cannot be read.
#include "cmd_replay.h"

#include <cstdio>

#include "config/serve_config.h"
#include "replay/replay.h"
#include "replay/script.h"

namespace pxekit {

void add_replay(CLI::App& app, int& exit_code) {
  struct Opts {
    std::string capture;
    bool in_process = false;
    std::string interface;
    std::string conf;
    std::string tftp_root;
    std::string server_ip;
    std::string ifname;
    std::string format = "text";
    bool strict = false;
    bool verbose = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("replay", "Replay a capture's client side against a server and compare the answers");
  cmd->add_option("capture", o->capture, "pcap/pcapng file")->required();
  cmd->add_flag("--in-process", o->in_process, "against pxekit's own server in this process (no sockets)");
  cmd->add_option("--interface", o->interface, "against the server on this interface's segment (it has the capture server's address)");
  cmd->add_option("-C,--conf", o->conf, "dnsmasq.conf the in-process server runs with");
  cmd->add_option("--tftp-root", o->tftp_root, "TFTP root instead of the conf's tftp-root");
  cmd->add_option("--server-ip", o->server_ip,
                  "the server in the capture to compare with and whose address the in-process server takes "
                  "(default: the TFTP server, else the one giving a boot file)");
  cmd->add_option("--interface-name", o->ifname, "the in-process server's interface name (default: the conf's interface=)");
  cmd->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--strict", o->strict, "a different address (yiaddr), answer count, OACK or error text fails too");
  cmd->add_flag("-v,--verbose", o->verbose, "print the in-process server's log");
  cmd->callback([o, &exit_code] {
    const bool on_interface = !o->interface.empty();
    if (on_interface && (o->in_process || !o->conf.empty() || !o->tftp_root.empty())) {
      std::fprintf(stderr, "pxekit replay: --interface replays against the server on the wire: no --in-process, -C or --tftp-root\n");
      exit_code = 2;
      return;
    }
    if (!on_interface && (!o->in_process || o->conf.empty())) {
      std::fprintf(stderr, "pxekit replay: give --in-process -C dnsmasq.conf, or --interface IFACE\n");
      exit_code = 2;
      return;
    }
    std::optional<pxe::Ipv4> server;
    if (!o->server_ip.empty()) {
      server = pxe::Ipv4::parse(o->server_ip);
      if (!server) {
        std::fprintf(stderr, "pxekit replay: --server-ip: not an IPv4 address: %s\n", o->server_ip.c_str());
        exit_code = 2;
        return;
      }
    }
    auto fail = [&](const pxe::Error& e) {
      std::fprintf(stderr, "pxekit replay: %s\n", e.what.c_str());
      exit_code = 3;
    };
    auto script = pxe::replay::load_script(o->capture, server);
    if (!script) return fail(script.error());
    pxe::replay::ReplayOptions ro;
    ro.compare.strict = o->strict;
    pxe::Result<pxe::replay::ReplayResult> r = [&]() -> pxe::Result<pxe::replay::ReplayResult> {
      if (on_interface) return pxe::replay::replay_on_interface(*script, o->interface, ro);
      std::vector<std::string> ignored;
      auto cfg = pxe::replay::load_conf_for_replay(o->conf, &ignored);
      if (!cfg) return cfg.error();
      if (o->verbose)
        for (const auto& l : ignored) std::fprintf(stderr, "ignored (no effect on answers): %s\n", l.c_str());
      if (!o->tftp_root.empty()) cfg->tftp.root = o->tftp_root;
      if (!o->ifname.empty()) ro.ifname = o->ifname;
      return pxe::replay::replay_in_process(*script, *cfg, ro);
    }();
    if (!r) return fail(r.error());
    if (o->verbose)
      for (const auto& l : r->server_log) std::fprintf(stderr, "server: %s\n", l.c_str());
    const std::string out = o->format == "json" ? pxe::replay::to_json(r->comparison)
                                                : pxe::replay::to_text(r->comparison);
    std::fputs(out.c_str(), stdout);
    exit_code = r->comparison.matches() ? 0 : 1;
  });
}

}  // namespace pxekit
