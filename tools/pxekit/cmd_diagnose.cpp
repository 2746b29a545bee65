// pxekit diagnose: explain each client's netboot from a capture, a live interface or a dnsmasq
// log. Exit 1 when any client failed, 0 when all booted as far as the input shows.
#include "cmd_diagnose.h"

#include <csignal>
#include <cstdio>
#include <fstream>

#include "diag/diagnose.h"
#include "diag/html_report.h"
#include "diag/render.h"

namespace pxekit {

namespace {
volatile bool g_stop = false;
void on_signal(int) { g_stop = true; }
}  // namespace

void add_diagnose(CLI::App& app, int& exit_code) {
  struct Opts {
    pxe::diag::DiagnoseOptions d;
    std::string format = "text";
    std::string html;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("diagnose", "Explain why a netboot failed: per client, the stage reached, the "
                                             "firmware message, the evidence and the fix");
  cmd->add_option("capture", o->d.file, "pcap or pcapng file");
  auto* live = cmd->add_option("--live,-i", o->d.live.interface, "diagnose live on this interface");
  cmd->add_option("--duration", o->d.duration_s, "live: stop after this many seconds (default: until Ctrl-C)");
  auto* log = cmd->add_option("--dnsmasq-log", o->d.dnsmasq_logs, "diagnose from dnsmasq log(s) instead of packets (repeat for several servers)");
  cmd->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--html", o->html, "also write a self-contained HTML report with a ladder diagram");
  cmd->callback([o, live, log, cmd, &exit_code] {
    int sources = !o->d.file.empty() + (live->count() > 0) + (log->count() > 0);
    if (sources != 1) {
      std::fprintf(stderr, "pxekit diagnose: give one of a capture file, --live IFACE or --dnsmasq-log FILE\n%s",
                   cmd->help().c_str());
      exit_code = 2;
      return;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    auto report = pxe::diag::diagnose(o->d, &g_stop);
    if (!report) {
      std::fprintf(stderr, "pxekit diagnose: %s\n", report.error().what.c_str());
      exit_code = 3;
      return;
    }
    std::string out = o->format == "json" ? pxe::diag::render_json(*report) : pxe::diag::render_text(*report);
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (!o->html.empty()) {
      std::ofstream f(o->html, std::ios::binary | std::ios::trunc);
      f << pxe::diag::render_html(*report);
      if (!f) {
        std::fprintf(stderr, "pxekit diagnose: cannot write %s\n", o->html.c_str());
        exit_code = 3;
        return;
      }
    }
    exit_code = report->any_failed() ? 1 : 0;
  });
}

}  // namespace pxekit
