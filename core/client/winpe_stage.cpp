// The winpe-share stage of a SimulatedClient: WinPE's `net use I: \\server\share /user:u p`, then
// a read of setup.exe. ARP for the server, a TCP connection to port 445 (proto::tcp::Endpoint,
// frames built here like the client's UDP), and over it proto::smb2::SmbClient, the machine
// whose failures carry Windows' "System error N".
#include <fmt/format.h>

#include "client/simulated_client.h"
#include "client/winpe_state.h"

namespace pxe::client {

namespace pt = proto::tcp;
namespace ps = proto::smb2;

void SimulatedClient::share_start(Timestamp now) {
  begin(Stage::WinpeShare, now);
  share_ = std::make_unique<Share>();
  share_->use = *opt_.net_use;
  share_->port = static_cast<std::uint16_t>(49152 + rng_.next() % 16384);
  show({winpe_prompt(share_->use.command())});
  server_ip_ = share_->use.server;
  server_mac_.reset();
  arp_tries_ = 0;
  arp_send(now);
}

void SimulatedClient::share_connect(Timestamp now) {
  const NetUse& u = share_->use;
  ps::ClientConfig cfg;
  cfg.server = u.server.str();
  cfg.share = u.share;
  cfg.user = u.user;
  cfg.password = u.password;
  cfg.file = u.file;
  cfg.require_signing = u.require_signing;
  cfg.workstation = "MININT-PXEKIT";
  cfg.response_timeout = opt_.profile.smb_response_timeout;
  share_->smb = std::make_unique<ps::SmbClient>(std::move(cfg), rng_);
  step(now, fmt::format("TCP connect {}:{} -> {}:{}", ip_.str(), share_->port, u.server.str(), Share::kPort));
  pt::Actions acts;
  // A window a Windows client starts with before autotuning: all the machines on one packet socket
  // share its receive buffer, so what their servers may have in flight stays bounded.
  pt::EndpointConfig tcp;
  tcp.receive_window = 128 << 10;
  share_->tcp = pt::Endpoint::connect(tcp, rng_.next(), now, acts);
  share_tcp(acts, now);
}

std::optional<Timestamp> SimulatedClient::share_deadline() const {
  if (!share_) return std::nullopt;
  const auto& a = share_->tcp_timer;
  const auto& b = share_->smb_timer;
  if (a && b) return std::min(*a, *b);
  return a ? a : b;
}

void SimulatedClient::share_frame(const transport::TcpFrame& f, Timestamp now) {
  if (!share_->tcp || f.src_ip != share_->use.server || f.src_port != Share::kPort || f.dst_port != share_->port) return;
  pt::Actions acts;
  share_->tcp->on_segment(f.segment, now, acts);
  share_tcp(acts, now);
}

void SimulatedClient::share_time(Timestamp now) {
  if (share_->smb_timer && *share_->smb_timer <= now) {
    share_->smb_timer.reset();
    ps::ClientActions acts;
    share_->smb->on_time(now, acts);
    share_smb(acts, now);
  }
  if (!report_.finished && share_->tcp_timer && *share_->tcp_timer <= now) {
    share_->tcp_timer.reset();
    pt::Actions acts;
    share_->tcp->on_time(now, acts);
    share_tcp(acts, now);
  }
}

// Carries out the TCP endpoint's actions. Stops as soon as the run has ended (a failure further
// down the SMB client) so nothing runs on a finished client.
void SimulatedClient::share_tcp(pt::Actions& acts, Timestamp now) {
  Share& s = *share_;
  for (auto& a : acts) {
    if (report_.finished) return;
    if (auto* seg = std::get_if<pt::SendSegment>(&a)) {
      link_.send(transport::build_tcp_frame({opt_.mac, server_mac_.value_or(transport::kBroadcastMac), ip_,
                                             s.use.server, s.port, Share::kPort, std::move(seg->segment)}));
    } else if (std::holds_alternative<pt::Connected>(a)) {
      step(now, "TCP connected");
      ps::ClientActions sa;
      s.smb->start(now, sa);
      share_smb(sa, now);
    } else if (auto* d = std::get_if<pt::Deliver>(&a)) {
      ps::ClientActions sa;
      s.smb->on_bytes(d->bytes, now, sa);
      share_smb(sa, now);
    } else if (std::holds_alternative<pt::PeerFinished>(a)) {
      if (s.done) continue;  // the server's half of the close we started
      ps::ClientActions sa;
      s.smb->on_close(sa);
      share_smb(sa, now);
    } else if (auto* c = std::get_if<pt::Closed>(&a)) {
      step(now, fmt::format("TCP closed ({}: {})", pt::closed_why_name(c->why), c->text));
      if (s.done) {
        ScreenFacts f = facts();
        show(net_use_result_lines(f));
        show({winpe_prompt(s.use.drive + "\\" + s.use.file)});
        report_.share = std::move(*s.done);
        complete(Stage::WinpeShare, now);
        report_.finished = true;
        return;
      }
      if (c->why == pt::Closed::Why::Refused || c->why == pt::Closed::Why::Timeout) {
        // No SMB server there (RST to the SYN) or no answer: "The network path was not found."
        if (s.smb && s.smb->dialect() == 0) return share_failed(53, c->text, now);
      }
      ps::ClientActions sa;
      s.smb->on_close(sa);
      share_smb(sa, now);
    } else if (auto* t = std::get_if<pt::SetTimer>(&a)) {
      s.tcp_timer = t->at;
    } else if (std::holds_alternative<pt::CancelTimer>(a)) {
      s.tcp_timer.reset();
    }
  }
}

void SimulatedClient::share_smb(ps::ClientActions& acts, Timestamp now) {
  Share& s = *share_;
  for (auto& a : acts) {
    if (report_.finished) return;
    if (auto* b = std::get_if<ps::SendBytes>(&a)) {
      pt::Actions ta;
      s.tcp->send(b->bytes, now, ta);
      share_tcp(ta, now);
    } else if (auto* t = std::get_if<ps::SetTimer>(&a)) {
      s.smb_timer = t->at;
    } else if (auto* e = std::get_if<ps::Event>(&a)) {
      step(now, "smb: " + e->text);
    } else if (auto* d = std::get_if<ps::ClientDone>(&a)) {
      step(now, fmt::format("read {}\\{}: {} bytes, md5 {}", s.use.drive, s.use.file, d->size, d->md5));
      s.done = std::move(*d);
      s.smb_timer.reset();
      pt::Actions ta;
      s.tcp->close(now, ta);  // complete when the close is through
      share_tcp(ta, now);
    } else if (auto* f = std::get_if<ps::ClientFailed>(&a)) {
      return share_failed(f->system_error, f->reason, now);
    }
  }
}

void SimulatedClient::share_failed(int system_error, const std::string& reason, Timestamp now) {
  step(now, fmt::format("net use failed: {}", reason));
  share_->system_error = system_error;
  if (share_->tcp && !share_->tcp->closed()) {  // Windows hangs up on a failed net use
    pt::Actions ta;
    share_->tcp->close(now, ta);
    share_tcp(ta, now);
  }
  show(net_use_result_lines(facts()));
  fail(Failure::NetUseFailed, now);
}

}  // namespace pxe::client
