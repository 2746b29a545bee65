// libFuzzer: segments from the input into a proto::tcp::Endpoint, opened actively (connect) or
// passively (accept of a SYN), with the owner's calls (send, close, abort, the timer) in between.
// Each input record: [op][seq 4][ack 4][flags][window 2][len][payload]. These must hold, else
// abort():
//   - the stream delivered never exceeds the payload bytes that arrived (nothing invented);
//   - what the endpoint holds unacknowledged never exceeds what it was given to send;
//   - every segment it sends has a payload within its MSS, and SYN only while opening;
//   - once Closed, it sends nothing more and delivers nothing more.
#include <cstdlib>

#include "proto/tcp/endpoint.h"

namespace pt = pxe::proto::tcp;
namespace flag = pxe::wire::tcp::flag;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

struct Reader {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t u8() {
    if (!n) return 0;
    --n;
    return *p++;
  }
  std::uint32_t u32() { return std::uint32_t(u8()) << 24 | std::uint32_t(u8()) << 16 | std::uint32_t(u8()) << 8 | u8(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader r{data, size};
  pt::EndpointConfig cfg;
  cfg.mss = 536;
  pxe::Timestamp now{1'000'000};
  pt::Actions acts;
  const bool active = r.u8() & 1;
  std::optional<pt::Endpoint> ep;
  std::size_t given = 0, arrived = 0, delivered = 0;
  bool closed = false;
  auto apply = [&] {
    for (const auto& a : acts) {
      if (const auto* s = std::get_if<pt::SendSegment>(&a)) {
        check(!closed || s->segment.has(flag::kRst));
        check(s->segment.payload.size() <= cfg.mss);
      } else if (const auto* d = std::get_if<pt::Deliver>(&a)) {
        check(!closed);
        delivered += d->bytes.size();
      } else if (std::holds_alternative<pt::Closed>(a)) {
        closed = true;
      }
    }
    acts.clear();
    check(delivered <= arrived);
    check(ep->unacknowledged() <= given);
    if (ep->closed()) closed = true;
  };
  if (active) {
    ep = pt::Endpoint::connect(cfg, r.u32(), now, acts);
  } else {
    pt::Segment syn;
    syn.seq = r.u32();
    syn.flags = flag::kSyn;
    syn.window = static_cast<std::uint16_t>(r.u8() << 8 | r.u8());
    if (r.u8() & 1) syn.mss = static_cast<std::uint16_t>(r.u8() << 8 | r.u8());
    if (r.u8() & 1) syn.wscale = r.u8();
    ep = pt::Endpoint::accept(cfg, r.u32(), syn, now, acts);
  }
  apply();
  while (r.n) {
    const std::uint8_t op = r.u8();
    now = now + pxe::Duration(std::int64_t(op >> 3) * 50'000);
    switch (op & 7) {
      case 0:
      case 1:
      case 2: {  // a segment
        pt::Segment s;
        s.seq = r.u32();
        s.ack = r.u32();
        s.flags = r.u8() & 0x3f;
        s.window = static_cast<std::uint16_t>(r.u8() << 8 | r.u8());
        if (s.has(flag::kSyn) && (r.u8() & 1)) s.wscale = r.u8();
        std::size_t len = r.u8();
        for (std::size_t i = 0; i < len && r.n; ++i) s.payload.push_back(r.u8());
        arrived += s.payload.size();
        ep->on_segment(s, now, acts);
        break;
      }
      case 3: {  // the owner sends
        std::size_t len = std::size_t(r.u8()) * 37;
        pxe::Bytes b(len, 0x5a);
        if (!ep->closed()) given += len;
        ep->send(b, now, acts);
        break;
      }
      case 4: ep->close(now, acts); break;
      case 5: ep->abort(acts); closed = true; break;
      default: ep->on_time(now + pxe::Duration(std::int64_t(r.u8()) * 100'000), acts); break;
    }
    apply();
  }
  return 0;
}
