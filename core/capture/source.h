// Frames from a pcap/pcapng file or a live interface, through libpcap. Nothing here parses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace pxe::capture {

struct RawFrame {
  ByteSpan data;             // the captured bytes (caplen)
  std::uint32_t wire_len = 0;  // the length on the wire
  Timestamp time;
};

// DLT_* values we dissect.
enum class LinkType { Ethernet, LinuxSll, RawIp, Null, Unsupported };

struct LiveOptions {
  std::string interface;
  std::string filter;      // BPF, as tcpdump takes it
  int snaplen = 262144;
  bool promiscuous = true;
  int timeout_ms = 100;
};

class PcapSource {
 public:
  ~PcapSource();
  PcapSource(PcapSource&&) noexcept;
  PcapSource& operator=(PcapSource&&) noexcept;

  static Result<PcapSource> open_file(const std::string& path, const std::string& filter = {});
  static Result<PcapSource> open_live(const LiveOptions& options);

  LinkType link_type() const { return link_; }
  int dlt() const { return dlt_; }

  enum class Next { Frame, Timeout, End, Error };
  // Reads the next frame; the frame's bytes stay valid until the next call.
  Next next(RawFrame& frame);
  const std::string& last_error() const { return error_; }
  // Makes a blocked next() return End soon (from a signal handler or another thread).
  void break_loop();

 private:
  PcapSource() = default;
  struct Handle;
  std::unique_ptr<Handle> h_;
  LinkType link_ = LinkType::Unsupported;
  int dlt_ = 0;
  std::string error_;
};

LinkType link_type_of(int dlt);

}  // namespace pxe::capture
