// Events: what happened on the wire (or in a dnsmasq log), in the protocol's words, one per
// relevant packet. The builder turns Observations into Events; the dnsmasq log reader turns log
// lines into the same Events, so both feed the same rules (Zeek's grammar/events/policy split).
//
// An Event is a flat, trivially copyable record: the million-frame benchmark capture of 19,000
// clients makes ~360,000 of them. Its text (file names, vendor classes, ...) is a Text: a view
// of characters kept by the TextStore of the list it belongs to (EventList), interned so that the
// 19,000th "pxelinux.0" costs no memory.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "base/addr.h"
#include "base/clock.h"

namespace pxe::diag {

// Text an event carries. Made only by a TextStore or from a string literal, so an event can't
// keep a view of a temporary std::string by mistake.
class Text {
 public:
  constexpr Text() = default;
  template <std::size_t N>
  constexpr Text(const char (&literal)[N]) : v_(literal, N - 1) {}  // NOLINT: implicit by design

  constexpr operator std::string_view() const { return v_; }  // NOLINT
  constexpr std::string_view view() const { return v_; }
  std::string str() const { return std::string(v_); }
  constexpr bool empty() const { return v_.empty(); }
  constexpr std::size_t size() const { return v_.size(); }
  constexpr const char* data() const { return v_.data(); }
  constexpr char front() const { return v_.front(); }
  constexpr char back() const { return v_.back(); }
  constexpr auto begin() const { return v_.begin(); }
  constexpr auto end() const { return v_.end(); }
  constexpr bool starts_with(std::string_view p) const { return v_.starts_with(p); }
  constexpr bool ends_with(std::string_view p) const { return v_.ends_with(p); }
  constexpr std::size_t find(std::string_view p, std::size_t pos = 0) const { return v_.find(p, pos); }
  constexpr std::size_t find(char c, std::size_t pos = 0) const { return v_.find(c, pos); }
  constexpr std::size_t rfind(char c, std::size_t pos = std::string_view::npos) const { return v_.rfind(c, pos); }
  constexpr std::string_view substr(std::size_t pos, std::size_t n = std::string_view::npos) const {
    return v_.substr(pos, n);
  }

  friend constexpr bool operator==(Text a, Text b) { return a.v_ == b.v_; }
  friend constexpr bool operator==(Text a, std::string_view b) { return a.v_ == b; }
  template <std::size_t N>
  friend constexpr bool operator==(Text a, const char (&literal)[N]) { return a.v_ == std::string_view(literal, N - 1); }
  friend std::string operator+(std::string a, Text b) { return a.append(b.v_); }
  friend std::string operator+(Text a, std::string_view b) { return std::string(a.v_).append(b); }
  friend std::ostream& operator<<(std::ostream& os, Text t);

 private:
  friend class TextStore;
  explicit constexpr Text(std::string_view v) : v_(v) {}
  std::string_view v_;
};

// Owns the characters of Texts: each distinct string once, at an address that never moves.
class TextStore {
 public:
  TextStore() = default;
  TextStore(const TextStore&) = delete;
  TextStore& operator=(const TextStore&) = delete;

  Text keep(std::string_view s);
  std::size_t bytes() const { return bytes_; }  // characters held

