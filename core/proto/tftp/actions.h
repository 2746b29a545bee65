// What a TFTP transfer machine asks its owner to do. The machines never touch sockets, files or
// clocks: the owner feeds events (a datagram, the timer firing) with the current time and carries
// out the actions in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"

namespace pxe::proto::tftp {

// A datagram to the peer's address. `to_port` empty: to the peer's TID (the port it answers from,
// latched by the Receiver or known to the owner); set: to that port instead, which a client uses
// for its request (to port 69, or the configured server port, before any TID is known) and for
// ERROR 5 to a stranger's port.
struct SendDatagram {
  Bytes bytes;
  std::optional<std::uint16_t> to_port = std::nullopt;
};
// A DATA datagram of a read transfer as two views into the sender's own buffers: the 4-byte
// header and the payload (straight from the file chunk the sender read). Valid until the next call
// into the sender, so the owner can send a whole window with one gathered sendmmsg and no copy or
// allocation per block.
struct SendData {
  ByteSpan header;
  ByteSpan payload;
};
struct SetTimer {  // (re)arm the single timer of this transfer
  Timestamp at;
};
struct CancelTimer {};

// Why a transfer ended without delivering the whole file. Stable names for logs and tests.
enum class FailReason {
  PeerError,        // the peer sent ERROR (the code and message are in Failed)
  PeerAborted,      // ERROR 0 "TFTP Aborted" / ERROR 8 right after our OACK: the tsize probe
  Timeout,          // retransmissions exhausted, no first answer in time, or idle too long
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

using Action = std::variant<SendDatagram, SendData, SetTimer, CancelTimer, Finished, Failed>;
using Actions = std::vector<Action>;

// Appends an action. Out of line on purpose: GCC 12 inlines the variant's move into every
// push_back and then warns (-Wmaybe-uninitialized) about alternatives that are not there.
void emit(Actions& out, Action action);

// The bytes of a datagram action (SendDatagram or SendData, joined), nullopt for other actions.
// For tests and logs; the server sends SendData without joining it.
std::optional<Bytes> datagram_bytes(const Action& action);

}  // namespace pxe::proto::tftp
