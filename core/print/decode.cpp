#include "print/decode.h"

namespace pxe::print {

Result<DecodeSummary> run_decode(const DecodeOptions& o, std::FILE* out, volatile bool* stop) {
  auto src = o.file.empty()
                 ? capture::PcapSource::open_live([&] {
                     capture::LiveOptions l = o.live;
                     if (l.filter.empty()) l.filter = o.filter;
                     return l;
                   }())
                 : capture::PcapSource::open_file(o.file, o.filter);
  if (!src) return src.error();
  if (src->link_type() == capture::LinkType::Unsupported)
    return make_error("unsupported link type (DLT " + std::to_string(src->dlt()) + ")");

  capture::Dissector dissector(src->link_type());
  TextPrinter text(o.time);
  JsonPrinter json;
  std::string buf;
  buf.reserve(1 << 17);
  DecodeSummary summary;
  const bool live = o.file.empty();

  auto flush = [&] {
    if (!buf.empty()) std::fwrite(buf.data(), 1, buf.size(), out);
    buf.clear();
    if (live) std::fflush(out);
  };
  auto sink = [&](const capture::Observation& obs) {
    if (o.format == Format::Json)
      json.print(obs, buf);
    else
      text.print(obs, buf);
  };

  capture::RawFrame frame;
  while (!(stop && *stop)) {
    auto n = src->next(frame);
    if (n == capture::PcapSource::Next::End) break;
    if (n == capture::PcapSource::Next::Timeout) {
      flush();
      continue;
    }
    if (n == capture::PcapSource::Next::Error) {
      flush();
      // A file cut short mid-record still decodes what came before it, like tcpdump.
      if (!live) {
        summary.stats = dissector.stats();
        return make_error(src->last_error());
      }
      return make_error(src->last_error());
    }
    dissector.dissect(frame, sink);
    ++summary.frames;
    if (buf.size() >= (1 << 16) || live) flush();
    if (o.count && summary.frames >= o.count) break;
  }
  flush();
  summary.stats = dissector.stats();
  return summary;
}

}  // namespace pxe::print
