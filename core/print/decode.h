// The decode job: frames from a source -> dissector -> text or JSON lines -> a FILE*.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "capture/dissector.h"
#include "capture/source.h"
#include "print/frame_printer.h"

namespace pxe::print {

enum class Format { Text, Json };

struct DecodeOptions {
  std::string file;             // pcap or pcapng; empty with live
  capture::LiveOptions live;    // used when file is empty
  std::string filter;           // BPF for files too
  std::uint64_t count = 0;      // stop after this many frames (0: all)
  Format format = Format::Text;
  TimeFormat time = TimeFormat::TimeOfDay;
};

struct DecodeSummary {
  std::uint64_t frames = 0;
  capture::DissectorStats stats;
};

// Returns the summary, or an error (file unreadable, interface missing, bad filter, unsupported
// link type). `stop` may be set asynchronously (SIGINT) to end a live capture.
Result<DecodeSummary> run_decode(const DecodeOptions& options, std::FILE* out,
                                 volatile bool* stop = nullptr);

}  // namespace pxe::print
