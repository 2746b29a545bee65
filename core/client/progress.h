// The progress bar `pxekit client` draws on a terminal while one machine loads a long file over
// a real interface (a 300 MB winpe.iso takes minutes at a ROM's TFTP pace):
//   "  winpe.iso [#########           ]  45%  135.0/300.0 MB  11.8 MB/s"
// Pure: the caller gives it what is under way and the time, and writes out the text it returns
// (the line, drawn over itself with "\r", and "\r" + erase when the file is done).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"
#include "client/simulated_client.h"

namespace pxe::client {

class ProgressBar {
 public:
  // Files shorter than this draw nothing (a config file, a module).
  static constexpr std::uint64_t kMinBytes = 1 << 20;
  static constexpr Duration kEvery = std::chrono::milliseconds(200);

  // What to write now ("" for nothing): the bar when `p` is a long file and kEvery has passed
  // since the last drawing, the erase when the file drawn before is no longer under way.
  std::string update(const std::optional<Progress>& p, Timestamp now);
  // The erase, when a bar is on the screen.
  std::string finish();

 private:
  std::string file_;
  bool drawn_ = false;
  Timestamp last_draw_{}, started_{};
  std::uint64_t start_bytes_ = 0;
};

}  // namespace pxe::client
