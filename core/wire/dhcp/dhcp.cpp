#include "wire/dhcp/dhcp.h"

#include <algorithm>
#include <cstring>

namespace pxe::wire::dhcp {

namespace {

std::string fixed_field_str(const std::uint8_t* p, std::size_t n) {
  const void* nul = std::memchr(p, 0, n);
  std::size_t len = nul ? std::size_t(static_cast<const std::uint8_t*>(nul) - p) : n;
  return std::string(reinterpret_cast<const char*>(p), len);
}

// Checks that an overloaded file/sname area holds well-formed options.
std::optional<Error> check_area(ByteSpan area, std::size_t base, const char* name) {
  TlvCursor cur(area);
  Tlv t;
  for (;;) {
    switch (cur.next(t)) {
      case TlvStep::Item:
      case TlvStep::Pad:
        continue;
      case TlvStep::End:
      case TlvStep::Done:
        return std::nullopt;
      case TlvStep::Truncated:
        return make_error(std::string("option ") + std::to_string(t.code) + " in overloaded " + name +
                              " field: length " + std::to_string(t.length) + " goes past the end of the field",
                          base + t.offset);
    }
  }
}

// Parses into `pm`; returns the first problem. strict: also validates overloaded areas.
std::optional<Error> parse_into(ByteSpan b, PartialMessage& pm, bool strict) {
  Message& m = pm.message;
  ByteReader r(b);
  m.op = r.u8();
  m.htype = r.u8();
  m.hlen = r.u8();
  m.hops = r.u8();
  m.xid = r.u32be();
  m.secs = r.u16be();
  m.flags = r.u16be();
  m.ciaddr = Ipv4(r.u32be());
  m.yiaddr = Ipv4(r.u32be());
  m.siaddr = Ipv4(r.u32be());
  m.giaddr = Ipv4(r.u32be());
  // Fixed areas: copy what is there even when short.
  auto copy_area = [&](auto& dst, std::size_t off) {
    if (b.size() > off) {
      std::size_t n = std::min(dst.size(), b.size() - off);
      std::memcpy(dst.data(), b.data() + off, n);
    }
  };
  copy_area(m.chaddr, 28);
  copy_area(m.sname, kSnameOffset);
  copy_area(m.file, kFileOffset);
  if (b.size() < kFixedSize) {
    m.has_cookie = false;
    return make_error("BOOTP header: expected " + std::to_string(kFixedSize) + " bytes, found " +
                          std::to_string(b.size()),
                      b.size());
  }
  pm.header_complete = true;
  if (!has_magic_cookie(b)) {
    m.has_cookie = false;
    m.trailing.assign(b.begin() + kFixedSize, b.end());
    return std::nullopt;
  }
  m.has_cookie = true;
  ByteSpan opts = b.subspan(kOptionsOffset);
  TlvCursor cur(opts);
  Tlv t;
  for (;;) {
    TlvStep step = cur.next(t);
    if (step == TlvStep::Done) break;
    if (step == TlvStep::Truncated) {
      if (opts.size() - t.offset < 2)
        return make_error("option " + std::to_string(t.code) + ": expected a length byte, found end of packet",
                          kOptionsOffset + t.offset + 1);
      return make_error("option " + std::to_string(t.code) + ": length " + std::to_string(t.length) +
                            " goes past end of packet (" + std::to_string(t.data.size()) + " bytes left)",
                        kOptionsOffset + t.offset + 2 + t.data.size());
    }
    if (step == TlvStep::Pad) {
      m.options.push_back(Option{0, {}});
      continue;
    }
    if (step == TlvStep::End) {
      m.options.push_back(Option{255, {}});
      ByteSpan rest = cur.rest();
      m.trailing.assign(rest.begin(), rest.end());
      break;
    }
    m.options.push_back(Option{t.code, Bytes(t.data.begin(), t.data.end())});
  }
  if (strict) {
    std::uint8_t ov = m.overload();
    if (ov & 1)
      if (auto e = check_area(ByteSpan(m.file), kFileOffset, "file")) return e;
    if (ov & 2)
      if (auto e = check_area(ByteSpan(m.sname), kSnameOffset, "sname")) return e;
  }
  return std::nullopt;
}

void put_option(ByteWriter& w, std::uint8_t code, ByteSpan data) {
  if (code == opt::kPad || code == opt::kEnd) {
    w.u8(code);
    return;
  }
  // RFC 3396: a value longer than 255 bytes goes out as several instances of the same code.
  do {
    std::size_t n = std::min<std::size_t>(data.size(), 255);
    w.u8(code);
    w.u8(std::uint8_t(n));
    w.bytes(data.first(n));
    data = data.subspan(n);
  } while (!data.empty());
}

// Visits the option instances of an area (skipping pads), stopping at End or damage.
template <class F>
void walk(ByteSpan area, F&& f) {
  TlvCursor cur(area);
  Tlv t;
  for (;;) {
    TlvStep s = cur.next(t);
    if (s == TlvStep::Pad) continue;
    if (s != TlvStep::Item) return;
    f(t.code, t.data);
  }
}

}  // namespace

bool has_magic_cookie(ByteSpan p) {
  return p.size() >= kOptionsOffset && p[236] == 99 && p[237] == 130 && p[238] == 83 && p[239] == 99;
}

Result<Message> parse(ByteSpan udp_payload) {
  PartialMessage pm;
  if (auto e = parse_into(udp_payload, pm, true)) return std::move(*e);
  return std::move(pm.message);
}

PartialMessage parse_lenient(ByteSpan udp_payload) {
  PartialMessage pm;
  pm.error = parse_into(udp_payload, pm, false);
  return pm;
}

Bytes encode(const Message& m) {
  ByteWriter w(kOptionsOffset + 64 + m.trailing.size());
  w.u8(m.op);
  w.u8(m.htype);
  w.u8(m.hlen);
  w.u8(m.hops);
  w.u32be(m.xid);
  w.u16be(m.secs);
  w.u16be(m.flags);
  w.u32be(m.ciaddr.value);
  w.u32be(m.yiaddr.value);
  w.u32be(m.siaddr.value);
  w.u32be(m.giaddr.value);
  w.bytes(m.chaddr);
  w.bytes(m.sname);
  w.bytes(m.file);
  if (m.has_cookie) {
    w.u32be(kMagicCookie);
    for (const Option& o : m.options) put_option(w, o.code, o.data);
  }
  w.bytes(m.trailing);
  return w.take();
}

// ---- Message ----

void Message::set_client_mac(const Mac& mac) {
  chaddr.fill(0);
  std::copy(mac.octets.begin(), mac.octets.end(), chaddr.begin());
  htype = 1;
  hlen = 6;
}

std::string Message::sname_str() const { return fixed_field_str(sname.data(), sname.size()); }
std::string Message::file_str() const { return fixed_field_str(file.data(), file.size()); }

std::uint8_t Message::overload() const {
  // RFC 2132 §9.3: option 52 must be in the options field itself.
  for (const Option& o : options)
    if (o.code == opt::kOverload && o.data.size() == 1 && o.data[0] >= 1 && o.data[0] <= 3) return o.data[0];
  return 0;
}

std::optional<Bytes> Message::option(std::uint8_t code) const {
  if (code == opt::kPad || code == opt::kEnd) return std::nullopt;
  std::optional<Bytes> out;
  auto add = [&](std::uint8_t c, ByteSpan d) {
    if (c != code) return;
    if (!out) out.emplace();
    out->insert(out->end(), d.begin(), d.end());
  };
  for (const Option& o : options) add(o.code, o.data);
  std::uint8_t ov = overload();
  if (ov & 1) walk(ByteSpan(file), add);
  if (ov & 2) walk(ByteSpan(sname), add);
  return out;
}

bool Message::has_option(std::uint8_t code) const { return option(code).has_value(); }

std::vector<LogicalOption> Message::logical_options() const {
  std::vector<LogicalOption> out;
  std::array<std::int16_t, 256> index;
  index.fill(-1);
  auto add = [&](std::uint8_t c, ByteSpan d) {
    if (index[c] < 0) {
      index[c] = std::int16_t(out.size());
      out.push_back(LogicalOption{c, {}});
    }
    Bytes& v = out[std::size_t(index[c])].data;
    v.insert(v.end(), d.begin(), d.end());
  };
  for (const Option& o : options)
    if (o.code != opt::kPad && o.code != opt::kEnd) add(o.code, o.data);
  std::uint8_t ov = overload();
  if (ov & 1) walk(ByteSpan(file), add);
  if (ov & 2) walk(ByteSpan(sname), add);
  return out;
}

namespace {
std::optional<std::uint32_t> as_u32(const std::optional<Bytes>& v) {
  if (!v || v->size() != 4) return std::nullopt;
  const Bytes& b = *v;
  return std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3];
}
std::optional<Ipv4> as_ip(const std::optional<Bytes>& v) {
  auto u = as_u32(v);
  return u ? std::optional<Ipv4>(Ipv4(*u)) : std::nullopt;
}
std::optional<std::string> as_str(const std::optional<Bytes>& v) {
  if (!v) return std::nullopt;
  return std::string(v->begin(), v->end());
}
}  // namespace

