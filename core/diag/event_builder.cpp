#include "diag/event_builder.h"

#include "wire/dhcp/dhcp.h"
#include "wire/smb2/header.h"
#include "wire/smb2/ntlmssp.h"
#include "wire/smb2/session_setup.h"
#include "wire/smb2/tree_connect.h"
#include "wire/tftp/tftp.h"

namespace pxe::diag {

using capture::Observation;

void EventBuilder::add(const Observation& obs) {
  Event e;
  e.frame = obs.number;
  e.time = obs.time;
  if (obs.arp) {
    const Tins::ARP& a = *obs.arp;
    e.kind = a.opcode() == Tins::ARP::REQUEST ? EventKind::ArpRequest : EventKind::ArpReply;
    e.src = capture::to_ipv4(a.sender_ip_addr());
    e.dst = capture::to_ipv4(a.target_ip_addr());
    e.client_mac = capture::to_mac(a.sender_hw_addr());
    events_.push_back(std::move(e));
    return;
  }
  if (!obs.ip || obs.ip_header.size() < 20 || obs.fragment == capture::Fragment::Held) return;
  e.src = Ipv4::from_bytes(obs.ip_header.subspan(12, 4));
  e.dst = Ipv4::from_bytes(obs.ip_header.subspan(16, 4));
  if (obs.eth) e.client_mac = capture::to_mac(obs.eth->src_addr());
  e.bad_checksum = obs.checksum == capture::Checksum::Bad;
  if (obs.udp) {
    e.sport = obs.udp->sport();
    e.dport = obs.udp->dport();
    e.fragmented = obs.fragment == capture::Fragment::Reassembled;
    if (obs.app == capture::App::Dhcp) add_dhcp(obs, e);
    else if (obs.app == capture::App::Tftp) add_tftp(obs, e);
  } else if (obs.icmp && obs.icmp->type() == Tins::ICMP::DEST_UNREACHABLE && obs.icmp_quote.present) {
    const auto& q = obs.icmp_quote;
    e.kind = EventKind::IcmpUnreachable;
    e.icmp_code = obs.icmp->code();
    // The quoted datagram is the client's: its source is the client, its destination the
    // server that answered with the ICMP error.
    e.src = q.src;
    e.dst = q.dst;
    e.sport = q.sport;
    e.dport = q.dport;
    if (obs.eth) e.client_mac = capture::to_mac(obs.eth->dst_addr());
    events_.push_back(std::move(e));
  } else if (obs.tcp && obs.app == capture::App::Smb2) {
    e.sport = obs.tcp->sport();
    e.dport = obs.tcp->dport();
    e.from_client = e.dport == 445 || e.dport == 139;
    if (!e.from_client && obs.eth) e.client_mac = capture::to_mac(obs.eth->dst_addr());
    add_smb(obs, e);
    std::uint16_t f = obs.tcp->flags();
    if (f & (Tins::TCP::FIN | Tins::TCP::RST)) {
      e.kind = EventKind::TcpClose;
      e.rst = f & Tins::TCP::RST;
      events_.push_back(std::move(e));
    }
  }
}

void EventBuilder::add_dhcp(const Observation& obs, Event& e) {
  auto parsed = wire::dhcp::parse_lenient(obs.l4_payload);
  if (!parsed.header_complete) return;
  const auto& m = parsed.message;
  e.from_client = m.op == static_cast<std::uint8_t>(wire::dhcp::Op::Request);
  e.kind = e.from_client ? EventKind::DhcpFromClient : EventKind::DhcpFromServer;
  e.client_mac = m.client_mac();
  e.xid = m.xid;
  e.ciaddr = m.ciaddr;
  e.yiaddr = m.yiaddr;
  e.siaddr = m.siaddr;
  e.giaddr = m.giaddr;
  if (auto t = m.message_type()) e.msg_type = static_cast<std::uint8_t>(*t);
  if (auto s = m.server_id()) e.server_id = *s;
  if (auto r = m.requested_ip()) e.requested_ip = *r;
  if (auto b = m.bootfile()) e.bootfile = *b;
  // Buggy ROMs need NUL-terminated names, so servers send them: not part of the name.
  while (!e.bootfile.empty() && e.bootfile.back() == '\0') e.bootfile.pop_back();
  if (auto t = m.tftp_server_name()) e.tftp_server = *t;
  while (!e.tftp_server.empty() && e.tftp_server.back() == '\0') e.tftp_server.pop_back();
  if (auto v = m.vendor_class()) e.vendor_class = *v;
  if (auto u = m.user_class(); u && !u->classes.empty()) e.user_class = u->classes.front();
  if (auto h = m.hostname()) e.hostname = *h;
  if (auto a = m.client_arch()) e.arch = *a;
  if (auto p = m.pxe_options()) {
    e.has_pxe_options = true;
    e.pxe_boot_item = p->boot_item.has_value();
    e.pxe_discovery_control = p->discovery_control.value_or(0);
  }
  e.has_ipxe_encap = m.has_option(175);
  events_.push_back(std::move(e));
}

void EventBuilder::add_tftp(const Observation& obs, Event& e) {
  auto parsed = wire::tftp::parse(obs.l4_payload);
  if (!parsed) return;
  namespace tftp = wire::tftp;
  const tftp::Packet& p = *parsed;
  if (auto* req = std::get_if<tftp::Request>(&p)) {
    e.kind = EventKind::TftpRequest;
    e.from_client = true;
    e.filename = req->filename;
    if (auto* b = tftp::find_option(req->options, "blksize")) e.blksize = std::uint32_t(std::atoi(b->value.c_str()));
  } else if (auto* o = std::get_if<tftp::Oack>(&p)) {
    e.kind = EventKind::TftpOack;
    if (auto* b = tftp::find_option(o->options, "blksize")) e.blksize = std::uint32_t(std::atoi(b->value.c_str()));
  } else if (auto* d = std::get_if<tftp::Data>(&p)) {
    e.kind = EventKind::TftpData;
    e.block = d->block;
    e.data_len = d->payload.size();
  } else if (auto* a = std::get_if<tftp::Ack>(&p)) {
    e.kind = EventKind::TftpAck;
    e.from_client = true;
    e.block = a->block;
  } else if (auto* er = std::get_if<tftp::ErrorPacket>(&p)) {
    e.kind = EventKind::TftpError;
    e.error_code = er->code;
    e.error_message = er->message;
  }
  // Collapse a run: DATA block n+1 replaces the flow's previous DATA event (block >= 2), keeping
  // totals; likewise ACKs. Block 1 and OACK/ERROR/RRQ stay as they are.
  std::uint64_t flow = (std::uint64_t(e.src.value) * 0x9E3779B97F4A7C15ull) ^ (std::uint64_t(e.dst.value) << 32) ^
                       (std::uint64_t(e.sport) << 16) ^ e.dport;
  if (e.kind == EventKind::TftpData || e.kind == EventKind::TftpAck) {
    auto& last = e.kind == EventKind::TftpData ? last_data_ : last_ack_;
    e.run_bytes = e.data_len;
    auto it = last.find(flow);
    if (it != last.end() && it->second < events_.size()) {
      Event& prev = events_[it->second];
      bool same_flow = prev.kind == e.kind && prev.src == e.src && prev.dst == e.dst && prev.sport == e.sport &&
                       prev.dport == e.dport;
      if (same_flow && prev.block >= 2 && e.block >= 2) {
        e.run_blocks = prev.run_blocks + 1;
        e.run_bytes += prev.run_bytes;
        e.fragmented |= prev.fragmented;
        if (!obs.eth && !prev.client_mac.is_zero()) e.client_mac = prev.client_mac;
        if (e.kind == EventKind::TftpAck) e.from_client = true;
        else if (obs.eth) {
          e.client_mac = capture::to_mac(obs.eth->dst_addr());
        }
        prev = std::move(e);
        return;
      }
    }
    last[flow] = events_.size();
  }
  // Which side is the client: the one whose port is not the server's (69 for requests), or
  // for transfer packets the receiver of DATA / sender of ACK.
  if (e.kind == EventKind::TftpData || e.kind == EventKind::TftpOack) e.from_client = false;
  if (e.kind == EventKind::TftpError) e.from_client = false;  // refined by the timeline
  if (!e.from_client && obs.eth) e.client_mac = capture::to_mac(obs.eth->dst_addr());
  events_.push_back(std::move(e));
}

void EventBuilder::add_smb(const Observation& obs, const Event& base) {
  namespace smb2 = wire::smb2;
  for (const auto& msg : obs.smb_messages) {
    if (msg.nbss_type != 0 || smb2::sniff(msg.payload) != smb2::Protocol::Smb2) continue;
    auto chain = smb2::split_chain(msg.payload);
    for (const auto& el : chain.elements) {
      auto h = smb2::parse_header(el.pdu);
      if (!h) continue;
      Event e = base;
      e.is_response = h->is_response();
      e.from_client = !e.is_response;
      e.status = h->status;
      auto cmd = static_cast<smb2::Command>(h->command);
      if (cmd == smb2::Command::SessionSetup) {
        e.kind = EventKind::SmbSessionSetup;
        if (e.is_response) {
          if (auto r = smb2::parse_session_setup_response(el.pdu)) e.session_flags = r->session_flags;
        } else if (auto r = smb2::parse_session_setup_request(el.pdu)) {
          if (auto blob = wire::ntlmssp::find_in_spnego(r->security_buffer)) {
            if (auto n = wire::ntlmssp::parse(*blob);
                n && n->type == wire::ntlmssp::MessageType::Authenticate) {
              e.has_authenticate = true;
              e.anonymous = n->authenticate.anonymous();
              e.user = n->authenticate.user;
              e.domain = n->authenticate.domain;
            }
          }
        }
      } else if (cmd == smb2::Command::TreeConnect) {
        e.kind = EventKind::SmbTreeConnect;
        if (!e.is_response) {
          if (auto r = smb2::parse_tree_connect_request(el.pdu)) e.path = r->path;
        }
      } else {
        e.kind = EventKind::SmbOther;
      }
      events_.push_back(std::move(e));
    }
  }
}

}  // namespace pxe::diag
