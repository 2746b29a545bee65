// libFuzzer: `pxekit diagnose --dnsmasq-log` on arbitrary text: the reader, the analysis and
// the three renderings must not crash.
#include <sstream>
#include <string>

#include "diag/analyze.h"
#include "diag/dnsmasq_log.h"
#include "diag/html_report.h"
#include "diag/render.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  pxe::diag::DnsmasqLogOptions options;
  options.year = 2026;
  auto events = pxe::diag::read_dnsmasq_log(in, options);
  if (!events) return 0;
  auto report = pxe::diag::analyze(events->events);
  (void)pxe::diag::render_text(report);
  (void)pxe::diag::render_json(report);
  (void)pxe::diag::render_html(report);
  return 0;
}