std::optional<MessageType> Message::message_type() const {
  auto v = option(opt::kMessageType);
  if (!v || v->size() != 1) return std::nullopt;
  return MessageType((*v)[0]);
}
std::optional<Ipv4> Message::requested_ip() const { return as_ip(option(opt::kRequestedIp)); }
std::optional<Ipv4> Message::server_id() const { return as_ip(option(opt::kServerId)); }
std::optional<std::uint32_t> Message::lease_time() const { return as_u32(option(opt::kLeaseTime)); }
std::optional<std::uint16_t> Message::max_message_size() const {
  auto v = option(opt::kMaxMessageSize);
  if (!v || v->size() != 2) return std::nullopt;
  return std::uint16_t((*v)[0] << 8 | (*v)[1]);
}
std::optional<Bytes> Message::parameter_request_list() const { return option(opt::kParamRequest); }
std::optional<std::string> Message::vendor_class() const { return as_str(option(opt::kVendorClass)); }
std::optional<Bytes> Message::client_id() const { return option(opt::kClientId); }
std::optional<std::string> Message::hostname() const { return as_str(option(opt::kHostname)); }

std::optional<std::vector<std::uint16_t>> Message::client_arch() const {
  auto v = option(opt::kClientArch);
  return v ? decode_client_arch(*v) : std::nullopt;
}
std::optional<ClientNdi> Message::client_ndi() const {
  auto v = option(opt::kClientNdi);
  return v ? decode_client_ndi(*v) : std::nullopt;
}
std::optional<ClientUuid> Message::client_uuid() const {
  auto v = option(opt::kClientUuid);
  return v ? decode_client_uuid(*v) : std::nullopt;
}
std::optional<UserClass> Message::user_class() const {
  auto v = option(opt::kUserClass);
  return v ? decode_user_class(*v) : std::nullopt;
}
std::optional<std::vector<SubOption>> Message::relay_agent_info() const {
  auto v = option(opt::kRelayAgentInfo);
  if (!v) return std::nullopt;
  auto subs = parse_suboptions(*v, false);
  if (!subs) return std::nullopt;
  return std::move(*subs);
}
bool Message::is_pxe() const {
  auto v = option(opt::kVendorClass);
  static constexpr std::string_view kPxe = "PXEClient";
  return v && v->size() >= kPxe.size() && std::equal(kPxe.begin(), kPxe.end(), v->begin());
}
std::optional<PxeOptions> Message::pxe_options() const {
  if (!is_pxe()) return std::nullopt;
  auto v = option(opt::kVendorSpecific);
  if (!v) return std::nullopt;
  auto p = decode_pxe_options(*v);
  if (!p) return std::nullopt;
  return std::move(*p);
}
std::optional<std::vector<SubOption>> Message::ipxe_options() const {
  auto v = option(opt::kIpxeEncap);
  if (!v) return std::nullopt;
  auto subs = parse_suboptions(*v, true);
  if (!subs) return std::nullopt;
  return std::move(*subs);
}
bool Message::pxelinux_magic() const {
  auto v = option(opt::kPxelinuxMagic);
  return v && *v == Bytes{0xf1, 0x00, 0x74, 0x7e};
}
std::optional<std::string> Message::pxelinux_config_file() const {
  return as_str(option(opt::kPxelinuxConfigFile));
}
std::optional<std::string> Message::pxelinux_path_prefix() const {
  return as_str(option(opt::kPxelinuxPathPrefix));
}
std::optional<std::uint32_t> Message::pxelinux_reboot_time() const {
  return as_u32(option(opt::kPxelinuxRebootTime));
}

