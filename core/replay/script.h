// A replay script: the client side of a capture, in order, grouped into conversations, with the
// server answers that were recorded for each. `pxekit replay` sends the client datagrams again to
// another server and compares what comes back with `answers` (replay/compare.h).
//
// Conversations:
//  - DHCP: one per (chaddr, xid, port) where port is 67 or 4011; a 4011 (PXE boot server)
//    conversation is tied to the DHCP exchange of the same client (`parent`: same xid if there is
//    one, else that client's latest exchange before it).
//  - TFTP: one per transfer, opened by an RRQ/WRQ from client ip:port to port 69; the client's
//    ACK/ERROR datagrams to the server's TID belong to it. A request repeated from the same port
//    before any answer is a retransmission of the same conversation.
// Recorded answers are the server datagrams of the conversation: DHCP replies (op 2) with the
// conversation's xid and chaddr from port 67/4011, TFTP datagrams from the transfer's server to
// the client's TID.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace pxe::capture {
struct Observation;
}

namespace pxe::replay {

struct Datagram {
  std::uint64_t frame = 0;  // 1-based frame number in the capture
  Timestamp time;           // capture time
  Mac src_mac, dst_mac;
  Ipv4 src_ip, dst_ip;
  std::uint16_t src_port = 0, dst_port = 0;
  Bytes payload;
};

enum class ConversationKind : std::uint8_t { Dhcp, BootServer, Tftp };

struct Conversation {
  ConversationKind kind = ConversationKind::Dhcp;
  Mac client_mac;
  // DHCP / boot server
  std::uint32_t xid = 0;
  std::optional<std::size_t> parent;  // a BootServer conversation's DHCP exchange
  // TFTP
  Ipv4 client_ip, server_ip;
  std::uint16_t client_port = 0;
  std::uint16_t server_port = 0;  // the recorded server's TID (0: it never answered)
  std::string filename;
  bool write = false;

  // ICMP port unreachable answers to this transfer's request (nothing listened on the port).
  unsigned port_unreachable = 0;

  std::vector<std::size_t> requests;  // indices into Script::requests
  std::vector<Datagram> answers;      // recorded server answers, in capture order

  std::string label() const;  // "DHCP xid 0x1a2b3c4d 52:54:00:42:00:10", "TFTP RRQ pxelinux.0 ..."
};

struct ClientDatagram {
  Datagram d;
  std::size_t conversation = 0;  // index into Script::conversations
};

struct Script {
  std::vector<ClientDatagram> requests;  // client datagrams in capture order
  std::vector<Conversation> conversations;
  // The answering server this script replays against: the one that serves TFTP if any, else the
  // one whose DHCP replies carry a boot file, else the first DHCP server (`choose_server`).
  Ipv4 server_ip;
  Mac server_mac;
  std::vector<Ipv4> servers;  // every address that sent a DHCP reply or TFTP answer, first seen first
  Timestamp start;            // time of the first client datagram

  // Keeps only the answers from `ip` (the server replayed against) and sets server_ip/mac.
  void choose_server(Ipv4 ip);
  std::size_t answer_count() const;
};

// Builds a script from observations (capture::Dissector output) in capture order.
class ScriptBuilder {
 public:
  void add(const capture::Observation& obs);
  // Picks the server (see Script::server_ip) and keeps only its answers; `server` overrides.
  Script finish(std::optional<Ipv4> server = std::nullopt);

 private:
  void add_dhcp(Datagram d);
  void add_tftp(Datagram d);
  void add_icmp(const capture::Observation& obs);
  void saw_server(Ipv4 ip, const Mac& mac);
  std::optional<std::size_t> find_dhcp(ConversationKind k, std::uint32_t xid, const Mac& mac) const;

  Script s_;
  std::vector<std::pair<Ipv4, Mac>> server_macs_;
  std::optional<Ipv4> tftp_server_, bootfile_server_;
};

// The files the recorded TFTP read transfers delivered completely (every block once, the last one
// shorter than the one before, or a single block), by requested name: with them a TFTP root can
// be rebuilt from a capture (the longest copy wins when a name was read several times).
struct RecordedFile {
  std::string name;
  Bytes data;
};
std::vector<RecordedFile> recorded_files(const Script& script);

// Reads a pcap/pcapng file into a script.
Result<Script> load_script(const std::string& path, std::optional<Ipv4> server = std::nullopt);

}  // namespace pxe::replay
