#include "proto/dhcp/reply.h"

#include <algorithm>

namespace pxe::proto::dhcp {

namespace wd = wire::dhcp;

namespace {

bool requested(const wd::Message& req, std::uint8_t code) {
  auto prl = req.parameter_request_list();
  if (!prl) return true;  // no list: send what is configured
  return std::find(prl->begin(), prl->end(), code) != prl->end();
}

constexpr std::size_t kIpUdpHeaders = 28;
constexpr std::uint8_t kBroadcast = 28;  // RFC 2132 §5.3 broadcast address

// encap:N / vendor:CLASS lines: their sub-options (code, length, value), in line order, form the
// value of option N (vendor: -> 43, RFC 2132 §8.4), sent when N is asked for or a line is
// forced, and only when no plain dhcp-option line already gave N. A tagged line overrides an
// untagged one for the same sub-option.
void add_encapsulated_options(wd::Builder& b, const wd::Message& req, const Tags& tags,
                              const config::DhcpSettings& s, std::vector<std::uint8_t>& done,
                              std::vector<std::uint8_t>& optional_codes) {
  std::vector<std::uint8_t> outer;
  for (const auto& o : s.options)
    if (o.encap && std::find(outer.begin(), outer.end(), o.encap) == outer.end()) outer.push_back(o.encap);
  auto vc = req.vendor_class();
  for (std::uint8_t code : outer) {
    if (std::find(done.begin(), done.end(), code) != done.end()) continue;
    Bytes value;
    std::vector<std::uint8_t> subs;
    bool force = false;
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& o : s.options) {
        if (o.encap != code || (pass == 0) == o.tags.empty() || !tags_match(o.tags, tags)) continue;
        if (!o.vendor_class.empty() && (!vc || vc->find(o.vendor_class) == std::string::npos)) continue;
        if (std::find(subs.begin(), subs.end(), o.code) != subs.end()) continue;
        subs.push_back(o.code);
        force = force || o.force;
        value.push_back(o.code);
        value.push_back(std::uint8_t(o.value.size()));
        value.insert(value.end(), o.value.begin(), o.value.end());
      }
    }
    if (subs.empty() || (!force && !requested(req, code))) continue;
    done.push_back(code);
    b.option(code, value);
    optional_codes.push_back(code);
  }
}

}  // namespace

wd::Builder start_reply(const wd::Message& req, wd::MessageType type, Ipv4 server) {
  auto b = wd::Builder::reply_to(req);
  b.message_type(type);
  b.option_ip(wd::opt::kServerId, server);
  return b;
}

void add_lease_times(wd::Builder& b, std::uint32_t lease_s) {
  b.option_u32(wd::opt::kLeaseTime, lease_s);
  if (lease_s == config::kInfiniteLease) return;
  b.option_u32(wd::opt::kRenewalTime, lease_s / 2);
  b.option_u32(wd::opt::kRebindingTime, std::uint32_t(std::uint64_t(lease_s) * 7 / 8));
}

void add_configured_options(wd::Builder& b, const wd::Message& req, const Tags& tags,
                            const config::DhcpSettings& s, Ipv4 server, Ipv4 netmask, Ipv4 on_subnet,
                            const std::string& hostname, std::vector<std::uint8_t>& optional_codes) {
  std::vector<std::uint8_t> done;
  if (!netmask.is_zero()) {
    b.option_ip(wd::opt::kSubnetMask, netmask);
    b.option_ip(kBroadcast, Ipv4((on_subnet.value & netmask.value) | ~netmask.value));
  }
  // A tagged line overrides an untagged line for the same option: take tagged ones first.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& o : s.options) {
      if (o.encap || (pass == 0) == o.tags.empty() || !tags_match(o.tags, tags)) continue;
      if (std::find(done.begin(), done.end(), o.code) != done.end()) continue;
      done.push_back(o.code);
      if (!o.force && !requested(req, o.code)) continue;
      Bytes v = o.value;
      for (auto at : o.self_address_at)  // 0.0.0.0 means "this server"
        for (int i = 0; i < 4; ++i) v[at + std::size_t(i)] = std::uint8_t(server.value >> (24 - 8 * i));
      if (o.code == wd::opt::kSubnetMask || o.code == kBroadcast) continue;
      b.option(o.code, v);
      optional_codes.push_back(o.code);
    }
  }
  add_encapsulated_options(b, req, tags, s, done, optional_codes);
  auto configured = [&](std::uint8_t code) { return std::find(done.begin(), done.end(), code) != done.end(); };
  if (!s.domain.empty() && !configured(wd::opt::kDomainName) && requested(req, wd::opt::kDomainName)) {
    b.option_str(wd::opt::kDomainName, s.domain);
    optional_codes.push_back(wd::opt::kDomainName);
  }
  if (!hostname.empty() && !configured(wd::opt::kHostname) && requested(req, wd::opt::kHostname)) {
    b.option_str(wd::opt::kHostname, hostname);
    optional_codes.push_back(wd::opt::kHostname);
  }
}

