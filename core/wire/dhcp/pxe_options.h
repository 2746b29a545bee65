// Typed values of the PXE-related options: 43 (PXE vendor sub-options, PXE 2.1 spec §2.4),
// 77 (RFC 3004 user class, plus iPXE's unframed form), 82 (RFC 3046 relay agent information),
// 93/94/97 (RFC 4578), 175 (iPXE encapsulated options).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::dhcp {

// A sub-option kept as code + raw bytes.
struct SubOption {
  std::uint8_t code = 0;
  Bytes data;
  friend bool operator==(const SubOption&, const SubOption&) = default;
};

// Option 94 (RFC 4578 §2.2): type 1 = UNDI, then major/minor revision (BIOS ROMs 2.1, EDK2 3.0).
struct ClientNdi {
  std::uint8_t type = 1;
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
  friend bool operator==(const ClientNdi&, const ClientNdi&) = default;
};

// Option 97 (RFC 4578 §2.3): type 0 followed by a 16-byte machine GUID.
struct ClientUuid {
  std::uint8_t type = 0;
  std::array<std::uint8_t, 16> guid{};
  friend bool operator==(const ClientUuid&, const ClientUuid&) = default;
};

// Option 77. RFC 3004 frames each class as len+data; iPXE sends the bare string "iPXE", which
// does not parse as a framed list (first byte 'i' = 105 is taken as a length) -- kept as `raw`.
struct UserClass {
  std::vector<std::string> classes;  // RFC 3004 instances, or the one raw string
  bool raw = false;                  // true when the value was not an RFC 3004 list
  friend bool operator==(const UserClass&, const UserClass&) = default;
};

// PXE option 43 sub-option codes.
namespace pxe_sub {
inline constexpr std::uint8_t kMtftpIp = 1, kMtftpClientPort = 2, kMtftpServerPort = 3,
                              kMtftpTimeout = 4, kMtftpDelay = 5, kDiscoveryControl = 6,
                              kDiscoveryMcastAddr = 7, kBootServers = 8, kBootMenu = 9,
                              kMenuPrompt = 10, kBootItem = 71, kEnd = 255;
}  // namespace pxe_sub

// Discovery control bits (43.6).
inline constexpr std::uint8_t kPxeNoBroadcast = 1, kPxeNoMulticast = 2, kPxeOnlyListedServers = 4,
                              kPxeUseBootfile = 8;

struct PxeBootServer {  // 43.8 entry
  std::uint16_t type = 0;
  std::vector<Ipv4> addresses;  // empty = any server of this type
  friend bool operator==(const PxeBootServer&, const PxeBootServer&) = default;
};
struct PxeMenuItem {  // 43.9 entry
  std::uint16_t type = 0;
  std::string description;
  friend bool operator==(const PxeMenuItem&, const PxeMenuItem&) = default;
};
struct PxeMenuPrompt {  // 43.10: 0 = no prompt, 255 = wait for a choice
  std::uint8_t timeout = 0;
  std::string prompt;
  friend bool operator==(const PxeMenuPrompt&, const PxeMenuPrompt&) = default;
};
struct PxeBootItem {  // 43.71: layer bit 15 = request BIS credentials
  std::uint16_t type = 0;
  std::uint16_t layer = 0;
  friend bool operator==(const PxeBootItem&, const PxeBootItem&) = default;
};

struct PxeOptions {
  std::optional<Ipv4> mtftp_ip;
  std::optional<std::uint16_t> mtftp_client_port;
  std::optional<std::uint16_t> mtftp_server_port;
  std::optional<std::uint8_t> mtftp_timeout;
  std::optional<std::uint8_t> mtftp_delay;
  std::optional<std::uint8_t> discovery_control;
  std::optional<Ipv4> discovery_mcast_addr;
  std::vector<PxeBootServer> boot_servers;
  std::vector<PxeMenuItem> boot_menu;
  std::optional<PxeMenuPrompt> menu_prompt;
  std::optional<PxeBootItem> boot_item;
  std::vector<SubOption> other;  // anything else, raw, in order
  friend bool operator==(const PxeOptions&, const PxeOptions&) = default;
};

// Splits a sub-option area into code + bytes. pads_and_end: 0/255 are single bytes (PXE 43,
// iPXE 175); false for relay agent info (82). Offsets in errors are relative to `area`.
Result<std::vector<SubOption>> parse_suboptions(ByteSpan area, bool pads_and_end = true);

Result<PxeOptions> decode_pxe_options(ByteSpan option43);
// Encodes in sub-option order 1..10, 71, others, then End (255).
Bytes encode_pxe_options(const PxeOptions& p);

std::optional<ClientNdi> decode_client_ndi(ByteSpan v);
std::optional<ClientUuid> decode_client_uuid(ByteSpan v);
std::optional<std::vector<std::uint16_t>> decode_client_arch(ByteSpan v);
// Valid RFC 3004 list -> classes; otherwise the whole value as one raw string.
std::optional<UserClass> decode_user_class(ByteSpan v);
// True when v is a complete RFC 3004 list (every instance non-empty and inside the value).
bool is_rfc3004_user_class(ByteSpan v);

}  // namespace pxe::wire::dhcp
