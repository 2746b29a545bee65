// `pxekit client --record`: the Link's frames into a classic pcap file (Ethernet link type), so
// `pxekit decode` and `pxekit diagnose` read what the simulated client sent and received.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace pxe::client {

class PcapWriter {
 public:
  // Creates (truncates) the file and writes the pcap header.
  static Result<std::unique_ptr<PcapWriter>> open(const std::string& path);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(ByteSpan frame, Timestamp at);
  // Flushes and closes; an error names the file (a full disk shows here).
  Result<void> close();

 private:
  PcapWriter(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  std::FILE* f_;
  std::string path_;
  bool failed_ = false;
};

}  // namespace pxe::client
