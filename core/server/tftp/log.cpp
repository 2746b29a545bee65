#include "server/tftp/log.h"

#include <fmt/format.h>

#include <chrono>
#include <variant>

#include "base/text.h"

namespace pxe::server::tftp {

namespace pt = proto::tftp;

LogLine transfer_end_line(const TransferEnd& t, const pt::Action& result) {
  double secs = std::chrono::duration<double>(t.elapsed).count();
  std::string ip = t.peer.str();
  if (const auto* f = std::get_if<pt::Finished>(&result)) {
    double rate = secs > 0 ? static_cast<double>(f->bytes) / secs : 0;
    if (t.write)
      return {spdlog::level::info,
              fmt::format("received {} from {} ({} bytes in {:.3f} s, {:.1f} MB/s, blksize {}, windowsize {})", t.path,
                          ip, f->bytes, secs, rate / 1e6, t.blksize, t.windowsize)};
    return {spdlog::level::info,
            fmt::format("sent {} to {} ({} bytes in {:.3f} s, {:.1f} MB/s, blksize {}, windowsize {}, {} "
                        "retransmissions)",
                        t.path, ip, f->bytes, secs, rate / 1e6, t.blksize, t.windowsize, t.retransmissions)};
  }
  const auto* e = std::get_if<pt::Failed>(&result);
  if (!e) return {spdlog::level::debug, {}};
  switch (e->reason) {
    case pt::FailReason::PeerAborted:  // the firmware's tsize probe: expected, it asks again
      return {spdlog::level::info, fmt::format("error {} {} received from {}", e->code, log_safe(e->message), ip)};
    case pt::FailReason::PeerError:
      return {spdlog::level::warn, fmt::format("error {} {} received from {}", e->code, log_safe(e->message), ip)};
    default:
      return {spdlog::level::warn,
              fmt::format("failed {} {} {} {}: {} ({})", t.write ? "receiving" : "sending", t.path,
                          t.write ? "from" : "to", ip, log_safe(e->message), pt::fail_reason_name(e->reason))};
  }
}

}  // namespace pxe::server::tftp
