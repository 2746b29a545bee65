// The TFTP server's named logger ("tftp"), and the text of the line that ends a transfer (the
// socket server and the in-process server write the same line).
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/addr.h"
#include "base/clock.h"
#include "proto/tftp/actions.h"

namespace pxe::server::tftp {

std::shared_ptr<spdlog::logger> log();

struct TransferEnd {
  bool write = false;     // an upload (the Receiver), else a read (the Sender)
  std::string_view path;  // the full path, log-safe
  Ipv4 peer;
  Duration elapsed{};
  std::uint32_t blksize = 0, windowsize = 0;
  std::uint64_t retransmissions = 0;  // reads only
};
struct LogLine {
  spdlog::level::level_enum level = spdlog::level::info;
  std::string text;
};
// "sent /srv/tftp/pxelinux.0 to 192.168.42.17 (26140 bytes in 0.012 s, ...)", "error 0 TFTP
// Aborted received from ...", "failed sending ...": `result` is the Finished or Failed action.
LogLine transfer_end_line(const TransferEnd& t, const proto::tftp::Action& result);

}  // namespace pxe::server::tftp
