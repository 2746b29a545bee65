// What a TFTP transfer machine asks its owner to do. The machines never touch sockets, files or
// clocks: the owner feeds events (a datagram, the timer firing) with the current time and carries
// out the actions in order.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"

namespace pxe::proto::tftp {

struct SendDatagram {  // to the peer of this transfer (its TID)
  Bytes bytes;
};
struct SetTimer {  // (re)arm the single timer of this transfer
  Timestamp at;
};
struct CancelTimer {};

// Why a transfer ended without delivering the whole file. Stable names for logs and tests.
enum class FailReason {
  PeerError,        // the peer sent ERROR (the code and message are in Failed)
  PeerAborted,      // ERROR 0 "TFTP Aborted" / ERROR 8 right after our OACK: the tsize probe
  Timeout,          // retransmissions exhausted
  TimeLimit,        // the transfer took longer than its limit
  IllegalPacket,    // the peer sent an opcode that makes no sense here; we answered ERROR 4
  OptionRefused,    // we refused the peer's OACK with ERROR 8
  FileError,        // reading or writing the file failed; we answered ERROR
};
std::string_view fail_reason_name(FailReason r);

struct Finished {
  std::uint64_t bytes = 0;   // payload bytes transferred
  std::uint64_t blocks = 0;  // DATA blocks (64-bit: block numbers wrap past 65535)
};
struct Failed {
  FailReason reason;
  std::uint16_t code = 0;  // the ERROR code sent or received, when there was one
  std::string message;     // what happened, for the log
};

using Action = std::variant<SendDatagram, SetTimer, CancelTimer, Finished, Failed>;
using Actions = std::vector<Action>;

// Appends an action. Out of line on purpose: GCC 12 inlines the variant's move into every
// push_back and then warns (-Wmaybe-uninitialized) about alternatives that are not there.
void emit(Actions& out, Action action);

}  // namespace pxe::proto::tftp
