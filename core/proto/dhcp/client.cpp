#include "proto/dhcp/client.h"

#include <fmt/format.h>

#include <algorithm>

namespace pxe::proto::dhcp {

namespace wd = wire::dhcp;

namespace {

constexpr Ipv4 kBroadcast(255, 255, 255, 255);
constexpr std::uint16_t kBootServerPort = 4011;

Ipv4 ip_option(const wd::Message& m, std::uint8_t code) {
  auto v = m.option(code);
  return v && v->size() >= 4 ? Ipv4::from_bytes(*v) : Ipv4();
}

// Firmware reads the name as a C string: dnsmasq NUL-terminates option 67 for buggy ROMs.
std::string bootfile_of(const wd::Message& m) {
  std::string f = m.bootfile().value_or("");
  if (auto nul = f.find('\0'); nul != std::string::npos) f.resize(nul);
  return f;
}

// An answer from a PXE server (60 "PXEClient": a menu, or a redirect to its port 4011) counts as
// boot information like a boot file does (EDK2's "DHCP+PXE10" / "DHCP+BINL" offers).
bool has_boot_info(const wd::Message& m) { return !bootfile_of(m).empty() || m.is_pxe(); }

// The offer's server: option 54, else the datagram's source (BOOTP-style answers).
Ipv4 server_of(const wd::Message& m, Ipv4 src) {
  auto id = m.server_id();
  return id ? *id : src;
}

}  // namespace

std::string_view failure_name(ClientFailure f) {
  switch (f) {
    case ClientFailure::NoOffer: return "no-offer";
    case ClientFailure::NoBootFile: return "no-boot-file";
    case ClientFailure::Nak: return "nak";
    case ClientFailure::NoAck: return "no-ack";
    case ClientFailure::BootServerSilent: return "boot-server-silent";
  }
  return "unknown";
}

DhcpClient::DhcpClient(Mac mac, ClientDhcpProfile profile, Random& rng)
    : mac_(mac), p_(std::move(profile)), rng_(rng) {}

std::uint16_t DhcpClient::secs(Timestamp now) const {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(now - started_).count();
  return static_cast<std::uint16_t>(std::clamp<std::int64_t>(s, 0, 0xffff));
}

wd::Builder DhcpClient::base(wd::MessageType t, Timestamp now, bool for_request,
                          const std::vector<std::uint8_t>& order) const {
  wd::Builder b(wd::Op::Request);
  b.xid(xid_).secs(secs(now)).client_mac(mac_).broadcast(p_.broadcast_flag);
  for (std::uint8_t code : order) {
    switch (code) {
      case 0: {  // extra_options: already encoded, added instance by instance
        auto subs = wd::parse_suboptions(p_.extra_options);
        if (subs.ok())
          for (const auto& s : *subs) b.option(s.code, s.data);
        break;
      }
      case wd::opt::kMessageType: b.message_type(t); break;
      case wd::opt::kParamRequest:
        if (!p_.request_list.empty()) b.option(code, p_.request_list);
        break;
      case wd::opt::kMaxMessageSize:
        if (p_.max_size) b.option_u16(code, *p_.max_size);
        break;
      case wd::opt::kVendorClass:
        if (state_ == State::BootServer && p_.boot_server_vendor_class)
          b.option_str(code, *p_.boot_server_vendor_class);
        else if (p_.vendor_class)
          b.option_str(code, *p_.vendor_class);
        break;
      case wd::opt::kClientArch:
        if (p_.arch) b.option_u16(code, *p_.arch);
        break;
      case wd::opt::kClientNdi:
        if (p_.undi) b.option(code, *p_.undi);
        break;
      case wd::opt::kClientUuid:
        if (p_.uuid) b.option(code, *p_.uuid);
        break;
      case wd::opt::kUserClass:
        if (p_.user_class) b.option_str(code, *p_.user_class);
        break;
      case wd::opt::kHostname:
        if (p_.hostname) b.option_str(code, *p_.hostname);
        break;
      case wd::opt::kClientId:
        if (p_.client_id) {
          Bytes id{1};
          id.insert(id.end(), mac_.octets.begin(), mac_.octets.end());
          b.option(code, id);
        }
        break;
      case wd::opt::kRequestedIp:
        if (for_request && chosen_) b.option_ip(code, chosen_->msg.yiaddr);
        break;
      case wd::opt::kServerId:
        if (for_request && chosen_) b.option_ip(code, server_of(chosen_->msg, chosen_->from));
        break;
      default: break;
    }
  }
  if (p_.pad_to) b.pad_to(p_.pad_to);
  return b;
}

const std::vector<Duration>& DhcpClient::boot_timeouts() const {
  return boot_item_ && !p_.boot_item_timeouts.empty() ? p_.boot_item_timeouts : p_.boot_server_timeouts;
}

void DhcpClient::start(Timestamp now, ClientActions& out) {
  started_ = now;
  xid_ = rng_.next();
  state_ = State::Selecting;
  tries_ = timeouts_ = 0;
  dhcp_offers_.clear();
  proxy_offers_.clear();
  chosen_.reset();
  chosen_proxy_.reset();
  ack_.reset();
  discover(now, out);
  out.timer = deadline_;
}

void DhcpClient::discover(Timestamp now, ClientActions& out) {
  if (p_.discover_timeouts.empty()) return fail(ClientFailure::NoOffer, out);
  auto b = base(wd::MessageType::Discover, now, false, p_.option_order);
  out.sends.push_back({b.encode(), kBroadcast, 67, Ipv4(), 68, true});
  ++tries_;
  out.log.push_back({fmt::format("DHCPDISCOVER {}/{} xid 0x{:08x} secs {}", tries_,
                                 p_.discover_timeouts.size(), xid_, secs(now))});
  set_timer(now + p_.discover_timeouts[tries_ - 1]);
}

void DhcpClient::request(Timestamp now, ClientActions& out) {
  auto b = base(wd::MessageType::Request, now, true, p_.option_order);
  out.sends.push_back({b.encode(), kBroadcast, 67, Ipv4(), 68, true});
  ++tries_;
  out.log.push_back({fmt::format("DHCPREQUEST {}/{} {} to {}", tries_, p_.request_timeouts.size(),
                                 chosen_->msg.yiaddr.str(),
                                 server_of(chosen_->msg, chosen_->from).str())});
  set_timer(now + p_.request_timeouts[tries_ - 1]);
}

void DhcpClient::boot_server_request(Timestamp now, ClientActions& out) {
  if (tries_ == 0) {
    if (boot_item_ && p_.boot_item_xid) boot_xid_ = *p_.boot_item_xid;
    else boot_xid_ = p_.boot_server_new_xid ? rng_.next() : xid_;
  }
  const auto& timeouts = boot_timeouts();
  auto b = base(wd::MessageType::Request, now, false,
                p_.boot_server_option_order.empty() ? p_.option_order : p_.boot_server_option_order);
  b.xid(boot_xid_).ciaddr(ack_->yiaddr).broadcast(p_.boot_server_broadcast_flag);
  if (boot_item_) {
    wd::PxeOptions po;
    po.boot_item = boot_item_;
    b.option(wd::opt::kVendorSpecific, wd::encode_pxe_options(po));
  }
  out.sends.push_back({b.encode(), boot_server_, kBootServerPort, ack_->yiaddr,
                       p_.boot_server_src_port, false});
  ++tries_;
  out.log.push_back({fmt::format("{} {}/{} to {}:{}", boot_item_ ? "boot server REQUEST" : "proxyDHCP REQUEST",
                                 tries_, timeouts.size(), boot_server_.str(), kBootServerPort)});
  set_timer(now + timeouts[tries_ - 1]);
}

void DhcpClient::on_datagram(ByteSpan payload, Ipv4 src_ip, std::uint16_t src_port,
                         std::uint16_t dst_port, Timestamp now, ClientActions& out) {
  // The client listens on 68, and on its 4011 source port once it asks a boot server (EDK2).
  bool ours = dst_port == 68 || (state_ == State::BootServer && dst_port == p_.boot_server_src_port);
  auto parsed = ours ? wd::parse(payload) : Result<wd::Message>(make_error("not for the client"));
  if (parsed.ok() && parsed->op == std::uint8_t(wd::Op::Reply) && parsed->client_mac() == mac_) {
    const auto& m = *parsed;
    auto type = m.message_type();
    if (state_ == State::Selecting && m.xid == xid_ && type == wd::MessageType::Offer) {
      on_offer(m, src_ip, now, out);
    } else if (state_ == State::Requesting && m.xid == xid_ &&
               (type == wd::MessageType::Ack || type == wd::MessageType::Nak) &&
               server_of(m, src_ip) == server_of(chosen_->msg, chosen_->from)) {
      if (type == wd::MessageType::Ack) {
        on_ack(m, now, out);
      } else {
        out.log.push_back({fmt::format("DHCPNAK from {}", server_of(m, src_ip).str())});
        if (restarts_++ == 0) {
          start(now, out);
        } else {
          fail(ClientFailure::Nak, out);
        }
      }
    } else if (state_ == State::BootServer && m.xid == boot_xid_ && src_port == kBootServerPort &&
               type == wd::MessageType::Ack) {
      out.log.push_back({fmt::format("DHCPACK from {}:{} file {}", src_ip.str(), src_port,
                                     bootfile_of(m))});
      finish(m, out);
    }
  }
  out.timer = deadline_;
}

void DhcpClient::on_offer(const wd::Message& m, Ipv4 src, Timestamp now, ClientActions& out) {
  Ipv4 server = server_of(m, src);
  bool proxy = m.yiaddr.is_zero();
  if (proxy && !m.is_pxe()) return;  // neither an address nor PXE information
  auto& list = proxy ? proxy_offers_ : dhcp_offers_;
  for (const auto& o : list)
    if (server_of(o.msg, o.from) == server) return;  // the answer to a retransmitted DISCOVER
  list.push_back({m, src});
  std::string file = bootfile_of(m);
  if (proxy)
    out.log.push_back({fmt::format("proxyDHCP OFFER from {}{}{}", server.str(),
                                   file.empty() ? "" : " file ", file)});
  else
    out.log.push_back({fmt::format("DHCPOFFER from {}: {}{}{}", server.str(), m.yiaddr.str(),
                                   file.empty() ? " (no boot file)" : " file ", file)});
  if (!p_.choose_at_timeout) choose(false, now, out);
}

bool DhcpClient::choose(bool at_timeout, Timestamp now, ClientActions& out) {
  (void)at_timeout;
  const Offer* dhcp = nullptr;
  const Offer* proxy = proxy_offers_.empty() ? nullptr : &proxy_offers_.front();
  for (const auto& o : dhcp_offers_)
    if (has_boot_info(o.msg)) {
      dhcp = &o;
      proxy = nullptr;  // DHCP and boot file in one offer: no proxy needed
      break;
    }
  if (!dhcp && !dhcp_offers_.empty()) {
    if (proxy)
      dhcp = &dhcp_offers_.front();  // address from the DHCP server, boot from the proxy
    else if (!p_.want_boot_file && timeouts_ >= p_.proxy_wait_timeouts)
      dhcp = &dhcp_offers_.front();  // the proxy wait is over: go on without one
  }
  if (!dhcp) return false;
  chosen_ = *dhcp;
  if (proxy) chosen_proxy_ = *proxy;
  state_ = State::Requesting;
  tries_ = 0;
  if (p_.request_timeouts.empty()) {
    fail(ClientFailure::NoAck, out);
    return true;
  }
  request(now, out);
  return true;
}

void DhcpClient::on_ack(const wd::Message& m, Timestamp now, ClientActions& out) {
  ack_ = m;
  out.log.push_back({fmt::format("DHCPACK from {}: {}", server_of(m, chosen_->from).str(),
                                 m.yiaddr.str())});
  after_ack(now, out);
}

void DhcpClient::after_ack(Timestamp now, ClientActions& out) {
  // The PXE answer: the proxy's offer when one was chosen, else the DHCP server's ACK.
  const wd::Message& pxe = chosen_proxy_ ? chosen_proxy_->msg : *ack_;
  Ipv4 pxe_server = chosen_proxy_ ? server_of(chosen_proxy_->msg, chosen_proxy_->from)
                                  : server_of(*ack_, chosen_->from);
  if (p_.boot_server_timeouts.empty())  // a plain DHCP client: no PXE steps
    return finish(chosen_proxy_ ? std::optional<wd::Message>(pxe) : std::nullopt, out);
  auto po = pxe.pxe_options();
  bool use_file = po && po->discovery_control && (*po->discovery_control & wd::kPxeUseBootfile) &&
                  !bootfile_of(pxe).empty();
  boot_item_.reset();
  if (po && !po->boot_menu.empty() && !use_file) {
    // A boot menu: take its first item (a prompt with a timeout ends on the first item too)
    // and ask a server of that type; no listed address means the PXE server itself.
    std::uint16_t type = po->boot_menu.front().type;
    boot_item_ = wd::PxeBootItem{type, 0};
    boot_server_ = pxe_server;
    for (const auto& s : po->boot_servers)
      if (s.type == type && !s.addresses.empty()) {
        boot_server_ = s.addresses.front();
        break;
      }
    out.log.push_back({fmt::format("PXE menu: \"{}\" (type {})", po->boot_menu.front().description, type)});
  } else if (!bootfile_of(pxe).empty() && !(chosen_proxy_ && p_.proxy_request_always)) {
    return finish(chosen_proxy_ ? std::optional<wd::Message>(pxe) : std::nullopt, out);
  } else if (pxe.is_pxe()) {
    boot_server_ = pxe_server;  // a PXE server without a file for us here: ask it on 4011
  } else {
    return finish(std::nullopt, out);
  }
  state_ = State::BootServer;
  tries_ = 0;
  boot_server_request(now, out);
}

void DhcpClient::finish(const std::optional<wd::Message>& boot_reply, ClientActions& out) {
  ClientBoot b;
  const wd::Message& ack = *ack_;
  b.yiaddr = ack.yiaddr;
  b.server_id = server_of(ack, chosen_->from);
  b.netmask = ip_option(ack, wd::opt::kSubnetMask);
  b.router = ip_option(ack, wd::opt::kRouter);
  // The boot information comes from the packet that has the boot file: the PXE answer, else
  // the ACK. Its siaddr names the TFTP server, else its server identifier (option 66 is not
  // used by PXE firmware).
  const wd::Message* src = &ack;
  Ipv4 src_from = chosen_->from;
  if (boot_reply && !bootfile_of(*boot_reply).empty()) {
    src = &*boot_reply;
    src_from = state_ == State::BootServer ? boot_server_ : chosen_proxy_->from;
  }
  b.boot_file = bootfile_of(*src);
  if (!src->siaddr.is_zero())
    b.tftp_server = src->siaddr;
  else if (src != &ack || !p_.tftp_server_from_siaddr_only)
    b.tftp_server = server_of(*src, src_from);  // else none: the firmware says PXE-E7B
  const wd::Message& pxe = boot_reply ? *boot_reply : ack;
  b.pxe_menu_43 = pxe.option(wd::opt::kVendorSpecific);
  b.pxelinux_config_209 = src->pxelinux_config_file();
  b.path_prefix_210 = src->pxelinux_path_prefix();
  if (!b.pxelinux_config_209) b.pxelinux_config_209 = ack.pxelinux_config_file();
  if (!b.path_prefix_210) b.path_prefix_210 = ack.pxelinux_path_prefix();
  b.ack = ack;
  b.boot_reply = boot_reply;
  if (b.boot_file.empty() && p_.needs_boot_file) return fail(ClientFailure::NoBootFile, out);
  out.log.push_back({b.boot_file.empty()
                         ? fmt::format("bound {}", b.yiaddr.str())
                         : fmt::format("bound {}, boot file {} from {}", b.yiaddr.str(), b.boot_file,
                                       b.tftp_server.str())});
  state_ = State::Done;
  deadline_.reset();
  out.done = std::move(b);
}

void DhcpClient::fail(ClientFailure f, ClientActions& out) {
  state_ = State::Failed;
  deadline_.reset();
  out.log.push_back({fmt::format("failed: {}", failure_name(f))});
  out.failed = f;
}

void DhcpClient::on_timer(Timestamp now, ClientActions& out) {
  if (!deadline_ || now < *deadline_) {
    out.timer = deadline_;
    return;
  }
  switch (state_) {
    case State::Selecting:
      ++timeouts_;
      if (choose(true, now, out)) break;
      if (tries_ < p_.discover_timeouts.size()) {
        discover(now, out);
      } else {
        fail(dhcp_offers_.empty() ? ClientFailure::NoOffer : ClientFailure::NoBootFile, out);
      }
      break;
    case State::Requesting:
      if (tries_ < p_.request_timeouts.size()) request(now, out);
      else fail(ClientFailure::NoAck, out);
      break;
    case State::BootServer:
      if (tries_ < boot_timeouts().size()) {
        boot_server_request(now, out);
      } else if (boot_item_ || p_.proxy_request_fatal) {
        fail(ClientFailure::BootServerSilent, out);
      } else {
        out.log.push_back({"proxyDHCP silent: going on without it"});
        finish(std::nullopt, out);
      }
      break;
    default: deadline_.reset(); break;
  }
  out.timer = deadline_;
}

}  // namespace pxe::proto::dhcp
