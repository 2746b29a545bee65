#include "diag/diagnose.h"

#include <chrono>

#include "capture/dissector.h"
#include "diag/analyze.h"
#include "diag/dnsmasq_log.h"
#include "diag/event_builder.h"

namespace pxe::diag {

Result<Report> diagnose(const DiagnoseOptions& o, volatile bool* stop) {
  if (!o.dnsmasq_log.empty()) {
    auto events = read_dnsmasq_log(o.dnsmasq_log);
    if (!events) return events.error();
    Report r = analyze(*events, AnalyzeOptions{true});
    r.source = o.dnsmasq_log;
    r.frames = events->size();
    return r;
  }
  const bool live = o.file.empty();
  auto src = live ? capture::PcapSource::open_live(o.live) : capture::PcapSource::open_file(o.file);
  if (!src) return src.error();
  if (src->link_type() == capture::LinkType::Unsupported)
    return make_error("unsupported link type (DLT " + std::to_string(src->dlt()) + ")");
  capture::Dissector dissector(src->link_type());
  EventBuilder builder;
  capture::RawFrame frame;
  std::uint64_t frames = 0;
  auto start = std::chrono::steady_clock::now();
  while (!(stop && *stop)) {
    if (live && o.duration_s > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= o.duration_s)
      break;
    auto n = src->next(frame);
    if (n == capture::PcapSource::Next::End) break;
    if (n == capture::PcapSource::Next::Timeout) continue;
    if (n == capture::PcapSource::Next::Error) {
      if (live) return make_error(src->last_error());
      break;  // a file cut short: diagnose what was read
    }
    ++frames;
    dissector.dissect(frame, [&](const capture::Observation& obs) { builder.add(obs); });
  }
  Report r = analyze(builder.events());
  r.source = live ? o.live.interface : o.file;
  r.frames = frames;
  return r;
}

}  // namespace pxe::diag
