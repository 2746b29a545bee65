// Which TCP connections carry SMB, and which side is the server.
//
// Ports 445 and 139 are SMB by port. On any other port (pxekit serve --smb-port, Samba's
// `smb ports`, smbclient -p) a connection is SMB when its first data segment, in either
// direction, is an NBSS session message (type 0x00) whose payload starts with an SMB2 header
// (0xFE 'S' 'M' 'B', StructureSize 64) or an SMB1 header (0xFF 'S' 'M' 'B', the multi-protocol
// NEGOTIATE): Wireshark's NBSS heuristic, judged once per connection.
//
// The server is the side that listens: the destination of the client's SYN when the handshake
// was captured (or the source of the SYN+ACK), otherwise the side the first SMB message says
// (a response travels from the server, a request to it).
//
// Bounded: two generations of at most `capacity` connections each; when the current one is
// full it becomes the previous one (the old previous is dropped), and a connection seen again is
// carried over. Each segment costs one or two hash probes and no scan, whatever the traffic.
// A connection forgotten this way is judged again on its next data segment.
#pragma once

#include <cstdint>

#include <absl/container/flat_hash_map.h>

#include "base/bytes.h"

namespace pxe::capture {

class SmbConnections {
 public:
  explicit SmbConnections(std::size_t capacity = 65536) : capacity_(capacity < 1 ? 1 : capacity) {}

  struct Verdict {
    bool smb = false;
    std::uint16_t server_port = 0;  // when smb: the port the SMB server listens on
  };

  // One IPv4 TCP segment (addresses host order, `syn`/`ack` its flags, `payload` its data).
  Verdict classify(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
                   bool syn, bool ack, ByteSpan payload);

  // The heuristic on one data segment: an NBSS session message holding an SMB2 header or an
  // SMB1 header. When it matches and `from_server` is not null, *from_server says whether the
  // message is a response (SMB2 SERVER_TO_REDIR flag, SMB1 reply flag).
  static bool looks_like_smb(ByteSpan payload, bool* from_server = nullptr);

  static bool standard_port(std::uint16_t port) { return port == 445 || port == 139; }

  std::size_t size() const { return current_.size() + previous_.size(); }

 private:
  enum class State : std::uint8_t { Undecided, Smb, NotSmb };
  struct Conn {
    State state = State::Undecided;
    std::uint16_t server_port = 0;  // 0: not known yet
  };
  struct Key {
    std::uint64_t a, b;  // (ip << 16 | port) of both ends, smaller first
    bool operator==(const Key&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.a, k.b);
    }
  };
  Conn* find(const Key& k);  // carries a connection found in the previous generation over
  Conn& add(const Key& k, Conn c);

  using Map = absl::flat_hash_map<Key, Conn>;
  Map current_, previous_;
  std::size_t capacity_;
};

}  // namespace pxe::capture
