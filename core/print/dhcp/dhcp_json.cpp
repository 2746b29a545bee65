// JSON form of a BOOTP/DHCP payload: header fields, then every option instance in wire order
// (options field, then overloaded file/sname) with a typed value and the raw bytes.
#include <cstring>

#include "base/addr.h"
#include "print/dhcp/dhcp_print.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::print {

namespace dw = pxe::wire::dhcp;

namespace {

std::uint16_t be16(const std::uint8_t* p) { return std::uint16_t(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}
std::string ip_str(const std::uint8_t* p) { return Ipv4(p[0], p[1], p[2], p[3]).str(); }
std::string_view as_sv(ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

std::string fixed_str(ByteSpan p, std::size_t off, std::size_t n) {
  if (p.size() <= off) return {};
  std::size_t have = std::min(n, p.size() - off);
  const std::uint8_t* s = p.data() + off;
  const void* nul = std::memchr(s, 0, have);
  std::size_t k = nul ? std::size_t(static_cast<const std::uint8_t*>(nul) - s) : have;
  return std::string(reinterpret_cast<const char*>(s), k);
}

void suboptions_json(JsonWriter& w, ByteSpan v, bool pads_and_end, std::string_view (*namer)(std::uint8_t)) {
  w.begin_array();
  dw::TlvCursor cur(v, pads_and_end);
  dw::Tlv t;
  for (;;) {
    dw::TlvStep s = cur.next(t);
    if (s == dw::TlvStep::Pad) continue;
    if (s == dw::TlvStep::Done || s == dw::TlvStep::End) break;
    w.begin_object();
    w.field("code", unsigned(t.code));
    std::string_view n = namer(t.code);
    if (!n.empty()) w.field("name", n);
    w.field("length", std::uint64_t(t.length));
    if (s == dw::TlvStep::Truncated) {
      w.field("error", "length goes past end of option");
      w.end_object();
      break;
    }
    bool printable = !t.data.empty();
    for (std::uint8_t c : t.data) printable = printable && c >= 0x20 && c < 0x7f;
    if (printable) w.field("text", as_sv(t.data));
    w.field("raw", hex(t.data));
    w.end_object();
  }
  w.end_array();
}

void pxe_json(JsonWriter& w, ByteSpan v) {
  auto r = dw::decode_pxe_options(v);
  if (!r) {
    w.begin_object().field("error", r.error().what).end_object();
    return;
  }
  const dw::PxeOptions& p = *r;
  w.begin_object();
  if (p.mtftp_ip) w.field("mtftp_ip", p.mtftp_ip->str());
  if (p.mtftp_client_port) w.field("mtftp_client_port", unsigned(*p.mtftp_client_port));
  if (p.mtftp_server_port) w.field("mtftp_server_port", unsigned(*p.mtftp_server_port));
  if (p.mtftp_timeout) w.field("mtftp_timeout", unsigned(*p.mtftp_timeout));
  if (p.mtftp_delay) w.field("mtftp_delay", unsigned(*p.mtftp_delay));
  if (p.discovery_control) w.field("discovery_control", unsigned(*p.discovery_control));
  if (p.discovery_mcast_addr) w.field("discovery_mcast_addr", p.discovery_mcast_addr->str());
  if (!p.boot_servers.empty()) {
    w.key("boot_servers").begin_array();
    for (const auto& bs : p.boot_servers) {
      w.begin_object().field("type", unsigned(bs.type));
      w.key("addresses").begin_array();
      for (Ipv4 a : bs.addresses) w.value(a.str());
      w.end_array().end_object();
    }
    w.end_array();
  }
  if (!p.boot_menu.empty()) {
    w.key("boot_menu").begin_array();
    for (const auto& mi : p.boot_menu)
      w.begin_object().field("type", unsigned(mi.type)).field("description", mi.description).end_object();
    w.end_array();
  }
  if (p.menu_prompt)
    w.key("menu_prompt").begin_object().field("timeout", unsigned(p.menu_prompt->timeout))
        .field("prompt", p.menu_prompt->prompt).end_object();
  if (p.boot_item)
    w.key("boot_item").begin_object().field("type", unsigned(p.boot_item->type))
        .field("layer", unsigned(p.boot_item->layer)).end_object();
  if (!p.other.empty()) {
    w.key("other").begin_array();
    for (const auto& s : p.other) w.begin_object().field("code", unsigned(s.code)).field("raw", hex(s.data)).end_object();
    w.end_array();
  }
  w.end_object();
}

// Per-packet facts the option values depend on.
struct Context {
  bool pxe = false;          // option 60 starts with "PXEClient": option 43 holds PXE sub-options
  Bytes joined_vendor;       // option 43 joined over all instances (RFC 3396) when split
  unsigned vendor_seen = 0;
};

void value_json(JsonWriter& w, std::uint8_t code, ByteSpan v, Context& ctx) {
  const bool pxe = ctx.pxe;
  const dw::OptionInfo& info = dw::option_info(code);
  const std::size_t len = v.size();
  switch (code) {
    case dw::opt::kMessageType:
      if (len == 1) {
        std::string_view n = dw::message_type_name(v[0]);
        if (n.empty()) w.value(unsigned(v[0]));
        else w.value(n);
        return;
      }
      break;
    case dw::opt::kParamRequest:
      w.begin_array();
      for (std::uint8_t c : v) w.value(unsigned(c));
      w.end_array();
      return;
    case dw::opt::kOverload:
      if (len == 1) return (void)w.value(unsigned(v[0]));
      break;
    case dw::opt::kClientArch:
      if (len >= 2 && len % 2 == 0) {
        w.begin_array();
        for (std::size_t i = 0; i < len; i += 2) {
          std::uint16_t a = be16(v.data() + i);
          w.begin_object().field("arch", unsigned(a));
          std::string_view n = dw::client_arch_name(a);
          if (!n.empty()) w.field("name", n);
          w.end_object();
        }
        w.end_array();
        return;
      }
      break;
    case dw::opt::kClientNdi:
      if (auto ndi = dw::decode_client_ndi(v)) {
        w.begin_object().field("type", unsigned(ndi->type)).field("major", unsigned(ndi->major))
            .field("minor", unsigned(ndi->minor)).end_object();
        return;
      }
      break;
    case dw::opt::kClientUuid:
      if (auto u = dw::decode_client_uuid(v)) {
        w.begin_object().field("type", unsigned(u->type)).field("guid", hex(u->guid)).end_object();
        return;
      }
      break;
    case dw::opt::kClientId:
      if (len >= 1) {
        w.begin_object().field("type", unsigned(v[0])).field("id", hex(v.subspan(1), ':')).end_object();
        return;
      }
      break;
    case dw::opt::kUserClass:
      if (auto uc = dw::decode_user_class(v)) {
        w.begin_object().key("classes").begin_array();
        for (const auto& c : uc->classes) w.value(c);
        w.end_array().field("raw", uc->raw).end_object();
        return;
      }
      break;
    case dw::opt::kRelayAgentInfo:
      return suboptions_json(w, v, false, dw::agent_suboption_name);
    case dw::opt::kIpxeEncap:
      return suboptions_json(w, v, true, dw::ipxe_suboption_name);
    case dw::opt::kVendorSpecific:
      if (!pxe) break;
      if (ctx.joined_vendor.empty()) return pxe_json(w, v);
      if (ctx.vendor_seen++ > 0) return (void)w.value("continued");  // decoded at the first instance
      return pxe_json(w, ctx.joined_vendor);
    default:
      break;
  }
  switch (info.kind) {
    case dw::ValueKind::Text:
      return (void)w.value(as_sv(v));
    case dw::ValueKind::Ipv4List:
      if (len == 4) return (void)w.value(ip_str(v.data()));
      if (len % 4 == 0 && len) {
        w.begin_array();
        for (std::size_t i = 0; i < len; i += 4) w.value(ip_str(v.data() + i));
        w.end_array();
        return;
      }
      break;
    case dw::ValueKind::U32:
      if (len == 4) return (void)w.value(std::uint64_t(be32(v.data())));
      break;
    case dw::ValueKind::S32:
      if (len == 4) return (void)w.value(std::int64_t(std::int32_t(be32(v.data()))));
      break;
    case dw::ValueKind::U16List:
      if (len == 2) return (void)w.value(unsigned(be16(v.data())));
      if (len % 2 == 0 && len) {
        w.begin_array();
        for (std::size_t i = 0; i < len; i += 2) w.value(unsigned(be16(v.data() + i)));
        w.end_array();
        return;
      }
      break;
    case dw::ValueKind::Bool:
      if (len == 1 && v[0] <= 1) return (void)w.value(v[0] == 1);
      break;
    default:
      break;
  }
  w.value(hex(v));
}

// Writes the option instances of one area; returns an error text when it stopped on damage.
std::string options_json(JsonWriter& w, ByteSpan area, const char* area_name, Context& ctx, std::uint8_t* overload) {
  dw::TlvCursor cur(area);
  dw::Tlv t;
  for (;;) {
    dw::TlvStep s = cur.next(t);
    if (s == dw::TlvStep::Pad) continue;
    if (s == dw::TlvStep::Done || s == dw::TlvStep::End) return {};
    w.begin_object();
    w.field("code", unsigned(t.code));
    const dw::OptionInfo& info = dw::option_info(t.code);
    std::string_view name = !info.short_name.empty() ? info.short_name : info.pxe_name;
    if (!name.empty()) w.field("name", name);
    if (!info.long_name.empty()) w.field("long_name", info.long_name);
    if (area_name) w.field("area", area_name);
    if (s == dw::TlvStep::Truncated) {
      if (area.size() - t.offset >= 2) w.field("length", std::uint64_t(t.length));
      w.field("raw", hex(t.data));
      w.end_object();
      return "option " + std::to_string(t.code) + " truncated";
    }
    w.field("length", std::uint64_t(t.length));
    if (t.code == dw::opt::kOverload && overload && !t.data.empty()) *overload = t.data[0];
    w.key("value");
    value_json(w, t.code, t.data, ctx);
    w.field("raw", hex(t.data));
    w.end_object();
  }
}

}  // namespace

void dhcp_json(ByteSpan p, JsonWriter& w) {
  const std::size_t n = p.size();
  w.begin_object();
  std::string error;
  if (n >= 1) {
    w.field("op", unsigned(p[0]));
    if (p[0] == 1) w.field("op_name", "Request");
    else if (p[0] == 2) w.field("op_name", "Reply");
  }
  if (n >= 4) {
    w.field("htype", unsigned(p[1])).field("hlen", unsigned(p[2])).field("hops", unsigned(p[3]));
  }
  if (n >= 12) {
    w.field("xid", std::uint64_t(be32(p.data() + 4)));
    w.field("secs", unsigned(be16(p.data() + 8)));
    w.field("flags", unsigned(be16(p.data() + 10)));
  }
  static constexpr const char* kAddr[] = {"ciaddr", "yiaddr", "siaddr", "giaddr"};
  for (std::size_t k = 0; k < 4; ++k)
    if (n >= 16 + 4 * k) w.field(kAddr[k], ip_str(p.data() + 12 + 4 * k));
  if (n >= 44) {
    if (p[1] == 1 && p[2] == 6) w.field("chaddr", Mac::from_bytes(p.subspan(28, 6)).str());
    else w.field("chaddr", hex(p.subspan(28, std::min<std::size_t>(p[2], 16)), ':'));
  }
  std::uint8_t overload = 0;
  if (n >= dw::kFixedSize) {
    w.field("sname", fixed_str(p, dw::kSnameOffset, dw::kSnameSize));
    w.field("file", fixed_str(p, dw::kFileOffset, dw::kFileSize));
  }
  if (n < dw::kFixedSize) {
    error = "BOOTP header: expected 236 bytes, found " + std::to_string(n);
  } else if (!dw::has_magic_cookie(p)) {
    w.field("magic_cookie", false);
  } else {
    ByteSpan opts = p.subspan(dw::kOptionsOffset);
    // Is this a PXE packet (option 60 "PXEClient...")? Decides how option 43 is read. Is 43 split?
    Context ctx;
    {
      auto m = dw::parse_lenient(p);
      ctx.pxe = m.message.is_pxe();
      unsigned n43 = 0;
      for (const auto& o : m.message.options) n43 += o.code == dw::opt::kVendorSpecific;
      auto joined = m.message.option(dw::opt::kVendorSpecific);
      if (ctx.pxe && joined) {
        // More than one instance anywhere (options field or overloaded file/sname)?
        std::size_t first_len = 0;
        for (const auto& o : m.message.options)
          if (o.code == dw::opt::kVendorSpecific) {
            first_len = o.data.size();
            break;
          }
        if (n43 > 1 || joined->size() != first_len) ctx.joined_vendor = std::move(*joined);
      }
    }
    // message_type first, for consumers that only want that.
    {
      dw::TlvCursor cur(opts);
      dw::Tlv t;
      for (dw::TlvStep s; (s = cur.next(t)) == dw::TlvStep::Item || s == dw::TlvStep::Pad;) {
        if (s == dw::TlvStep::Item && t.code == dw::opt::kMessageType && t.data.size() == 1) {
          std::string_view name = dw::message_type_name(t.data[0]);
          if (name.empty()) w.field("message_type", unsigned(t.data[0]));
          else w.field("message_type", name);
          break;
        }
      }
    }
    w.key("options").begin_array();
    error = options_json(w, opts, nullptr, ctx, &overload);
    if (overload > 3) overload = 0;  // not a valid option 52 value
    if (error.empty() && (overload & 1))
      error = options_json(w, p.subspan(dw::kFileOffset, dw::kFileSize), "file", ctx, nullptr);
    if (error.empty() && (overload & 2))
      error = options_json(w, p.subspan(dw::kSnameOffset, dw::kSnameSize), "sname", ctx, nullptr);
    w.end_array();
  }
  w.field("truncated", !error.empty());
  if (!error.empty()) w.field("error", error);
  w.end_object();
}

}  // namespace pxe::print
