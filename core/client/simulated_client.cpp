#include "client/simulated_client.h"

#include <algorithm>
#include <fmt/format.h>
#include <variant>

#include "base/text.h"
#include "client/pxelinux_state.h"
#include "client/winpe_state.h"
#include "transport/frame.h"
#include "wire/dhcp/dhcp.h"
#include "wire/dhcp/pxe_options.h"

namespace pxe::client {

namespace {

namespace tftp = proto::tftp;
using transport::kBroadcastMac;

// A DHCP request whose option 43 holds a boot item (43.71).
bool carries_boot_item(ByteSpan payload) {
  auto m = wire::dhcp::parse(payload);
  if (!m) return false;
  auto v = m->option(wire::dhcp::opt::kVendorSpecific);
  if (!v) return false;
  auto pxe = wire::dhcp::decode_pxe_options(*v);
  return pxe && pxe->boot_item.has_value();
}

// Keeps a file's bytes only when asked (config files); counts the rest (a 300 MB ISO).
class FetchSink final : public tftp::FileSink {
 public:
  explicit FetchSink(bool keep) : keep_(keep) {}
  Result<void> write(ByteSpan data) override {
    bytes_ += data.size();
    if (keep_) kept.insert(kept.end(), data.begin(), data.end());
    return {};
  }
  std::uint64_t bytes() const { return bytes_; }
  Bytes kept;

