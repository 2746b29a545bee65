// Events -> Report: groups events by client, reconstructs DHCP offer selection and TFTP
// transfers, runs every rule, and sets each client's firmware, last stage and verdict.
#pragma once

#include <vector>

#include "diag/events.h"
#include "diag/report.h"

namespace pxe::diag {

struct AnalyzeOptions {
  bool from_log = false;  // events came from a dnsmasq log
  bool log_tftp_enabled = false;  // the log says dnsmasq's TFTP server was on ("TFTP root is")
};

Report analyze(const std::vector<Event>& events, const AnalyzeOptions& options = {});

}  // namespace pxe::diag
