#include "proto/tftp/tid.h"

#include <chrono>

#include "wire/tftp/tftp.h"

namespace pxe::proto::tftp {

namespace wt = wire::tftp;

const Bytes& unknown_tid_error() {
  static const Bytes err =
      wt::encode(wt::ErrorPacket{static_cast<std::uint16_t>(wt::ErrorCode::UnknownTid), "Unknown transfer ID"});
  return err;
}

bool UnknownTidReplies::should_answer(ByteSpan datagram, Timestamp now) {
  const bool is_error =
      datagram.size() >= 2 && datagram[0] == 0 && datagram[1] == static_cast<std::uint8_t>(wt::Opcode::Error);
  if (is_error) return false;
  if (now - window_ >= std::chrono::seconds(1)) {
    window_ = now;
    count_ = 0;
  }
  if (count_ >= kPerSecond) return false;
  ++count_;
  ++total_;
  return true;
}

}  // namespace pxe::proto::tftp
