// pxekit client: simulated PXE clients walking a netboot (DHCP, boot server, ARP, TFTP, pxelinux's
// config search and menu, kernel/initrd, WinPE's DHCP and `net use` of the install share over
// SMB2) with each firmware's (and Windows') words on the screen.
// In-process against `pxekit serve`'s engines (no sockets), or --interface IFACE: on a real
// segment against whatever server answers there (a packet socket: root or CAP_NET_RAW).
// Exit 0 when every client reached --until, 1 when one failed, 2 usage, 3 runtime error.
#include "cmd_client.h"

#include <cstdio>
#include <unistd.h>

#include "client/interface_session.h"
#include "client/session.h"

namespace pxekit {

void add_client(CLI::App& app, int& exit_code) {
  struct Opts {
    pxe::client::SessionOptions s;
    bool in_process = false;
    std::string interface;
    std::string mac;
    std::string until;
    std::string label;
    std::string tftp_root;
    std::string timing = "real";
    std::string ramp;
    std::vector<std::string> faults;
    std::string net_use, net_user;
    bool require_signing = false;
    bool verbose = false;
    double time_limit = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("client", "Simulated PXE clients: boot as a firmware would and print what its screen shows");
  cmd->add_flag("--in-process", o->in_process, "run against pxekit serve's engines in this process (no sockets)");
  cmd->add_option("--interface", o->interface, "run on this network interface against the server on its segment (needs CAP_NET_RAW)");
  cmd->add_option("--time-limit", o->time_limit, "with --interface: give up after this many seconds (default 900 real, 120 fast)");
  cmd->add_option("-C,--conf-file", o->s.conf_path, "dnsmasq.conf for the in-process server");
  cmd->add_option("--tftp-root", o->tftp_root, "TFTP root for the in-process server (replaces tftp-root=)");
  cmd->add_option("--profile", o->s.profile, "bios, uefi, ipxe, linux or winpe")
      ->check(CLI::IsMember({"bios", "uefi", "ipxe", "linux", "winpe"}))
      ->capture_default_str();
  cmd->add_option("--mac", o->mac, "the first client's MAC (default 52:54:00:42:00:10; more count up)");
  cmd->add_option("--until", o->until,
                  "stop when this stage is reached: dhcp, bootserver, arp, tftp-nbp, pxelinux-config, menu, kernel, "
                  "winpe-dhcp (default: menu; winpe-dhcp for winpe; dhcp for linux)");
  cmd->add_option("--label", o->label, "the pxelinux label to boot (default: the config's default)");
  cmd->add_option("--count", o->s.count, "number of clients")->check(CLI::Range(1u, 100000u));
  cmd->add_option("--ramp", o->ramp, "power clients on at this rate, e.g. 50/s (default: all at once)");
  cmd->add_option("--timing", o->timing, "real (firmware timers) or fast (timers divided by 100 in-process, by 10 on an interface)")
      ->check(CLI::IsMember({"real", "fast"}));
  cmd->add_option("--net-use", o->net_use,
                  "winpe: the share WinPE mounts, \\\\SERVER\\SHARE (SERVER an IPv4 address); then it reads setup.exe");
  cmd->add_option("--net-user", o->net_user, "winpe: net use's /user:USER PASSWORD, as USER:PASSWORD (default: none, anonymous)");
  cmd->add_flag("--require-signing", o->require_signing,
                "winpe: the client requires SMB signing, as Windows 11 24H2 does (a guest session is then refused: "
                "System error 1272)");
  cmd->add_option("--smb-conf", o->s.smb.conf_path, "in-process: the server's smb.conf (as pxekit serve --smb-conf)");
  cmd->add_option("--share", o->s.smb.shares, "in-process: a server share NAME=PATH (as pxekit serve --share)");
  cmd->add_option("--smb-user", o->s.smb.users, "in-process: a server account USER:PASSWORD (as pxekit serve --smb-user)");
  cmd->add_option("--smb-signing", o->s.smb.signing, "in-process: the server's SMB signing: auto, required or disabled");
  cmd->add_option("--fault", o->faults,
                  "drop:WHAT[:N], delay:WHAT:DUR, corrupt:optNN, no-arp-reply, mtu:N (repeatable)");
  cmd->add_option("--record", o->s.record, "write the frames sent and received to this pcap file");
  cmd->add_option("--seed", o->s.seed, "random seed (xids)");
  cmd->add_flag("-v,--verbose", o->verbose, "each step and the packet that caused it, the stage times");
  cmd->callback([o, cmd, &exit_code] {
    auto usage = [&](const std::string& why) {
      std::fprintf(stderr, "pxekit client: %s\n", why.c_str());
      exit_code = 2;
    };
    const bool on_interface = !o->interface.empty();
    if (on_interface && o->in_process) return usage("give --interface IFACE or --in-process, not both");
    if (!on_interface && !o->in_process)
      return usage("give --interface IFACE or --in-process (with -C dnsmasq.conf)\n" + cmd->help());
    if (o->in_process && o->s.conf_path.empty()) return usage("--in-process needs -C dnsmasq.conf");
    if (on_interface && (!o->s.conf_path.empty() || !o->tftp_root.empty() || o->s.smb.any()))
      return usage("-C, --tftp-root and the server's SMB flags are for --in-process; with --interface the server is "
                   "on the wire");
    if (!o->net_use.empty()) {
      if (o->s.profile != "winpe") return usage("--net-use is for --profile winpe");
      auto nu = pxe::client::parse_unc(o->net_use);
      if (!nu) return usage("--net-use " + nu.error().what);
      if (!o->net_user.empty()) {
        auto colon = o->net_user.find(':');
        if (colon == std::string::npos || colon == 0) return usage("--net-user " + o->net_user + ": expected USER:PASSWORD");
        nu->user = o->net_user.substr(0, colon);
        nu->password = o->net_user.substr(colon + 1);
      }
      nu->require_signing = o->require_signing;
      o->s.net_use = std::move(*nu);
    } else if (!o->net_user.empty() || o->require_signing) {
      return usage("--net-user and --require-signing need --net-use");
    }
    if (!o->mac.empty()) {
      o->s.mac = pxe::Mac::parse(o->mac);
      if (!o->s.mac) return usage("--mac " + o->mac + ": expected a MAC like 52:54:00:42:00:10");
    }
    if (!o->until.empty()) {
      o->s.until = pxe::client::stage_from_name(o->until);
      if (!o->s.until) return usage("--until " + o->until + ": not a stage (dhcp, bootserver, arp, tftp-nbp, "
                                    "pxelinux-config, menu, kernel, winpe-dhcp, winpe-share)");
    }
    if (!o->label.empty()) o->s.label = o->label;
    if (!o->tftp_root.empty()) o->s.tftp_root = o->tftp_root;
    // In-process the server answers in simulated time, so timers can shrink a hundredfold. On a
    // wire a busy server takes tens to hundreds of milliseconds per answer when hundreds of
    // clients power on at once: a 40 ms DHCP timeout would give up on answers already on their
    // way, so fast timing there divides by 10 (a 400 ms first DHCP timeout).
    o->s.time_divisor = o->timing != "fast" ? 1 : on_interface ? 10 : 100;
    if (!o->ramp.empty()) {
      unsigned rate = 0;
      auto slash = o->ramp.find("/s");
      try {
        rate = slash == std::string::npos ? 0 : unsigned(std::stoul(o->ramp.substr(0, slash)));
      } catch (const std::exception&) {
        rate = 0;
      }
      if (rate == 0 || slash + 2 != o->ramp.size()) return usage("--ramp " + o->ramp + ": expected a rate like 50/s");
      o->s.ramp = std::chrono::microseconds(1000000 / rate);
    }
    for (const auto& spec : o->faults) {
      auto f = pxe::client::parse_fault(spec);
      if (!f) return usage(f.error().what);
      o->s.faults.push_back(std::move(*f));
    }
    // One machine on a real interface, stderr a terminal: a bar for its long files.
    if (on_interface && o->s.count == 1 && ::isatty(STDERR_FILENO)) {
      o->s.progress = [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stderr);
        std::fflush(stderr);
      };
    }
    auto r = on_interface
                 ? pxe::client::run_on_interface(
                       o->s, o->interface,
                       o->time_limit > 0 ? pxe::Duration(static_cast<std::int64_t>(o->time_limit * 1e6))
                                         : pxe::client::default_interface_limit(o->s.time_divisor))
                 : pxe::client::run_in_process(o->s);
    if (!r) {
      std::fprintf(stderr, "pxekit client: %s\n", r.error().what.c_str());
      exit_code = 3;
      return;
    }
    std::string out = pxe::client::render_session(*r, o->verbose);
    std::fwrite(out.data(), 1, out.size(), stdout);
    exit_code = r->all_ok() ? 0 : 1;
  });
}

}  // namespace pxekit
