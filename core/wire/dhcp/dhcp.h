// BOOTP/DHCP message (RFC 951, RFC 2131 §2): bytes <-> values, nothing else.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +---------------+---------------+---------------+---------------+
//  |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
//  +---------------+---------------+---------------+---------------+
//  |                            xid (4)                            |
//  +-------------------------------+-------------------------------+
//  |           secs (2)            |           flags (2)           |
//  +-------------------------------+-------------------------------+
//  |  ciaddr (4) | yiaddr (4) | siaddr (4) | giaddr (4)             |  offsets 12..27
//  |  chaddr (16)                                                  |  28..43
//  |  sname (64)                                                   |  44..107
//  |  file (128)                                                   |  108..235
//  |  magic cookie 99.130.83.99 (4)                                |  236..239
//  |  options (variable)                                           |  240..
//  +---------------------------------------------------------------+
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"
#include "wire/dhcp/dhcp_options.h"
#include "wire/dhcp/pxe_options.h"

namespace pxe::wire::dhcp {

inline constexpr std::uint32_t kMagicCookie = 0x63825363;
inline constexpr std::size_t kFixedSize = 236;       // up to and including `file`
inline constexpr std::size_t kCookieOffset = 236;
inline constexpr std::size_t kOptionsOffset = 240;
inline constexpr std::size_t kSnameOffset = 44, kSnameSize = 64;
inline constexpr std::size_t kFileOffset = 108, kFileSize = 128;
inline constexpr std::size_t kBootpMinSize = 300;    // RFC 951: 236 + 64-octet vend area
inline constexpr std::uint16_t kBroadcastFlag = 0x8000;

enum class Op : std::uint8_t { Request = 1, Reply = 2 };

// One option instance as found on the wire. Pad (0) and End (255) are kept as entries with no
// data so encode() reproduces the exact bytes.
struct Option {
  std::uint8_t code = 0;
  Bytes data;
  friend bool operator==(const Option&, const Option&) = default;
};

// Where an option instance came from (RFC 2131 §4.1 / RFC 3396 concatenation order).
enum class OptionArea : std::uint8_t { Options, File, Sname };

// A logical option: every instance of one code concatenated in the order options -> file ->
// sname (RFC 3396 §6), pads and end removed.
struct LogicalOption {
  std::uint8_t code = 0;
  Bytes data;
  friend bool operator==(const LogicalOption&, const LogicalOption&) = default;
};

struct Message {
  std::uint8_t op = 1;
  std::uint8_t htype = 1;   // 1 = Ethernet
  std::uint8_t hlen = 6;
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  Ipv4 ciaddr, yiaddr, siaddr, giaddr;
  std::array<std::uint8_t, 16> chaddr{};
  std::array<std::uint8_t, kSnameSize> sname{};  // raw, may hold options when overloaded
  std::array<std::uint8_t, kFileSize> file{};    // raw, may hold options when overloaded
  // False for plain BOOTP without the RFC 1048 cookie: then `trailing` holds the vend area.
  bool has_cookie = true;
  std::vector<Option> options;  // the options field in wire order, including Pad/End entries
  Bytes trailing;               // bytes after End (padding), or the whole vend area w/o cookie

  friend bool operator==(const Message&, const Message&) = default;

  bool broadcast() const { return (flags & kBroadcastFlag) != 0; }
  Mac client_mac() const { return Mac::from_bytes(ByteSpan(chaddr.data(), 6)); }
  void set_client_mac(const Mac& m);
  std::string sname_str() const;  // up to the first NUL
  std::string file_str() const;

  // --- options, logical view (RFC 3396 concatenation, overload followed) ---
  // Value of option `code`: all instances concatenated; nullopt when absent.
  std::optional<Bytes> option(std::uint8_t code) const;
  bool has_option(std::uint8_t code) const;
  std::vector<LogicalOption> logical_options() const;
  // Option 52: 1 = file, 2 = sname, 3 = both; 0 when absent.
  std::uint8_t overload() const;

