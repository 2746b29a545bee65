#include "diag/diagnose.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <new>

#include "capture/dissector.h"
#include "diag/analyze.h"
#include "diag/dnsmasq_log.h"
#include "diag/event_builder.h"

namespace pxe::diag {

Result<Report> diagnose(const DiagnoseOptions& o, volatile bool* stop) {
  if (!o.dnsmasq_logs.empty()) {
    std::vector<Event> all;
    std::vector<EventList> logs;  // own the text that `all` refers to
    std::string source;
    AnalyzeOptions options{true};
    for (const auto& path : o.dnsmasq_logs) {
      DnsmasqLogStats stats;
      auto events = read_dnsmasq_log(path, DnsmasqLogOptions{0, &stats});
      if (!events) return events.error();
      options.log_tftp_enabled |= stats.tftp_enabled;
      all.insert(all.end(), events->events.begin(), events->events.end());
      logs.push_back(std::move(*events));
      source += (source.empty() ? "" : " + ") + path;
    }
    // Several servers' logs make one timeline (each log's lines are already in order).
    std::stable_sort(all.begin(), all.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
    Report r = analyze(all, options);
    r.source = source;
    r.frames = all.size();
    return r;
  }
  const bool live = o.file.empty();
  auto src = live ? capture::PcapSource::open_live(o.live) : capture::PcapSource::open_file(o.file);
  if (!src) return src.error();
  if (src->link_type() == capture::LinkType::Unsupported)
    return make_error("unsupported link type (DLT " + std::to_string(src->dlt()) + ")");
  capture::Dissector dissector(src->link_type());
  EventBuilder builder;
  if (!live) {
    // Room for the events up front: growing the vector by doubling copies each event about
    // twice and touches twice the memory. At most one event per KiB of capture (the benchmark
    // captures make ~0.55; TFTP DATA runs collapse into one event); untouched reserved pages
    // cost nothing.
    std::error_code ec;
    auto bytes = std::filesystem::file_size(o.file, ec);
    if (!ec) {
      try {
        builder.events().reserve(static_cast<std::size_t>(std::min<std::uintmax_t>(bytes / 1024, 2'000'000)));
      } catch (const std::bad_alloc&) {
        // no room to reserve (strict overcommit): grow as needed instead
      }
    }
  }
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