std::optional<std::string> Message::bootfile() const {
  if (auto v = as_str(option(opt::kBootfileName))) return v;
  if (overload() & 1) return std::nullopt;
  std::string f = file_str();
  if (f.empty()) return std::nullopt;
  return f;
}

std::optional<std::string> Message::tftp_server_name() const {
  if (auto v = as_str(option(opt::kTftpServerName))) return v;
  if (overload() & 2) return std::nullopt;
  std::string s = sname_str();
  if (s.empty()) return std::nullopt;
  return s;
}

// ---- Builder ----

Builder Builder::reply_to(const Message& request) {
  Builder b(Op::Reply);
  b.m_.xid = request.xid;
  b.m_.flags = request.flags;
  b.m_.giaddr = request.giaddr;
  b.m_.htype = request.htype;
  b.m_.hlen = request.hlen;
  b.m_.chaddr = request.chaddr;
  return b;
}

Builder& Builder::broadcast(bool on) {
  m_.flags = on ? std::uint16_t(m_.flags | kBroadcastFlag) : std::uint16_t(m_.flags & ~kBroadcastFlag);
  return *this;
}

Builder& Builder::client_mac(const Mac& mac) {
  m_.set_client_mac(mac);
  return *this;
}

Builder& Builder::sname(std::string_view s) {
  m_.sname.fill(0);
  std::memcpy(m_.sname.data(), s.data(), std::min(s.size(), kSnameSize - 1));
  return *this;
}

