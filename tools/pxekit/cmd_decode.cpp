// pxekit decode: print every frame of a capture (or a live interface) like tcpdump -vv, with
// DHCP/PXE options, TFTP on the transfer's ports and SMB2 decoded; or as JSON lines.
#include "cmd_decode.h"

#include <csignal>
#include <cstdio>

#include "print/decode.h"

namespace pxekit {

namespace {
volatile bool g_stop = false;
void on_signal(int) { g_stop = true; }
}  // namespace

void add_decode(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<pxe::print::DecodeOptions>();
  auto format = std::make_shared<std::string>("text");
  auto tcount = std::make_shared<int>(0);
  auto time = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("decode", "Decode PXE traffic (DHCP/BOOTP, TFTP, ARP, ICMP, SMB2) "
                                           "from a pcap/pcapng file or a live interface");
  cmd->add_option("capture", opts->file, "pcap or pcapng file to read");
  auto* live = cmd->add_option("--live,-i", opts->live.interface, "capture live on this interface");
  cmd->add_option("--count,-c", opts->count, "stop after N frames");
  cmd->add_option("--filter,-f", opts->filter, "BPF filter, as tcpdump takes it");
  cmd->add_option("--format", *format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("-t", *tcount,
                "timestamps like tcpdump: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first");
  cmd->add_option("--time", *time, "timestamps: clock, none, epoch, delta, date, relative")
      ->check(CLI::IsMember({"clock", "none", "epoch", "delta", "date", "relative"}));
  cmd->callback([opts, format, tcount, time, live, cmd, &exit_code] {
    if (opts->file.empty() == (live->count() == 0)) {
      std::fprintf(stderr, "pxekit decode: give either a capture file or --live IFACE\n%s",
                   cmd->help().c_str());
      exit_code = 2;
      return;
    }
    using pxe::print::TimeFormat;
    static constexpr TimeFormat by_count[] = {TimeFormat::TimeOfDay, TimeFormat::None,
                                              TimeFormat::Epoch, TimeFormat::Delta,
                                              TimeFormat::Date, TimeFormat::SinceFirst};
    opts->time = by_count[std::min(*tcount, 5)];
    if (*time == "clock") opts->time = TimeFormat::TimeOfDay;
    if (*time == "none") opts->time = TimeFormat::None;
    if (*time == "epoch") opts->time = TimeFormat::Epoch;
    if (*time == "delta") opts->time = TimeFormat::Delta;
    if (*time == "date") opts->time = TimeFormat::Date;
    if (*time == "relative") opts->time = TimeFormat::SinceFirst;
    opts->format = *format == "json" ? pxe::print::Format::Json : pxe::print::Format::Text;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    auto r = pxe::print::run_decode(*opts, stdout, &g_stop);
    std::fflush(stdout);
    if (!r) {
      std::fprintf(stderr, "pxekit decode: %s\n", r.error().what.c_str());
      exit_code = 3;
      return;
    }
    exit_code = 0;
  });
}

}  // namespace pxekit
