#include "server/inprocess_smb.h"

#include <fmt/format.h>

#include <variant>

#include "server/smb/directory_share.h"
#include "server/smb/log.h"

namespace pxe::server {

namespace ps = proto::smb2;
namespace pt = proto::tcp;
namespace flag = wire::tcp::flag;

struct InProcessSmb::Conn {
  Key key;
  std::string peer;  // "192.168.42.17:49152", as the socket server names its peers
  std::optional<pt::Endpoint> tcp;
  std::unique_ptr<ps::Connection> smb;
  std::optional<Timestamp> tcp_timer, smb_timer;
  bool closing = false;
};

Result<std::unique_ptr<InProcessSmb>> InProcessSmb::create(const config::SmbSettings& settings, Ipv4 ip,
                                                           Timestamp now) {
  auto shares = open_shares(settings);
  if (!shares) return shares.error();
  return std::make_unique<InProcessSmb>(settings, std::move(*shares), ip, now);
}

InProcessSmb::InProcessSmb(const config::SmbSettings& settings, std::vector<OpenedShare> shares, Ipv4 ip,
                           Timestamp now)
    : shares_(std::move(shares)), ip_(ip), port_(settings.port) {
  ctx_.settings = settings;
  ctx_.random = &random_;
  for (auto& b : ctx_.server_guid) b = static_cast<std::uint8_t>(random_.next());
  ctx_.start_filetime = filetime_of(now);
  for (auto& s : shares_) ctx_.shares.push_back({s.name, s.share.get(), s.guest_ok});
  // FSCTL_QUERY_NETWORK_INTERFACE_INFO names the one address the server has on the Link.
  ctx_.interfaces_v4.emplace_back(static_cast<std::uint8_t>(ip.value >> 24), static_cast<std::uint8_t>(ip.value >> 16),
                                  static_cast<std::uint8_t>(ip.value >> 8), static_cast<std::uint8_t>(ip.value));
}

InProcessSmb::~InProcessSmb() = default;

void InProcessSmb::refuse(const transport::TcpFrame& f, Ipv4 ip, Out& out) {
  transport::TcpFrame r;
  r.src_ip = ip;
  r.dst_ip = f.src_ip;
  r.src_port = f.dst_port;
  r.dst_port = f.src_port;
  r.dst_mac = f.src_mac;
  if (f.segment.has(flag::kAck)) {
    r.segment.seq = f.segment.ack;
    r.segment.flags = flag::kRst;
  } else {
    r.segment.ack = f.segment.seq + f.segment.space();
    r.segment.flags = flag::kRst | flag::kAck;
  }
  out.frames.push_back(std::move(r));
}

void InProcessSmb::on_segment(const transport::TcpFrame& f, Timestamp now, Out& out) {
  const Key key{f.src_ip.value, f.src_port};
  auto it = conns_.find(key);
  if (it == conns_.end()) {
    if (f.segment.has(flag::kRst)) return;
    if (f.dst_port != port_ || !f.segment.has(flag::kSyn) || f.segment.has(flag::kAck)) return refuse(f, ip_, out);
    std::string peer = fmt::format("{}:{}", f.src_ip.str(), f.src_port);
    if (conns_.size() >= ctx_.limits.max_connections) {
      out.log.push_back(smb::event_line(peer, fmt::format("refused: {} connections open (the limit)", conns_.size())));
      return refuse(f, ip_, out);
    }
    auto c = std::make_unique<Conn>();
    c->key = key;
    c->peer = std::move(peer);
    pt::Actions acts;
    c->tcp = pt::Endpoint::accept(tcp_, random_.next(), f.segment, now, acts);
    c->smb = std::make_unique<ps::Connection>(ctx_, now, filetime_of(now));
    out.log.push_back(smb::event_line(c->peer, "connected"));
    Conn& ref = *conns_.emplace(key, std::move(c)).first->second;
    ps::Actions sa;
    ref.smb->start(sa);
    apply_tcp(ref, acts, now, out);
    apply_smb(ref, sa, now, out);
    return;
  }
  Conn& c = *it->second;
  pt::Actions acts;
  c.tcp->on_segment(f.segment, now, acts);
  apply_tcp(c, acts, now, out);
  if (c.tcp->closed()) conns_.erase(it);
  run_deferred(now, out);
}

// What one connection's request did to another's (multichannel: a CHANGE_NOTIFY pending on one
// channel completed by a close on another), carried out after each turn as the socket server does.
void InProcessSmb::run_deferred(Timestamp now, Out& out) {
  for (auto it = conns_.begin(); it != conns_.end();) {
    Conn& c = *it->second;
    if (c.smb->has_deferred()) {
      ps::Actions sa;
      c.smb->take_deferred(sa);
      apply_smb(c, sa, now, out);
    }
    it = c.tcp->closed() ? conns_.erase(it) : std::next(it);
  }
}

// Never erases `c` (apply_smb calls back in here): the top-level callers drop closed connections.
void InProcessSmb::apply_tcp(Conn& c, pt::Actions& acts, Timestamp now, Out& out) {
  for (auto& a : acts) {
    if (auto* s = std::get_if<pt::SendSegment>(&a)) {
      transport::TcpFrame fr;
      fr.src_ip = ip_;
      fr.dst_ip = Ipv4(c.key.first);
      fr.src_port = port_;
      fr.dst_port = c.key.second;
      fr.segment = std::move(s->segment);
      out.frames.push_back(std::move(fr));
    } else if (auto* d = std::get_if<pt::Deliver>(&a)) {
      ps::Actions sa;
      c.smb->on_bytes(d->bytes, now, filetime_of(now), sa);
      apply_smb(c, sa, now, out);
    } else if (std::holds_alternative<pt::PeerFinished>(a)) {
      ps::Actions sa;
      if (!c.smb->closed()) c.smb->on_close(sa);
      apply_smb(c, sa, now, out);
      if (!c.closing) out.log.push_back(smb::event_line(c.peer, "closed: peer closed the connection"));
      c.closing = true;
      pt::Actions fin;
      c.tcp->close(now, fin);
      apply_tcp(c, fin, now, out);
    } else if (auto* cl = std::get_if<pt::Closed>(&a)) {
      if (!c.closing) {
        ps::Actions sa;
        if (!c.smb->closed()) c.smb->on_close(sa);
        apply_smb(c, sa, now, out);
        out.log.push_back(smb::event_line(c.peer, "closed: " + cl->text));
      }
      c.closing = true;
    } else if (auto* t = std::get_if<pt::SetTimer>(&a)) {
      c.tcp_timer = t->at;
    } else if (std::holds_alternative<pt::CancelTimer>(a)) {
      c.tcp_timer.reset();
    }
  }
  acts.clear();
}

void InProcessSmb::apply_smb(Conn& c, ps::Actions& acts, Timestamp now, Out& out) {
  pt::Actions ta;
  for (auto& a : acts) {
    if (auto* s = std::get_if<ps::SendBytes>(&a)) {
      c.tcp->send(s->bytes, now, ta);
    } else if (auto* f = std::get_if<ps::SendFileData>(&a)) {
      Bytes bytes = std::move(f->head);
      const std::size_t head = bytes.size();
      bytes.resize(head + f->length);
      auto got = f->file->read(f->offset, std::span<std::uint8_t>(bytes.data() + head, f->length));
      if (!got || *got != f->length) {
        // The file shrank or failed under the READ: the socket server drops the connection too.
        out.log.push_back(smb::event_line(c.peer, "closed: file read failed"));
        c.closing = true;
        c.tcp->abort(ta);
        break;
      }
      c.tcp->send(bytes, now, ta);
    } else if (auto* cl = std::get_if<ps::CloseConnection>(&a)) {
      if (!c.closing) out.log.push_back(smb::event_line(c.peer, "closed: " + cl->why));
      c.closing = true;
      c.tcp->close(now, ta);
    } else if (auto* t = std::get_if<ps::SetTimer>(&a)) {
      c.smb_timer = t->at;
    } else if (auto* e = std::get_if<ps::Event>(&a)) {
      out.log.push_back(smb::event_line(c.peer, e->text));
    }
  }
  acts.clear();
  apply_tcp(c, ta, now, out);
}

std::optional<Timestamp> InProcessSmb::next_deadline() const {
  std::optional<Timestamp> t;
  for (const auto& [k, c] : conns_)
    for (const auto& x : {c->tcp_timer, c->smb_timer})
      if (x && (!t || *x < *t)) t = x;
  return t;
}

void InProcessSmb::on_time(Timestamp now, Out& out) {
  std::vector<Key> due;
  for (const auto& [k, c] : conns_)
    if ((c->tcp_timer && *c->tcp_timer <= now) || (c->smb_timer && *c->smb_timer <= now)) due.push_back(k);
  for (const auto& k : due) {
    auto it = conns_.find(k);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    if (c.smb_timer && *c.smb_timer <= now) {
      c.smb_timer.reset();
      ps::Actions sa;
      c.smb->on_time(now, sa);
      apply_smb(c, sa, now, out);
    }
    if (c.tcp_timer && *c.tcp_timer <= now) {
      c.tcp_timer.reset();
      pt::Actions ta;
      c.tcp->on_time(now, ta);
      apply_tcp(c, ta, now, out);
    }
    if (c.tcp->closed()) conns_.erase(it);
  }
  run_deferred(now, out);
}

}  // namespace pxe::server