void add_boot_file(wd::Builder& b, const wd::Message& req, const std::string& file,
                   const std::string& sname, Ipv4 siaddr) {
  b.siaddr(siaddr);
  if (!sname.empty()) {
    b.sname(sname);
    if (requested(req, wd::opt::kTftpServerName)) b.option_str(wd::opt::kTftpServerName, sname);
  }
  if (!file.empty()) {
    b.file(file);  // always NUL-terminated in the fixed field
    // Some ROMs read option 67 as a C string: include the NUL.
    if (requested(req, wd::opt::kBootfileName)) b.option_str(wd::opt::kBootfileName, file + std::string(1, '\0'));
  }
}

void add_pxe(wd::Builder& b, const wd::Message& req, const PxeBoot& boot) {
  b.option_str(wd::opt::kVendorClass, "PXEClient");
  if (auto uuid = req.option(wd::opt::kClientUuid)) b.option(wd::opt::kClientUuid, *uuid);
  if (boot.option43) {  // the PXE menu/discovery answer replaces configured vendor: sub-options
    b.remove(wd::opt::kVendorSpecific);
    b.option(wd::opt::kVendorSpecific, wd::encode_pxe_options(*boot.option43));
  }
}

Bytes finish_reply(wd::Builder& b, const wd::Message& req, const std::vector<std::uint8_t>& optional_codes,
                   wd::Message* built) {
  if (auto id = req.client_id()) b.option(wd::opt::kClientId, *id);
  if (!req.giaddr.is_zero())
    if (auto rai = req.option(wd::opt::kRelayAgentInfo)) b.option(wd::opt::kRelayAgentInfo, *rai);
  b.pad_to(wd::kBootpMinSize);
  std::size_t limit = std::max<std::size_t>(576, req.max_message_size().value_or(576));
  limit = std::min<std::size_t>(limit, 1500) - kIpUdpHeaders;
  wd::Message m = b.build();
  Bytes out = wd::encode(m);
  for (auto it = optional_codes.rbegin(); out.size() > limit && it != optional_codes.rend(); ++it) {
    b.remove(*it);
    m = b.build();
    out = wd::encode(m);
  }
  // Still too big (long echoes of 61/82/97, a big PXE menu): what does not fit is left out, last
  // first, as dnsmasq leaves out options with no space left; the message type, server id and
  // lease time stay. A reply that cannot fit even then is not sent.
  while (out.size() > limit) {
    std::uint8_t drop = 0;
    for (auto it = m.options.rbegin(); it != m.options.rend() && !drop; ++it)
      if (it->code != wd::opt::kPad && it->code != wd::opt::kEnd && it->code != wd::opt::kMessageType &&
          it->code != wd::opt::kServerId && it->code != wd::opt::kLeaseTime)
        drop = it->code;
    if (!drop) return {};
    b.remove(drop);
    m = b.build();
    out = wd::encode(m);
  }
  if (built) *built = std::move(m);
  return out;
}

}  // namespace pxe::proto::dhcp