 private:
  bool keep_;
  std::uint64_t bytes_ = 0;
};

std::string options_text(const std::vector<wire::tftp::Option>& opts) {
  std::string out;
  for (const auto& o : opts) out += fmt::format(" {} {}", o.name, o.value);
  return out;
}

}  // namespace

struct SimulatedClient::Transfer {
  std::string name;
  FetchSink sink;
  std::unique_ptr<tftp::Receiver> rx;
  std::uint16_t port = 0;
  std::optional<Timestamp> timer;
  Then then;
  Transfer(std::string n, bool keep) : name(std::move(n)), sink(keep) {}
};

SimulatedClient::SimulatedClient(transport::FrameOut& link, ClientOptions options, Random& rng)
    : link_(link),
      opt_(std::move(options)),
      rng_(rng),
      until_(opt_.until.value_or(opt_.net_use && opt_.profile.winpe_after_kernel ? Stage::WinpeShare
                                                                                  : opt_.profile.default_until)),
      next_port_(opt_.profile.first_tftp_port) {
  report_.mac = opt_.mac;
}

SimulatedClient::~SimulatedClient() = default;

std::string NetUse::command() const {
  std::string c = fmt::format("net use {} \\\\{}\\{}", drive, server.str(), share);
  if (!user.empty()) c += fmt::format(" /user:{} {}", user, password);
  return c;
}

Result<NetUse> parse_unc(std::string_view unc) {
  NetUse n;
  auto bad = [&] { return make_error(fmt::format("'{}' is not \\\\SERVER\\SHARE with SERVER an IPv4 address", unc)); };
  if (unc.size() < 2 || (unc[0] != '\\' && unc[0] != '/') || unc[1] != unc[0]) return bad();
  unc.remove_prefix(2);
  auto sep = unc.find_first_of("\\/");
  if (sep == std::string_view::npos || sep + 1 >= unc.size()) return bad();
  auto ip = Ipv4::parse(unc.substr(0, sep));
  std::string_view share = unc.substr(sep + 1);
  if (!ip || share.find_first_of("\\/") != std::string_view::npos) return bad();
  n.server = *ip;
  n.share = std::string(share);
  return n;
}

// --- the Station ---------------------------------------------------------------------------

void SimulatedClient::start(Timestamp now) {
  pending_start_.reset();
  powered_on_ = now;
  if (opt_.profile.screen == Firmware::Edk2) show({">>Start PXE over IPv4."});
  begin(Stage::Dhcp, now);
  dhcp_ = std::make_unique<proto::dhcp::DhcpClient>(opt_.mac, opt_.profile.dhcp, rng_);
  proto::dhcp::ClientActions acts;
  dhcp_->start(now, acts);
  dhcp_apply(acts, now);
}

std::optional<Timestamp> SimulatedClient::next_deadline() const {
  if (report_.finished) return std::nullopt;
  if (pending_start_) return pending_start_;
  std::optional<Timestamp> t;
  for (const auto& c : {dhcp_timer_, arp_timer_, transfer_ ? transfer_->timer : std::nullopt, share_deadline()})
    if (c && (!t || *c < *t)) t = c;
  return t;
}

void SimulatedClient::on_time(Timestamp now) {
  if (report_.finished) return;
  if (pending_start_) {
    if (*pending_start_ <= now) start(now);
    return;
  }
  if (dhcp_timer_ && *dhcp_timer_ <= now && dhcp_) {
    dhcp_timer_.reset();
    proto::dhcp::ClientActions acts;
    dhcp_->on_timer(now, acts);
    dhcp_apply(acts, now);
  }
  if (arp_timer_ && *arp_timer_ <= now) {
    arp_timer_.reset();
    arp_send(now);
  }
  if (transfer_ && transfer_->timer && *transfer_->timer <= now) {
    transfer_->timer.reset();
    tftp_apply(transfer_->rx->on_timer(now), now);
  }
  if (share_ && !report_.finished) share_time(now);
}

void SimulatedClient::on_frame(ByteSpan frame, Timestamp now) {
  // A classroom's worth of clients hear each other's broadcasts: skip the ones that name another
  // machine (a BOOTP reply's chaddr, an ARP request's target) before parsing the frame.
  if (transport::frame_dst_mac(frame) == kBroadcastMac) {
    auto to = transport::broadcast_addressee(frame);
    if ((to.chaddr && *to.chaddr != opt_.mac) || (to.arp_target && *to.arp_target != ip_)) return;
  }
  auto parsed = transport::parse_frame(frame);
  if (auto* arp = std::get_if<transport::ArpFrame>(&parsed)) {
    on_arp(*arp, now);
    return;
  }
  if (auto* tcp = std::get_if<transport::TcpFrame>(&parsed)) {
    if (share_ && !report_.finished && tcp->dst_mac == opt_.mac) share_frame(*tcp, now);
    return;
  }
  auto* udp = std::get_if<transport::UdpFrame>(&parsed);
  if (!udp || report_.finished) return;
  if (udp->dst_mac != opt_.mac && udp->dst_mac != kBroadcastMac) return;
  const auto& dp = dhcp_ ? dhcp_->profile() : opt_.profile.dhcp;
  if (dhcp_ && dhcp_->state() != proto::dhcp::DhcpClient::State::Done &&
      dhcp_->state() != proto::dhcp::DhcpClient::State::Failed &&
      (udp->dst_port == 68 || udp->dst_port == dp.boot_server_src_port) &&
      (udp->src_port == 67 || udp->src_port == 4011)) {
    if (auto m = wire::dhcp::parse(udp->payload); m && m->client_mac() == opt_.mac) {
      if (m->message_type() == wire::dhcp::MessageType::Offer) {
        (m->yiaddr.is_zero() ? saw_proxy_offer_ : saw_address_offer_) = true;
      }
      if (!server_mac_ && m->siaddr == udp->src_ip) server_mac_ = udp->src_mac;
      step(now, fmt::format("{} {}:{} -> {}:{} {} bytes", "DHCP", udp->src_ip.str(), udp->src_port, udp->dst_ip.str(),
                            udp->dst_port, udp->payload.size()));
    }
    proto::dhcp::ClientActions acts;
    dhcp_->on_datagram(udp->payload, udp->src_ip, udp->src_port, udp->dst_port, now, acts);
    dhcp_apply(acts, now);
    return;
  }
  if (transfer_ && udp->dst_port == transfer_->port && udp->src_ip == server_ip_ && udp->dst_mac == opt_.mac) {
    tftp_apply(transfer_->rx->on_datagram(udp->payload, udp->src_port, now), now);
  }
}

std::optional<Progress> SimulatedClient::progress() const {
  if (report_.finished) return std::nullopt;
  if (transfer_) return Progress{transfer_->name, transfer_->sink.bytes(), transfer_->rx->tsize()};
  if (share_ && share_->smb && share_->smb->file_size() > 0)
    return Progress{share_->use.drive + "\\" + share_->use.file, share_->smb->file_bytes().size(),
                    share_->smb->file_size()};
  return std::nullopt;
}

// --- DHCP ----------------------------------------------------------------------------------

void SimulatedClient::dhcp_apply(proto::dhcp::ClientActions& acts, Timestamp now) {
  for (auto& l : acts.log) step(now, l.text);
  for (auto& s : acts.sends) {
    Mac dst = s.broadcast || s.to_ip == transport::kBroadcastIpv4 ? kBroadcastMac : server_mac_.value_or(kBroadcastMac);
    if (!s.broadcast && s.to_port == 4011 && stage_ == Stage::Dhcp) begin(Stage::BootServer, now);
    if (s.to_port == 4011) boot_item_sent_ = carries_boot_item(s.payload);
    if (!s.from_ip.is_zero()) ip_ = s.from_ip;
    send_udp(dst, s.to_ip, s.from_port, s.to_port, std::move(s.payload));
  }
  dhcp_timer_ = acts.timer;
  if (acts.done) {
    dhcp_timer_.reset();
    dhcp_done(*acts.done, now);
  } else if (acts.failed) {
    dhcp_timer_.reset();
    dhcp_failed(*acts.failed, now);
  }
}

void SimulatedClient::dhcp_done(const proto::dhcp::ClientBoot& boot, Timestamp now) {
  ip_ = boot.yiaddr;
  if (winpe_) {
    step(now, fmt::format("WinPE has {} (DHCP server {})", boot.yiaddr.str(), boot.server_id.str()));
    complete(Stage::WinpeDhcp, now);
    if (!report_.finished && opt_.net_use) share_start(now);
    return;
  }
  boot_ = boot;
  server_ip_ = boot.tftp_server;
  if (stage_ == Stage::BootServer) {
    complete(Stage::BootServer, now);
  } else {
    complete(Stage::Dhcp, now);
  }
  if (report_.finished) return;
  if (!opt_.profile.boots) {  // a plain DHCP client: the address was the point
    report_.finished = true;
    return;
  }
  if (boot.boot_file.empty()) return fail(Failure::NoBootFile, now);
  if (server_ip_.is_zero()) return fail(Failure::NoServerAddress, now);
  show(dhcp_done_lines(opt_.profile.screen, facts()));
  begin(Stage::Arp, now);
  server_mac_.reset();  // a real ROM asks, whatever it saw in the DHCP frames
  arp_send(now);
}

void SimulatedClient::dhcp_failed(proto::dhcp::ClientFailure f, Timestamp now) {
  step(now, fmt::format("DHCP failed: {}", proto::dhcp::failure_name(f)));
  if (winpe_) return fail(Failure::WinpeNoOffer, now);
  switch (f) {
    case proto::dhcp::ClientFailure::NoOffer:
    case proto::dhcp::ClientFailure::Nak:
    case proto::dhcp::ClientFailure::NoAck:
      return fail(saw_proxy_offer_ && !saw_address_offer_ ? Failure::OnlyProxyOffers : Failure::NoOffer, now);
    case proto::dhcp::ClientFailure::NoBootFile: return fail(Failure::NoBootFile, now);
    case proto::dhcp::ClientFailure::BootServerSilent:
      return fail(boot_item_sent_ ? Failure::BootServerSilent : Failure::ProxyRequestSilent, now);
  }
}

// --- ARP -----------------------------------------------------------------------------------

void SimulatedClient::arp_send(Timestamp now) {
  const auto& waits = opt_.profile.arp_timeouts;
  if (arp_tries_ >= waits.size()) {
    step(now, fmt::format("no ARP reply for {} after {} tries", server_ip_.str(), arp_tries_));
    arp_waiting_ = false;
    // Windows has no words for an unanswered ARP: net use says the path was not found.
    if (stage_ == Stage::WinpeShare) return share_failed(53, "no ARP reply from " + server_ip_.str(), now);
    return fail(Failure::ArpUnanswered, now);
  }
  arp_waiting_ = true;
  step(now, fmt::format("ARP who-has {} tell {}", server_ip_.str(), ip_.str()));
  link_.send(transport::build_arp_frame({true, opt_.mac, ip_, Mac{}, server_ip_}, kBroadcastMac));
  arp_timer_ = now + waits[arp_tries_++];
}

void SimulatedClient::on_arp(const transport::ArpFrame& a, Timestamp now) {
  if (a.request && !ip_.is_zero() && a.target_ip == ip_) {  // answer for our own address
    link_.send(transport::build_arp_frame({false, opt_.mac, ip_, a.sender_mac, a.sender_ip}, a.sender_mac));
    return;
  }
  if (!a.request && arp_waiting_ && a.sender_ip == server_ip_ && a.target_mac == opt_.mac && !report_.finished) {
    server_mac_ = a.sender_mac;
    arp_timer_.reset();
    arp_waiting_ = false;
    step(now, fmt::format("ARP {} is-at {}", a.sender_ip.str(), a.sender_mac.str()));
    if (stage_ == Stage::WinpeShare) return share_connect(now);
    complete(Stage::Arp, now);
    if (!report_.finished) fetch_nbp(now);
  }
}

// --- TFTP ----------------------------------------------------------------------------------

void SimulatedClient::fetch(std::string name, std::vector<wire::tftp::Option> options, const tftp::Timing& timing,
                            bool probe, bool keep, Timestamp now, Then then) {
  tftp::ReceiverConfig cfg;
  cfg.filename = name;
  cfg.options = std::move(options);
  cfg.timing = timing;
  cfg.abort_after_oack = probe;
  cfg.abort_code = opt_.profile.probe_abort_code;
  cfg.abort_message = opt_.profile.probe_abort_message;
  step(now, fmt::format("TFTP RRQ {} octet{}{}", name, options_text(cfg.options), probe ? " (size probe)" : ""));
  transfer_ = std::make_unique<Transfer>(std::move(name), keep);
  transfer_->port = next_port_++;
  if (next_port_ < 1024) next_port_ = 1024;
  transfer_->then = std::move(then);
  transfer_->rx = std::make_unique<tftp::Receiver>(transfer_->sink, std::move(cfg));
  tftp_apply(transfer_->rx->start(now), now);
}

void SimulatedClient::tftp_apply(tftp::Actions acts, Timestamp now) {
  std::optional<Fetched> end;
  for (auto& a : acts) {
    if (auto* s = std::get_if<tftp::SendDatagram>(&a)) {
      auto to = s->to_port ? s->to_port : transfer_->rx->peer_port();
      if (to) send_udp(server_mac_.value_or(kBroadcastMac), server_ip_, transfer_->port, *to, std::move(s->bytes));
    } else if (auto* t = std::get_if<tftp::SetTimer>(&a)) {
      transfer_->timer = t->at;
    } else if (std::holds_alternative<tftp::CancelTimer>(a)) {
      transfer_->timer.reset();
    } else if (std::holds_alternative<tftp::Finished>(a)) {
      end.emplace();
      end->ok = true;
      end->bytes = transfer_->sink.bytes();
      end->tsize = transfer_->rx->tsize();
      end->answered = true;
      end->data = std::move(transfer_->sink.kept);
    } else if (auto* f = std::get_if<tftp::Failed>(&a)) {
      end.emplace();
      end->bytes = transfer_->sink.bytes();
      end->tsize = transfer_->rx->tsize();
      end->answered = transfer_->rx->answered();
      end->reason = f->reason;
      end->code = f->code;
      end->message = f->message;
    }
  }
  if (!end) return;
  auto done = std::move(transfer_);
  step(now, end->ok ? fmt::format("TFTP {}: {} bytes", done->name, end->bytes)
                    : fmt::format("TFTP {}: {} (error {} {})", done->name, tftp::fail_reason_name(end->reason),
                                  end->code, end->message));
  done->then(*end, now);
}

void SimulatedClient::fetch_nbp(Timestamp now) {
  begin(Stage::TftpNbp, now);
  const auto& p = opt_.profile;
  if (!p.tsize_probe) {
    fetch(boot_->boot_file, p.nbp_options, p.tftp_timing, false, false, now,
          [this](const Fetched& r, Timestamp t) { nbp_fetched(r, t); });
    return;
  }
  fetch(boot_->boot_file, p.probe_options, p.tftp_timing, true, false, now, [this](const Fetched& r, Timestamp t) {
    if (!r.ok) return tftp_fail(r, boot_->boot_file, t);
    if (r.bytes > 0) return nbp_fetched(r, t);  // the server ignored the options and sent the file
    nbp_size_ = r.tsize.value_or(0);
    fetch(boot_->boot_file, opt_.profile.nbp_options, opt_.profile.tftp_timing, false, false, t,
          [this](const Fetched& r2, Timestamp t2) { nbp_fetched(r2, t2); });
  });
}

void SimulatedClient::nbp_fetched(const Fetched& r, Timestamp now) {
  if (!r.ok) return tftp_fail(r, boot_->boot_file, now);
  nbp_size_ = r.bytes;
  // An NBP built for the other firmware: EDK2 refuses a BIOS image after the download, a BIOS
  // ROM jumps into an EFI one and hangs (captures/edk2-bios-nbp, bios-efi-nbp).
  const bool efi_file = boot_->boot_file.size() > 4 && iequals(boot_->boot_file.substr(boot_->boot_file.size() - 4), ".efi");
  if (efi_file != (opt_.profile.screen == Firmware::Edk2)) {
    if (opt_.profile.screen == Firmware::Edk2) show(nbp_loaded_lines(opt_.profile.screen, facts()));
    step(now, fmt::format("{} is not a {} boot file", boot_->boot_file, efi_file ? "BIOS" : "UEFI"));
    return fail(Failure::WrongArchitecture, now);
  }
  show(nbp_loaded_lines(opt_.profile.screen, facts()));
  complete(Stage::TftpNbp, now);
  if (report_.finished) return;
  const std::string& f = boot_->boot_file;
  auto base = f.substr(f.find_last_of('/') == std::string::npos ? 0 : f.find_last_of('/') + 1);
  if (base.find("pxelinux") == std::string::npos && base.find("syslinux") == std::string::npos) {
    step(now, fmt::format("{} is not pxelinux: the simulation stops here", base));
    report_.finished = true;  // what an unknown NBP does is not simulated
    return;
  }
  pxelinux_start(now);
}

void SimulatedClient::winpe_start(Timestamp now) {
  begin(Stage::WinpeDhcp, now);
  winpe_ = true;
  ip_ = Ipv4();
  dhcp_ = std::make_unique<proto::dhcp::DhcpClient>(opt_.mac, opt_.profile.winpe_dhcp, rng_);
  proto::dhcp::ClientActions acts;
  dhcp_->start(now, acts);
  dhcp_apply(acts, now);
}

// --- stages, screen, steps -----------------------------------------------------------------

void SimulatedClient::begin(Stage s, Timestamp now) {
  stage_ = s;
  stage_start_ = now;
  step(now, fmt::format("stage {}", stage_name(s)));
}

void SimulatedClient::complete(Stage s, Timestamp now) {
  report_.stages.push_back({s, stage_start_, now});
  report_.reached = s;
  if (s == until_ || (s == Stage::Dhcp && until_ == Stage::BootServer && !dhcp_)) report_.finished = true;
  if (s == until_) step(now, fmt::format("reached {}", stage_name(s)));
}

void SimulatedClient::fail(Failure why, Timestamp now) {
  if (report_.finished) return;
  report_.failure = why;
  report_.failed_in = stage_;
  report_.finished = true;
  dhcp_timer_.reset();
  arp_timer_.reset();
  step(now, fmt::format("failed: {}", failure_name(why)));
  // pxelinux failures were put on the screen where they happened (they need the module name).
  if (!stage_ || *stage_ < Stage::PxelinuxConfig || *stage_ == Stage::WinpeDhcp) {
    show(failure_lines(opt_.profile.screen, why, facts()));
  }
}

void SimulatedClient::tftp_fail(const Fetched& r, const std::string& name, Timestamp now) {
  Failure why = Failure::TftpError;
  if (r.reason == tftp::FailReason::PeerError) {
    why = r.code == 1 ? Failure::FileNotFound : r.code == 2 ? Failure::AccessViolation : Failure::TftpError;
  } else if (r.reason == tftp::FailReason::Timeout) {
    why = r.answered ? Failure::TftpTimeout : Failure::TftpOpenTimeout;
  }
  if (stage_ && *stage_ >= Stage::PxelinuxConfig) {
    step(now, fmt::format("pxelinux could not load {}", name));
  }
  // The screen's facts name the boot file; the message of an ERROR goes with it.
  tftp_code_ = r.code;
  tftp_message_ = r.message;
  fail(why, now);
}

void SimulatedClient::step(Timestamp now, std::string text) {
  double s = double((now - powered_on_).count()) / 1e6;
  report_.steps.push_back(fmt::format("+{:.3f}s {}", s, text));
}

void SimulatedClient::show(const std::vector<std::string>& lines) {
  report_.screen.insert(report_.screen.end(), lines.begin(), lines.end());
}

void SimulatedClient::send_udp(Mac dst_mac, Ipv4 dst_ip, std::uint16_t src_port, std::uint16_t dst_port, Bytes payload) {
  link_.send(transport::build_udp_frame({opt_.mac, dst_mac, ip_, dst_ip, src_port, dst_port, std::move(payload)}));
}

ScreenFacts SimulatedClient::facts() const {
  ScreenFacts s;
  s.mac = opt_.mac;
  s.ip = ip_;
  s.tftp_code = tftp_code_;
  s.tftp_message = tftp_message_;
  s.size = nbp_size_;
  if (share_) {
    s.net_use_command = share_->use.command();
    s.system_error = share_->system_error;
  }
  if (!boot_) return s;
  s.netmask = boot_->netmask;
  s.gateway = boot_->router;
  s.dhcp_server = boot_->server_id;
  s.next_server = boot_->tftp_server;
  s.filename = boot_->boot_file;
  s.proxy_menu = boot_->pxe_menu_43.has_value() && boot_->boot_reply.has_value();
  return s;
}

}  // namespace pxe::client
