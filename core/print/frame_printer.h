// Whole frames in tcpdump -vv's shape (text) or one JSON object per frame. The protocol
// printers (print/dhcp, print/tftp, print/smb2) render the application layer.
#pragma once

#include <string>

#include "base/clock.h"
#include "capture/observation.h"

namespace pxe::print {

// tcpdump's -t family: time of day (default), none (-t), epoch (-tt), delta since the previous
// frame (-ttt), date and time (-tttt), since the first frame (-ttttt).
enum class TimeFormat { TimeOfDay, None, Epoch, Delta, Date, SinceFirst };

class TextPrinter {
 public:
  explicit TextPrinter(TimeFormat time = TimeFormat::TimeOfDay) : time_(time) {}
  // Appends the frame's text, ending with a newline.
  void print(const capture::Observation& obs, std::string& out);

 private:
  void timestamp(Timestamp t, std::string& out);
  TimeFormat time_;
  bool have_first_ = false;
  Timestamp first_, prev_;
};

class JsonPrinter {
 public:
  // Appends one JSON object and a newline (JSON Lines).
  void print(const capture::Observation& obs, std::string& out);

 private:
  bool have_first_ = false;
  Timestamp first_;
};

}  // namespace pxe::print
