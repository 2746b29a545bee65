#include "diag/event_builder.h"

#include <cstring>

#include "wire/dhcp/dhcp.h"
#include "wire/smb2/header.h"
#include "wire/smb2/negotiate.h"
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
    list_.events.push_back(e);
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
    list_.events.push_back(e);
  } else if (obs.tcp && obs.app == capture::App::Smb2) {
    e.sport = obs.tcp->sport();
    e.dport = obs.tcp->dport();
    e.smb_server_port = obs.smb_server_port;  // 445/139, or the port SMB was found on
    e.from_client = to_smb_server(e);
    if (!e.from_client && obs.eth) e.client_mac = capture::to_mac(obs.eth->dst_addr());
    add_smb(obs, e);
    std::uint16_t f = obs.tcp->flags();
    if (f & (Tins::TCP::FIN | Tins::TCP::RST)) {
      e.kind = EventKind::TcpClose;
      e.rst = f & Tins::TCP::RST;
      list_.events.push_back(e);
    } else if (f & Tins::TCP::SYN) {
      e.kind = EventKind::TcpOpen;
      list_.events.push_back(e);
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
  // Buggy ROMs need NUL-terminated names, so servers send them: not part of the name.
  auto without_nuls = [](std::string_view v) {
    while (!v.empty() && v.back() == '\0') v.remove_suffix(1);
    return v;
  };
  if (auto b = m.bootfile()) e.bootfile = keep(without_nuls(*b));
  if (auto t = m.tftp_server_name()) e.tftp_server = keep(without_nuls(*t));
  if (auto v = m.vendor_class()) e.vendor_class = keep(*v);
  if (auto u = m.user_class(); u && !u->classes.empty()) e.user_class = keep(u->classes.front());
  if (auto h = m.hostname()) e.hostname = keep(*h);
  if (auto a = m.client_arch()) e.arch = ArchList::from(*a);
  if (auto p = m.pxe_options()) {
    e.has_pxe_options = true;
    e.pxe_boot_item = p->boot_item.has_value();
    e.pxe_discovery_control = p->discovery_control.value_or(0);
  }
  e.has_ipxe_encap = m.has_option(175);
  list_.events.push_back(e);
}

void EventBuilder::add_tftp(const Observation& obs, Event& e) {
  auto parsed = wire::tftp::parse(obs.l4_payload);
  if (!parsed) return;
  namespace tftp = wire::tftp;
  const tftp::Packet& p = *parsed;
  if (auto* req = std::get_if<tftp::Request>(&p)) {
    e.kind = EventKind::TftpRequest;
    e.from_client = true;
    e.filename = keep(req->filename);
    if (auto* b = tftp::find_option(req->options, "blksize")) e.blksize = std::uint32_t(std::atoi(b->value.c_str()));
  } else if (auto* o = std::get_if<tftp::Oack>(&p)) {
    e.kind = EventKind::TftpOack;
    if (auto* b = tftp::find_option(o->options, "blksize")) e.blksize = std::uint32_t(std::atoi(b->value.c_str()));
  } else if (auto* d = std::get_if<tftp::Data>(&p)) {
    e.kind = EventKind::TftpData;
    e.block = d->block;
    e.data_len = static_cast<std::uint32_t>(d->payload.size());
  } else if (auto* a = std::get_if<tftp::Ack>(&p)) {
    e.kind = EventKind::TftpAck;
    e.from_client = true;
    e.block = a->block;
  } else if (auto* er = std::get_if<tftp::ErrorPacket>(&p)) {
    e.kind = EventKind::TftpError;
    e.error_code = er->code;
    e.error_message = keep(er->message);
  }
  // Collapse a run: DATA block n+1 replaces the flow's previous DATA event (block >= 2), keeping
  // totals; likewise ACKs. Block 1 and OACK/ERROR/RRQ stay as they are.
  const bool run_kind = e.kind == EventKind::TftpData || e.kind == EventKind::TftpAck;
  Run* run = nullptr;
  if (run_kind) {
    auto& runs = e.kind == EventKind::TftpData ? data_runs_ : ack_runs_;
    e.run_bytes = e.data_len;
    auto [it, inserted] = runs.try_emplace(Flow{e.src.value, e.dst.value, e.sport, e.dport});
    run = &it->second;
    if (!inserted && run->block >= 2 && e.block >= 2) {
      e.run_blocks = run->blocks + 1;
      e.run_bytes += run->bytes;
      e.fragmented |= run->fragmented;
      if (!obs.eth && !run->client_mac.is_zero()) e.client_mac = run->client_mac;
      if (e.kind == EventKind::TftpAck) e.from_client = true;
      else if (obs.eth) e.client_mac = capture::to_mac(obs.eth->dst_addr());
      *run = Run{run->index, e.block, e.run_blocks, e.run_bytes, e.fragmented, e.client_mac};
      // Along a run (one flow, one kind) only the event's head changes: rewrite that, one cache
      // line, not the whole event far back in the list.
      std::memcpy(static_cast<void*>(&list_.events[run->index]), &e, kEventRunHead);
      return;
    }
  }
  // Which side is the client: the one whose port is not the server's (69 for requests), or
  // for transfer packets the receiver of DATA / sender of ACK.
  if (e.kind == EventKind::TftpData || e.kind == EventKind::TftpOack) e.from_client = false;
  if (e.kind == EventKind::TftpError) e.from_client = false;  // refined by the timeline
  if (!e.from_client && obs.eth) e.client_mac = capture::to_mac(obs.eth->dst_addr());
  if (run) *run = Run{list_.events.size(), e.block, e.run_blocks, e.run_bytes, e.fragmented, e.client_mac};
  list_.events.push_back(e);
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
      e.smb_command = h->command;
      auto cmd = static_cast<smb2::Command>(h->command);
      if (cmd == smb2::Command::Negotiate) {
        e.kind = EventKind::SmbOther;
        std::uint16_t mode = 0;
        if (e.is_response) {
          if (auto r = smb2::parse_negotiate_response(el.pdu)) mode = r->security_mode;
        } else if (auto r = smb2::parse_negotiate_request(el.pdu)) {
          mode = r->security_mode;
        }
        e.signing_required = mode & smb2::security_mode::kSigningRequired;
      } else if (cmd == smb2::Command::SessionSetup) {
        e.kind = EventKind::SmbSessionSetup;
        if (e.is_response) {
          if (auto r = smb2::parse_session_setup_response(el.pdu)) e.session_flags = r->session_flags;
        } else if (auto r = smb2::parse_session_setup_request(el.pdu)) {
          if (auto blob = wire::ntlmssp::find_in_spnego(r->security_buffer)) {
            if (auto n = wire::ntlmssp::parse(*blob);
                n && n->type == wire::ntlmssp::MessageType::Authenticate) {
              e.has_authenticate = true;
              e.anonymous = n->authenticate.anonymous();
              e.user = keep(n->authenticate.user);
              e.domain = keep(n->authenticate.domain);
            }
          }
        }
      } else if (cmd == smb2::Command::TreeConnect) {
        e.kind = EventKind::SmbTreeConnect;
        if (!e.is_response) {
          if (auto r = smb2::parse_tree_connect_request(el.pdu)) e.path = keep(r->path);
        }
      } else {
        e.kind = EventKind::SmbOther;
      }
      list_.events.push_back(e);
    }
  }
}

}  // namespace pxe::diag