Builder& Builder::file(std::string_view s) {
  m_.file.fill(0);
  std::memcpy(m_.file.data(), s.data(), std::min(s.size(), kFileSize - 1));
  return *this;
}

Builder& Builder::option(std::uint8_t code, ByteSpan data) {
  // Stored as one entry; encode() splits values over 255 bytes into several instances.
  m_.options.push_back(Option{code, Bytes(data.begin(), data.end())});
  return *this;
}

Builder& Builder::option_u8(std::uint8_t code, std::uint8_t v) { return option(code, ByteSpan(&v, 1)); }

Builder& Builder::option_u16(std::uint8_t code, std::uint16_t v) {
  std::uint8_t b[2] = {std::uint8_t(v >> 8), std::uint8_t(v)};
  return option(code, b);
}

Builder& Builder::option_u32(std::uint8_t code, std::uint32_t v) {
  std::uint8_t b[4] = {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
  return option(code, b);
}

Builder& Builder::option_ip(std::uint8_t code, Ipv4 a) { return option_u32(code, a.value); }

Builder& Builder::option_ips(std::uint8_t code, const std::vector<Ipv4>& as) {
  ByteWriter w(as.size() * 4);
  for (Ipv4 a : as) w.u32be(a.value);
  return option(code, w.data());
}

Builder& Builder::option_str(std::uint8_t code, std::string_view s) { return option(code, as_bytes(s)); }

Builder& Builder::remove(std::uint8_t code) {
  std::erase_if(m_.options, [code](const Option& o) { return o.code == code; });
  return *this;
}

Message Builder::build() const {
  Message m = m_;
  m.has_cookie = true;
  m.options.push_back(Option{opt::kEnd, {}});
  // Size of the encoded message so far, to pad up to pad_to_.
  std::size_t size = kOptionsOffset;
  for (const Option& o : m.options) {
    if (o.code == opt::kPad || o.code == opt::kEnd) {
      size += 1;
    } else {
      std::size_t chunks = o.data.empty() ? 1 : (o.data.size() + 254) / 255;
      size += 2 * chunks + o.data.size();
    }
  }
  if (pad_to_ > size) m.trailing.assign(pad_to_ - size, 0);
  return m;
}

}  // namespace pxe::wire::dhcp
