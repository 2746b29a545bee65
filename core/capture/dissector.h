// Dissects frames into Observations: libtins parses Ethernet/SLL/IP/UDP/TCP/ARP/ICMP; we add
// IPv4 reassembly (libtins' IPv4Reassembler, bounded), DHCP/TFTP/SMB2 classification with
// TFTP transfer following and SMB recognised by port or by content (smb_connections.h),
// transport checksum verification and ICMP quote extraction.
// Stateful, single-threaded; the Observation passed to the sink is valid only during the call.
#pragma once

#include <tins/ip_reassembler.h>

#include <deque>
#include <functional>
#include <memory>
#include <tuple>

#include "capture/observation.h"
#include "capture/smb_connections.h"
#include "capture/smb_streams.h"
#include "capture/source.h"
#include "capture/tftp_follower.h"

namespace pxe::capture {

struct DissectorStats {
  std::uint64_t frames = 0;
  std::uint64_t malformed = 0;
  std::uint64_t fragments_held = 0;
  std::uint64_t reassembled = 0;
  std::uint64_t gso_frames = 0;  // frames split into the datagrams a sender's UDP GSO put in them
};

class Dissector {
 public:
  using Sink = std::function<void(const Observation&)>;

  explicit Dissector(LinkType link);
  ~Dissector();

  // Dissects one frame and calls sink once; a UDP segmentation offload frame holding several
  // TFTP DATA datagrams (split_tftp_gso) once per datagram, each with Observation::gso set.
  void dissect(const RawFrame& frame, const Sink& sink);
  const DissectorStats& stats() const { return stats_; }

  // Open fragment reassemblies beyond this are dropped, oldest first (bounded memory).
  static constexpr std::size_t kMaxOpenReassemblies = 1024;

 private:
  void dissect_ip(Tins::PDU& root, Tins::IP& ip, Observation& obs);
  void classify_udp(const Tins::IP& ip, const Tins::UDP& udp, Observation& obs);
  void track_fragment(const Tins::IP& ip);

  LinkType link_;
  std::uint64_t next_number_ = 1;
  Tins::IPv4Reassembler reassembler_;
  std::deque<std::tuple<std::uint16_t, std::uint32_t, std::uint32_t>> open_reassemblies_;
  TftpFollower tftp_;
  SmbConnections smb_conns_;
  SmbStreams smb_;
  std::vector<SmbStreams::Message> smb_out_;
  std::vector<ByteSpan> gso_out_;  // the datagrams of the current frame when it is a GSO frame
  DissectorStats stats_;
};

}  // namespace pxe::capture
