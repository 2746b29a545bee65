// The diagnose job: a capture file, a live interface or a dnsmasq log -> Report.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "capture/source.h"
#include "diag/report.h"

namespace pxe::diag {

struct DiagnoseOptions {
  std::string file;             // pcap/pcapng
  std::vector<std::string> dnsmasq_logs;  // or dnsmasq logs (several: e.g. DHCP server + proxy)
  capture::LiveOptions live;    // or a live interface (when file and log are empty)
  double duration_s = 0;        // live: stop after this long (0: until stop is set)
};

Result<Report> diagnose(const DiagnoseOptions& options, volatile bool* stop = nullptr);

}  // namespace pxe::diag
