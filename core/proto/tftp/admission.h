// What the server does with a datagram on port 69, decided before anything is done: a pure
// function of the datagram, the running transfers (summarised), the limits, the request rate
// state and the time. The server's loop only carries the decision out (opens the file, starts or
// replaces a transfer, sends the ERROR), so the same decision runs in unit tests with a manual
// clock, in the fuzzer and, later, in a simulated client or a replay.
//
// The rules, in order:
//   1. Not a request (malformed, or DATA/ACK/ERROR/OACK on port 69): dropped. In particular an
//      ERROR is never answered (RFC 1350; the CVE-2024-2169 loop), and a stray datagram never
//      touches a running transfer.
//   2. The same request (RRQ/WRQ, same name and mode) from the endpoint of a running transfer:
//      a retransmission, ignored, unless the transfer has stalled (the peer answered it once, then
//      went silent long enough for the server to retransmit): then an RRQ means the client gave
//      up and started over from the same port, and the old transfer is replaced. That the peer
//      answered is not enough: a client retransmits its RRQ while the server is slow to answer,
//      and under load such a copy is read from port 69 after the client's ACK of the first answer
//      (issue 12: replacing a moving transfer left the client latched on the old port, answering
//      ERROR 5 to the new one, until its idle timeout). A duplicate WRQ never replaces an upload
//      in progress.
//   3. Over the client's request rate: dropped (no ERROR, so a flood gets nothing back).
//   4. WRQ on a read-only server, an unknown mode, over the per-client cap, over the total cap:
//      refused with an ERROR.
//   5. Otherwise: start a read or a write.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "proto/tftp/rate_limit.h"
#include "wire/tftp/tftp.h"

namespace pxe::proto::tftp {

struct AdmissionLimits {
  std::uint32_t max_transfers = 50;  // tftp-max: running transfers in all
  std::uint32_t max_per_client = 4;  // tftp-max-per-client: running transfers per client address
  bool writable = false;             // an upload directory is configured (else WRQ is refused)
};

// A running transfer from the request's own endpoint (address and port).
struct SameEndpoint {
  std::uint64_t id = 0;   // the server's handle, handed back in Admission::replace
  std::string_view name;  // the file name as requested
  std::string_view mode;
  bool write = false;
  bool answered = false;  // the peer has answered it (ACK/DATA): it is really running
  // Answered, then silent: the server retransmitted since the peer's last answer (Sender::stalled).
  bool stalled = false;
};

struct Running {
  std::size_t total = 0;        // running transfers
  std::size_t from_client = 0;  // of those, with the request's source address (any port)
  std::span<const SameEndpoint> same_endpoint;
};

enum class Verdict {
  Drop,        // do nothing at all
  Refuse,      // send ERROR `code` `message` to the requester from port 69
  StartRead,   // serve `request` (RRQ)
  StartWrite,  // accept `request` (WRQ)
  Keep,        // a retransmitted request for a running transfer: nothing to do
  Replace,     // end transfer `replace`, then serve `request` in its place
};
std::string_view verdict_name(Verdict v);

// Why a datagram is dropped (Verdict::Drop); `why` has the same as text.
enum class DropReason { None, Malformed, NotARequest, DuplicateWrite, RateLimited };

struct Admission {
  Verdict verdict = Verdict::Drop;
  std::string why;  // for the log and stats: "malformed", "rate limited", "per-client cap", ...
  DropReason dropped = DropReason::None;  // Drop: why, for counting and rate-limited logging
  wire::tftp::ErrorCode code = wire::tftp::ErrorCode::NotDefined;  // Refuse
  std::string message;                                             // Refuse: the ERROR's text
  std::optional<wire::tftp::Request> request;  // StartRead, StartWrite, Replace
  bool netascii = false;                       // the request's mode
  std::uint64_t replace = 0;                   // Replace: SameEndpoint::id of the old transfer

  bool starts() const { return verdict == Verdict::StartRead || verdict == Verdict::StartWrite || verdict == Verdict::Replace; }
};

// `from` is the request's source address (the rate limit and the per-client cap are per address).
Admission admit(ByteSpan datagram, Ipv4 from, const Running& running, const AdmissionLimits& limits,
                RateLimiter& rate, Timestamp now);

}  // namespace pxe::proto::tftp
