// Faults injected on the Link between a simulated client and a server, so each firmware
// failure can be produced on demand (and recorded for `pxekit diagnose`):
//
//   drop:WHAT[:N]       drop every frame of that kind (or the first N)
//   delay:WHAT:DUR      deliver every frame of that kind DUR later ("5s", "1500ms")
//   reset:WHAT          replace every TCP frame of that kind with a RST from its sender (the
//                       server process died: the seed's smbd did, and WinPE said "System error 58")
//   corrupt:optNN       flip the top bit of every byte of DHCP option NN in the server's replies
//   no-arp-reply        drop every ARP reply (the client never learns the server's MAC)
//   mtu:N               drop frames whose IP packet is longer than N bytes (a path MTU)
//
// WHAT (server-to-client unless named otherwise): dhcp-offer, dhcp-ack, dhcp-nak, dhcp (every
// DHCP reply), proxy (replies from port 4011), tftp-oack, tftp-data, tftp-error (from either side),
// tftp (every OACK and DATA), arp-reply, smb (every TCP segment from port 445),
// smb-session-setup (the segment that starts an SMB2 SESSION_SETUP response), dhcp-discover,
// dhcp-request, tftp-rrq, tftp-ack (client to server).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "transport/link.h"

namespace pxe::client {

enum class FrameKind {
  DhcpOffer, DhcpAck, DhcpNak, DhcpReply, ProxyReply,
  TftpOack, TftpData, TftpError, TftpFromServer,
  ArpReply,
  Smb, SmbSessionSetup,
  DhcpDiscover, DhcpRequest, TftpRrq, TftpAck,
};

struct Fault {
  enum class Type { Drop, Delay, Reset, Corrupt, NoArpReply, Mtu };
  Type type = Type::Drop;
  FrameKind what = FrameKind::DhcpOffer;
  std::optional<unsigned> count;  // Drop: only the first N
  Duration delay{};               // Delay
  std::uint8_t option = 0;        // Corrupt
  std::size_t mtu = 0;            // Mtu: largest IP packet let through
  std::string spec;               // as given, for the log
};

// One --fault argument; an error says what was expected.
Result<Fault> parse_fault(std::string_view spec);
// "5s", "1500ms", "2" (seconds), "250us".
std::optional<Duration> parse_duration(std::string_view text);

// The kinds a frame is (a DHCPOFFER from 67 is both DhcpOffer and DhcpReply).
std::vector<FrameKind> classify_frame(ByteSpan frame);

// Applies faults to every frame the Link carries: use as its FrameHook. Copyable; the copies
// share their counters (a std::function holds a copy).
class FaultInjector {
 public:
  explicit FaultInjector(std::vector<Fault> faults);
  transport::FrameVerdict operator()(ByteSpan frame, Timestamp now);
  // One line per frame a fault touched ("drop:dhcp-offer dropped a frame"), for -v.
  const std::vector<std::string>& log() const { return state_->log; }

 private:
  struct State {
    std::vector<Fault> faults;
    std::vector<unsigned> hits;
    std::vector<std::string> log;
  };
  std::shared_ptr<State> state_;
};

}  // namespace pxe::client
