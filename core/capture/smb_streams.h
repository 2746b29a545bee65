// SMB connections' TCP reassembly (libtins' StreamFollower) and NetBIOS session framing: hands on each
// complete NBSS message, in order, attributed to the frame that completed it.
#pragma once

#include <tins/pdu.h>
#include <tins/tcp_ip/stream_follower.h>

#include <cstdint>
#include <deque>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"

namespace pxe::capture {

class SmbStreams {
 public:
  struct Message {
    Bytes payload;
    std::uint8_t nbss_type;
    bool from_client;
  };

  SmbStreams();
  // Feeds one TCP/IP packet; complete messages are appended to `out`.
  void process(Tins::PDU& pdu, Timestamp time, std::vector<Message>& out);

  // Largest NBSS message we buffer (SMB2 READ responses reach 8 MiB).
  static constexpr std::size_t kMaxMessage = 16u << 20;

  struct Split {
    std::size_t consumed = 0;  // bytes done with (messages handed on, garbage skipped)
    std::size_t examined = 0;  // header checks and resync steps: linear in the bytes, by design
  };
  // Splits the complete NBSS messages off the front of one direction's buffered bytes, skipping
  // to the next plausible header where framing is lost. Appends to `out` when it is not null.
  static Split split(ByteSpan bytes, bool from_client, std::vector<Message>* out);

 private:
  void drain(std::vector<std::uint8_t>& buffer, bool from_client);

  Tins::TCPIP::StreamFollower follower_;
  std::vector<Message>* out_ = nullptr;
};

}  // namespace pxe::capture
