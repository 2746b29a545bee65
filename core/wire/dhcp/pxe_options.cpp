#include "wire/dhcp/pxe_options.h"

#include "wire/dhcp/dhcp_options.h"

namespace pxe::wire::dhcp {

Result<std::vector<SubOption>> parse_suboptions(ByteSpan area, bool pads_and_end) {
  std::vector<SubOption> out;
  TlvCursor cur(area, pads_and_end);
  Tlv t;
  for (;;) {
    switch (cur.next(t)) {
      case TlvStep::Item:
        out.push_back(SubOption{t.code, Bytes(t.data.begin(), t.data.end())});
        break;
      case TlvStep::Pad:
        break;
      case TlvStep::End:
      case TlvStep::Done:
        return out;
      case TlvStep::Truncated:
        if (t.length == 0 && t.data.empty() && area.size() - t.offset < 2)
          return make_error("sub-option " + std::to_string(t.code) + ": expected a length byte, found end of option", t.offset);
        return make_error("sub-option " + std::to_string(t.code) + ": length " + std::to_string(t.length) +
                              " goes past end of option (" + std::to_string(t.data.size()) + " bytes left)",
                          t.offset);
    }
  }
}

static std::string to_string(ByteSpan b) { return std::string(b.begin(), b.end()); }

Result<PxeOptions> decode_pxe_options(ByteSpan option43) {
  auto subs = parse_suboptions(option43, true);
  if (!subs) return subs.error();
  PxeOptions p;
  for (SubOption& s : *subs) {
    ByteSpan d = s.data;
    bool ok = true;
    switch (s.code) {
      case pxe_sub::kMtftpIp:
        if ((ok = d.size() == 4)) p.mtftp_ip = Ipv4::from_bytes(d);
        break;
      case pxe_sub::kMtftpClientPort:
        if ((ok = d.size() == 2)) p.mtftp_client_port = std::uint16_t(d[0] << 8 | d[1]);
        break;
      case pxe_sub::kMtftpServerPort:
        if ((ok = d.size() == 2)) p.mtftp_server_port = std::uint16_t(d[0] << 8 | d[1]);
        break;
      case pxe_sub::kMtftpTimeout:
        if ((ok = d.size() == 1)) p.mtftp_timeout = d[0];
        break;
      case pxe_sub::kMtftpDelay:
        if ((ok = d.size() == 1)) p.mtftp_delay = d[0];
        break;
      case pxe_sub::kDiscoveryControl:
        if ((ok = d.size() == 1)) p.discovery_control = d[0];
        break;
      case pxe_sub::kDiscoveryMcastAddr:
        if ((ok = d.size() == 4)) p.discovery_mcast_addr = Ipv4::from_bytes(d);
        break;
      case pxe_sub::kBootServers: {
        ByteReader r(d);
        while (ok && !r.at_end()) {
          PxeBootServer bs;
          bs.type = r.u16be();
          std::uint8_t n = r.u8();
          for (unsigned i = 0; i < n && r; ++i) {
            ByteSpan a = r.take(4);
            if (r) bs.addresses.push_back(Ipv4::from_bytes(a));
          }
          ok = !r.failed();
          if (ok) p.boot_servers.push_back(std::move(bs));
        }
        break;
      }
      case pxe_sub::kBootMenu: {
        ByteReader r(d);
        while (ok && !r.at_end()) {
          PxeMenuItem item;
          item.type = r.u16be();
          std::uint8_t n = r.u8();
          item.description = to_string(r.take(n));
          ok = !r.failed();
          if (ok) p.boot_menu.push_back(std::move(item));
        }
        break;
      }
      case pxe_sub::kMenuPrompt:
        if ((ok = d.size() >= 1)) p.menu_prompt = PxeMenuPrompt{d[0], to_string(d.subspan(1))};
        break;
      case pxe_sub::kBootItem:
        if ((ok = d.size() == 4))
          p.boot_item = PxeBootItem{std::uint16_t(d[0] << 8 | d[1]), std::uint16_t(d[2] << 8 | d[3])};
        break;
      default:
        p.other.push_back(std::move(s));
        continue;
    }
    if (!ok)
      return make_error("PXE sub-option " + std::to_string(s.code) + ": malformed value of length " +
                        std::to_string(d.size()));
  }
  return p;
}

Bytes encode_pxe_options(const PxeOptions& p) {
  ByteWriter w(64);
  auto item = [&](std::uint8_t code, ByteSpan data) {
    // A sub-option value is limited to 255 bytes; longer values are cut (caller's problem).
    std::size_t n = data.size() > 255 ? 255 : data.size();
    w.u8(code);
    w.u8(std::uint8_t(n));
    w.bytes(data.first(n));
  };
  auto ip = [&](std::uint8_t code, Ipv4 a) {
    std::uint8_t b[4] = {std::uint8_t(a.value >> 24), std::uint8_t(a.value >> 16),
                         std::uint8_t(a.value >> 8), std::uint8_t(a.value)};
    item(code, b);
  };
  auto u16 = [&](std::uint8_t code, std::uint16_t v) {
    std::uint8_t b[2] = {std::uint8_t(v >> 8), std::uint8_t(v)};
    item(code, b);
  };
  auto u8 = [&](std::uint8_t code, std::uint8_t v) { item(code, ByteSpan(&v, 1)); };
  if (p.mtftp_ip) ip(pxe_sub::kMtftpIp, *p.mtftp_ip);
  if (p.mtftp_client_port) u16(pxe_sub::kMtftpClientPort, *p.mtftp_client_port);
  if (p.mtftp_server_port) u16(pxe_sub::kMtftpServerPort, *p.mtftp_server_port);
  if (p.mtftp_timeout) u8(pxe_sub::kMtftpTimeout, *p.mtftp_timeout);
  if (p.mtftp_delay) u8(pxe_sub::kMtftpDelay, *p.mtftp_delay);
  if (p.discovery_control) u8(pxe_sub::kDiscoveryControl, *p.discovery_control);
  if (p.discovery_mcast_addr) ip(pxe_sub::kDiscoveryMcastAddr, *p.discovery_mcast_addr);
  if (!p.boot_servers.empty()) {
    ByteWriter v;
    for (const auto& bs : p.boot_servers) {
      v.u16be(bs.type);
      v.u8(std::uint8_t(bs.addresses.size()));
      for (Ipv4 a : bs.addresses) v.u32be(a.value);
    }
    item(pxe_sub::kBootServers, v.data());
  }
  if (!p.boot_menu.empty()) {
    ByteWriter v;
    for (const auto& mi : p.boot_menu) {
      std::size_t n = mi.description.size() > 255 ? 255 : mi.description.size();
      v.u16be(mi.type);
      v.u8(std::uint8_t(n));
      v.str(std::string_view(mi.description).substr(0, n));
    }
    item(pxe_sub::kBootMenu, v.data());
  }
  if (p.menu_prompt) {
    ByteWriter v;
    v.u8(p.menu_prompt->timeout);
    v.str(p.menu_prompt->prompt);
    item(pxe_sub::kMenuPrompt, v.data());
  }
  if (p.boot_item) {
    ByteWriter v;
    v.u16be(p.boot_item->type);
    v.u16be(p.boot_item->layer);
    item(pxe_sub::kBootItem, v.data());
  }
  for (const auto& s : p.other) item(s.code, s.data);
  w.u8(pxe_sub::kEnd);
  return w.take();
}

std::optional<ClientNdi> decode_client_ndi(ByteSpan v) {
  if (v.size() != 3) return std::nullopt;
  return ClientNdi{v[0], v[1], v[2]};
}

std::optional<ClientUuid> decode_client_uuid(ByteSpan v) {
  if (v.size() != 17) return std::nullopt;
  ClientUuid u;
  u.type = v[0];
  for (std::size_t i = 0; i < 16; ++i) u.guid[i] = v[1 + i];
  return u;
}

std::optional<std::vector<std::uint16_t>> decode_client_arch(ByteSpan v) {
  if (v.empty() || v.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint16_t> out;
  out.reserve(v.size() / 2);
  for (std::size_t i = 0; i + 1 < v.size(); i += 2) out.push_back(std::uint16_t(v[i] << 8 | v[i + 1]));
  return out;
}

bool is_rfc3004_user_class(ByteSpan v) {
  if (v.empty()) return false;
  std::size_t i = 0;
  while (i < v.size()) {
    std::size_t n = v[i];
    if (n == 0 || v.size() - i - 1 < n) return false;
    i += 1 + n;
  }
  return true;
}

std::optional<UserClass> decode_user_class(ByteSpan v) {
  if (v.empty()) return std::nullopt;
  UserClass uc;
  if (is_rfc3004_user_class(v)) {
    std::size_t i = 0;
    while (i < v.size()) {
      std::size_t n = v[i];
      uc.classes.push_back(to_string(v.subspan(i + 1, n)));
      i += 1 + n;
    }
  } else {
    uc.raw = true;
    uc.classes.push_back(to_string(v));
  }
  return uc;
}

}  // namespace pxe::wire::dhcp
