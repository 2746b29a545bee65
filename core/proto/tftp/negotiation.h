// RFC 2347 option negotiation for a read request, as a pure function: which options the server
// accepts, with which values, and what goes into the OACK.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "wire/tftp/tftp.h"

namespace pxe::proto::tftp {

inline constexpr std::uint32_t kDefaultBlksize = 512;   // RFC 1350
inline constexpr std::uint32_t kMinBlksize = 8;         // RFC 2348
inline constexpr std::uint32_t kMaxBlksize = 65464;     // RFC 2348
inline constexpr std::uint32_t kIpv4Overhead = 32;      // 20 IP + 8 UDP + 4 TFTP header

struct ServerLimits {
  std::uint32_t max_blksize = kMaxBlksize;  // min(settings, path MTU - 32)
  bool no_blocksize = false;                // tftp-no-blocksize: ignore blksize entirely
  std::uint32_t max_windowsize = 64;        // RFC 7440 cap (0 or 1: windowsize not offered)
  // A window is sent as one burst; more bytes than a receiver's default socket buffer
  // (net.core.rmem_default, 208 KiB, counted with the kernel's per-packet overhead: about 2.3 KiB
  // per 1500-byte frame) are dropped there and cost a timeout each time. The window's payload
  // therefore stays within this: windowsize 64 at blksize 1468 (64 frames, about 150 KiB of
  // buffer) still fits; at blksize 65464 (45 IP fragments per block) it is lock-step, which
  // measured faster than windows of 2 with atftp.
  std::uint32_t max_window_bytes = 96 * 1024;
};

struct Negotiated {
  std::uint32_t blksize = kDefaultBlksize;
  std::uint32_t windowsize = 1;
  std::optional<std::uint32_t> timeout_s;   // RFC 2349: echoed unchanged when 1..255
  std::vector<wire::tftp::Option> oack;     // empty: no OACK, the transfer starts with DATA 1
};

// blksize is clamped to the limits (RFC 2348 lets the server answer a smaller value); tsize is
// answered only when `file_size` is known (octet mode); unknown or malformed options are left out
// of the OACK, as RFC 2347 says.
Negotiated negotiate(const wire::tftp::Request& rrq, const ServerLimits& limits,
                     std::optional<std::uint64_t> file_size);

// The blksize cap for a path with this MTU (IPv4): MTU - 32, within RFC 2348's range.
std::uint32_t blksize_for_mtu(std::uint32_t mtu);

// Parses a decimal option value; nullopt when empty, not a number or out of [lo, hi].
std::optional<std::uint64_t> parse_option_number(std::string_view v, std::uint64_t lo, std::uint64_t hi);

}  // namespace pxe::proto::tftp