 private:
  static constexpr std::size_t kBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  std::size_t left_ = 0;
  std::size_t bytes_ = 0;
  std::unordered_set<std::string_view> seen_;
};

// Option 93's architecture types, the first kMax of them (clients send one; RFC 4578 allows a
// list). A fixed array keeps Event trivially copyable.
class ArchList {
 public:
  static constexpr std::size_t kMax = 4;
  ArchList() = default;
  ArchList(std::initializer_list<std::uint16_t> types) { for (auto t : types) push_back(t); }
  template <typename Range>
  static ArchList from(const Range& types) {
    ArchList a;
    for (auto t : types) a.push_back(t);
    return a;
  }
  void push_back(std::uint16_t t) { if (n_ < kMax) v_[n_++] = t; }
  void clear() { n_ = 0; }
  bool empty() const { return n_ == 0; }
  std::size_t size() const { return n_; }
  std::uint16_t front() const { return v_[0]; }
  std::uint16_t operator[](std::size_t i) const { return v_[i]; }
  const std::uint16_t* begin() const { return v_.data(); }
  const std::uint16_t* end() const { return v_.data() + n_; }
  friend bool operator==(const ArchList& a, const ArchList& b) {
    return a.n_ == b.n_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  std::array<std::uint16_t, kMax> v_{};
  std::uint8_t n_ = 0;
};

enum class EventKind : std::uint8_t {
  DhcpFromClient,   // DISCOVER/REQUEST/DECLINE/RELEASE/INFORM (to 67 or 4011)
  DhcpFromServer,   // OFFER/ACK/NAK (from 67 or 4011)
  ArpRequest,       // who-has target tell sender
  ArpReply,
  IcmpUnreachable,  // with the quoted datagram's ports
  TftpRequest,      // RRQ/WRQ from the client
  TftpOack,
  TftpData,
  TftpAck,
  TftpError,        // from either side (from_client tells)
  TftpSent,         // dnsmasq log only: "sent FILE to IP" (a completed transfer)
  SmbSessionSetup,  // request or response
  SmbTreeConnect,
  SmbOther,         // any other SMB2 command
  TcpClose,         // FIN or RST on an SMB connection
  TcpOpen,          // SYN (from the client) or SYN-ACK (from the server) on an SMB connection
};

struct Event {
  // What every event has, then what a run of TFTP DATA (or ACK) packets changes as it grows:
  // all in the first 64 bytes, so extending a run rewrites one cache line (see EventBuilder).
  std::uint64_t frame = 0;  // frame number, or the log line number for dnsmasq logs
  Timestamp time;
  EventKind kind{};
  bool from_client = false;
  bool fragmented = false;       // the datagram arrived in IPv4 fragments
  bool bad_checksum = false;     // the UDP/TCP checksum did not verify
  Ipv4 src, dst;
  std::uint16_t sport = 0, dport = 0;
  Mac client_mac;
  std::uint16_t block = 0;       // TFTP DATA/ACK
  std::uint32_t data_len = 0;    // TFTP DATA payload
  // A run of DATA blocks (or ACKs) of one transfer is kept as its latest packet, with the run's
  // totals: a 316 MB image is one event, not 600,000 (bounded memory on long captures).
  std::uint32_t run_blocks = 1;
  std::uint64_t run_bytes = 0;

  // TFTP
  std::uint32_t blksize = 0;     // as requested (RRQ) or granted (OACK)
  std::uint16_t error_code = 0;
  Text filename;                 // RRQ/WRQ, or the file of an error/sent line from a log
  Text error_message;

  // ARP (sender/target in src/dst), ICMP (quoted datagram in src/dst/sport/dport)
  std::uint8_t icmp_code = 0;

  // DHCP
  std::uint8_t msg_type = 0;  // option 53
  bool has_pxe_options = false;     // option 43 with PXE sub-options
  bool pxe_boot_item = false;       // 43.71 present (boot server request/reply)
  std::uint8_t pxe_discovery_control = 0;  // 43.6
  bool has_ipxe_encap = false;      // option 175
  std::uint32_t xid = 0;
  Ipv4 ciaddr, yiaddr, siaddr, giaddr, server_id, requested_ip;
  ArchList arch;       // option 93
  Text bootfile;       // `file` or option 67
  Text tftp_server;    // option 66 / sname
  Text vendor_class;   // option 60
  Text user_class;     // option 77 (e.g. "iPXE")
  Text hostname;       // option 12

  // SMB2
  bool is_response = false;
  bool anonymous = false;           // NTLMSSP AUTHENTICATE with no user and no NT response
  bool has_authenticate = false;
  bool rst = false;                 // TcpClose: RST (else FIN)
  std::uint16_t session_flags = 0;  // 1 guest, 2 null
  std::uint16_t smb_command = 0;    // the SMB2 command (0 NEGOTIATE, 1 SESSION_SETUP, ...)
  std::uint16_t smb_server_port = 0;  // the server's TCP port: 445/139, or where SMB was found
  bool signing_required = false;    // NEGOTIATE request/response: SecurityMode SIGNING_REQUIRED
  std::uint32_t status = 0;
  Text user, domain, path;
};

static_assert(std::is_trivially_copyable_v<Event>);
// The head of an Event: the common fields and the run fields, the part of a TFTP DATA/ACK event
// that changes along a run.
inline constexpr std::size_t kEventRunHead = offsetof(Event, blksize);
static_assert(kEventRunHead <= 64, "the run fields fit in the first cache line");

// An SMB or TCP open/close event that travels towards the SMB server: to smb_server_port (the
// port the capture's dissector found SMB on), or to 445/139 when that is not set.
inline bool to_smb_server(const Event& e) {
  return e.smb_server_port ? e.dport == e.smb_server_port : (e.dport == 445 || e.dport == 139);
}

// Events with the store their text lives in. Moving keeps the Texts valid (the store is on the
// heap); events copied out of a list are valid while the list's store is.
struct EventList {
  std::vector<Event> events;
  std::shared_ptr<TextStore> text = std::make_shared<TextStore>();

  std::size_t size() const { return events.size(); }
  bool empty() const { return events.empty(); }
  const Event& operator[](std::size_t i) const { return events[i]; }
  auto begin() const { return events.begin(); }
  auto end() const { return events.end(); }
};

}  // namespace pxe::diag

template <>
struct fmt::formatter<pxe::diag::Text> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(pxe::diag::Text t, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(t.view(), ctx);
  }
};