  // --- typed accessors; nullopt when absent or malformed ---
  std::optional<MessageType> message_type() const;      // 53
  std::optional<Ipv4> requested_ip() const;             // 50
  std::optional<Ipv4> server_id() const;                // 54
  std::optional<std::uint32_t> lease_time() const;      // 51
  std::optional<std::uint16_t> max_message_size() const;  // 57
  std::optional<Bytes> parameter_request_list() const;  // 55
  std::optional<std::string> vendor_class() const;      // 60
  std::optional<Bytes> client_id() const;               // 61
  std::optional<std::string> hostname() const;          // 12
  std::optional<std::vector<std::uint16_t>> client_arch() const;  // 93 (one or more values)
  std::optional<ClientNdi> client_ndi() const;          // 94
  std::optional<ClientUuid> client_uuid() const;        // 97
  std::optional<UserClass> user_class() const;          // 77
  std::optional<std::vector<SubOption>> relay_agent_info() const;  // 82
  // 43 decoded as PXE sub-options, only when option 60 starts with "PXEClient".
  std::optional<PxeOptions> pxe_options() const;
  bool is_pxe() const;  // option 60 starts with "PXEClient"
  std::optional<std::vector<SubOption>> ipxe_options() const;  // 175
  bool pxelinux_magic() const;                          // 208 = F1:00:74:7E
  std::optional<std::string> pxelinux_config_file() const;  // 209
  std::optional<std::string> pxelinux_path_prefix() const;  // 210
  std::optional<std::uint32_t> pxelinux_reboot_time() const;  // 211
  // Boot file: option 67 if present, else the `file` field unless it is overloaded.
  std::optional<std::string> bootfile() const;
  // TFTP server name: option 66 if present, else `sname` unless it is overloaded.
  std::optional<std::string> tftp_server_name() const;
};

// True when the payload is long enough and carries 99.130.83.99 at offset 236. Dispatch checks
// this rather than ports alone (PXE boot servers answer on 4011).
bool has_magic_cookie(ByteSpan udp_payload);

// Strict parse: the fixed header must be complete and every option (including those in an
// overloaded file/sname) must be well formed. A missing End option is accepted.
Result<Message> parse(ByteSpan udp_payload);

// Lenient parse for printing damaged packets: returns what could be read and, when it stopped
// early, why and where.
struct PartialMessage {
  Message message;
  bool header_complete = false;  // all 236 fixed bytes were present
  std::optional<Error> error;    // set when something was missing or malformed
};
PartialMessage parse_lenient(ByteSpan udp_payload);

// Byte-exact for parsed messages: parse(b) -> encode == b.
Bytes encode(const Message& m);

// Convenience builder for servers/simulated clients. Options are appended in call order; values
// longer than 255 bytes are split into several instances (RFC 3396).
class Builder {
 public:
  explicit Builder(Op op = Op::Reply) { m_.op = std::uint8_t(op); }
  // Starts a reply to `request`: copies xid, flags, giaddr, chaddr, htype/hlen (RFC 2131 Table 3).
  static Builder reply_to(const Message& request);

  Builder& xid(std::uint32_t v) { m_.xid = v; return *this; }
  Builder& secs(std::uint16_t v) { m_.secs = v; return *this; }
  Builder& flags(std::uint16_t v) { m_.flags = v; return *this; }
  Builder& broadcast(bool b = true);
  Builder& hops(std::uint8_t v) { m_.hops = v; return *this; }
  Builder& ciaddr(Ipv4 a) { m_.ciaddr = a; return *this; }
  Builder& yiaddr(Ipv4 a) { m_.yiaddr = a; return *this; }
  Builder& siaddr(Ipv4 a) { m_.siaddr = a; return *this; }
  Builder& giaddr(Ipv4 a) { m_.giaddr = a; return *this; }
  Builder& client_mac(const Mac& mac);
  Builder& sname(std::string_view s);  // NUL-padded, truncated to 63 bytes + NUL
  Builder& file(std::string_view s);   // NUL-padded, truncated to 127 bytes + NUL

  Builder& option(std::uint8_t code, ByteSpan data);
  Builder& option_u8(std::uint8_t code, std::uint8_t v);
  Builder& option_u16(std::uint8_t code, std::uint16_t v);
  Builder& option_u32(std::uint8_t code, std::uint32_t v);
  Builder& option_ip(std::uint8_t code, Ipv4 a);
  Builder& option_ips(std::uint8_t code, const std::vector<Ipv4>& as);
  Builder& option_str(std::uint8_t code, std::string_view s);
  Builder& message_type(MessageType t) { return option_u8(opt::kMessageType, std::uint8_t(t)); }
  // Removes every instance of `code` added so far.
  Builder& remove(std::uint8_t code);
  // Pad with zeros after End up to this total size (0 = no padding; 300 = BOOTP minimum).
  Builder& pad_to(std::size_t total) { pad_to_ = total; return *this; }

  // The message with End appended and padding added.
  Message build() const;
  Bytes encode() const { return dhcp::encode(build()); }

 private:
  Message m_;
  std::size_t pad_to_ = 0;
};

}  // namespace pxe::wire::dhcp
