// tcpdump -nn -vv BOOTP text (print-bootp.c in tcpdump 4.99), written from its observed output,
// plus our additions in the same style: PXE option 43 sub-options, iPXE's raw option 77, names
// after option 93 values, iPXE 175, PXELINUX 208-211 and options in overloaded file/sname.
#include <array>
#include <charconv>
#include <cstring>

#include "base/addr.h"
#include "print/dhcp/dhcp_print.h"
#include "print/dhcp/dhcp_text_out.h"
#include "print/text_out.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::print {

namespace dw = pxe::wire::dhcp;

namespace {

using namespace dhcp_text_detail;

// What the printer needs to know before printing: is this a PXE packet (option 60 starts with
// "PXEClient"), option 52's value, and how many instances of option 43 there are.
struct PreScan {
  bool pxe = false;
  std::uint8_t overload = 0;
  unsigned vendor_instances = 0;
};

void prescan_area(ByteSpan area, PreScan& ps, bool main_area) {
  dw::TlvCursor cur(area);
  dw::Tlv t;
  for (;;) {
    dw::TlvStep s = cur.next(t);
    if (s == dw::TlvStep::Pad) continue;
    if (s != dw::TlvStep::Item) return;
    if (t.code == dw::opt::kVendorClass && starts_with_pxeclient(t.data)) ps.pxe = true;
    if (t.code == dw::opt::kVendorSpecific) ++ps.vendor_instances;
    if (main_area && t.code == dw::opt::kOverload && t.data.size() >= 1 && ps.overload == 0) ps.overload = t.data[0];
  }
}

// RFC 3396: all instances of option 43, options field first, then file, then sname.
void join_vendor(ByteSpan p, const PreScan& ps, std::string& joined) {
  auto add = [&](ByteSpan area) {
    dw::TlvCursor cur(area);
    dw::Tlv t;
    for (dw::TlvStep s; (s = cur.next(t)) == dw::TlvStep::Item || s == dw::TlvStep::Pad;)
      if (s == dw::TlvStep::Item && t.code == dw::opt::kVendorSpecific)
        joined.append(reinterpret_cast<const char*>(t.data.data()), t.data.size());
  };
  add(p.subspan(dw::kOptionsOffset));
  if (ps.overload >= 1 && ps.overload <= 3) {
    if (ps.overload & 1) add(p.subspan(dw::kFileOffset, dw::kFileSize));
    if (ps.overload & 2) add(p.subspan(dw::kSnameOffset, dw::kSnameSize));
  }
}

// ---- the option list ----

// Per-code text built once: "\n\t    Name (code), length " for option headers and "Name (code)"
// for Parameter-Request entries (tcpdump's names; the header uses ours where tcpdump has none).
struct CodeTexts {
  std::array<std::string, 256> header;
  std::array<std::string, 256> prl;
  CodeTexts() {
    for (unsigned c = 0; c < 256; ++c) {
      const dw::OptionInfo& info = dw::option_info(std::uint8_t(c));
      std::string_view tn = info.short_name.empty() ? std::string_view("Unknown") : info.short_name;
      std::string_view hn = !info.short_name.empty() ? info.short_name
                            : !info.pxe_name.empty() ? info.pxe_name
                                                     : std::string_view("Unknown");
      std::string code = std::to_string(c);
      prl[c] = std::string(tn) + " (" + code + ")";
      header[c] = std::string(kOptionLine) + std::string(hn) + " (" + code + "), length ";
    }
  }
};

const CodeTexts& code_texts() {
  static const CodeTexts t;
  return t;
}

class OptionPrinter {
 public:
  OptionPrinter(Sink& out, bool pxe, std::string_view joined_vendor = {}, unsigned vendor_instances = 0)
      : out_(out), pxe_(pxe), joined_(joined_vendor), vendor_instances_(vendor_instances) {}

  // Prints the options of one area. Returns false when it stopped on truncation (mark printed).
  // overload receives option 52's value when seen.
  bool area(ByteSpan a, std::uint8_t* overload) {
    std::size_t i = 0;
    while (i < a.size()) {
      std::uint8_t tag = a[i++];
      if (tag == dw::opt::kPad) continue;
      if (tag == dw::opt::kEnd) return true;
      if (i >= a.size()) {
        out_ += kTrunc;
        return false;
      }
      std::size_t len = a[i++];
      header(tag, len);
      if (a.size() - i < len) {
        out_ += kTrunc;
        return false;
      }
      ByteSpan v = a.subspan(i, len);
      i += len;
      if (tag == dw::opt::kOverload && overload && len >= 1) *overload = v[0];
      value(tag, v);
    }
    return true;
  }

 private:
  void header(std::uint8_t tag, std::size_t len) {
    out_ += texts_.header[tag];
    put_u(out_, len);
    if (len > 0) out_ += ": ";
  }

  void trailing(std::size_t left) {
    if (!left) return;
    out_ += "\n\t  trailing data length ";
    put_u(out_, left);
  }

  void value(std::uint8_t tag, ByteSpan v) {
    const dw::OptionInfo& info = dw::option_info(tag);
    dw::ValueKind k = info.kind;
    const std::size_t len = v.size();
    if (k == dw::ValueKind::MessageType && len == 1) {
      std::string_view n = dw::message_type_name(v[0]);
      if (n.empty()) {
        out_ += "Unknown (";
        put_u(out_, v[0]);
        out_.push_back(')');
      } else {
        out_ += n;
      }
      return;
    }
    if (k == dw::ValueKind::ParamList) {
      for (std::size_t j = 0; j < len; ++j) {
        out_ += j % 4 == 0 ? std::string_view(kSubLine) : std::string_view(", ");
        out_ += texts_.prl[v[j]];
      }
      return;
    }
    if (k == dw::ValueKind::Unknown) k = len & 1 ? dw::ValueKind::Bytes : len & 2 ? dw::ValueKind::U16List : dw::ValueKind::U32;
    switch (k) {
      case dw::ValueKind::Text:
        put_quoted(out_, v);
        return;
      case dw::ValueKind::Ipv4List:
      case dw::ValueKind::U32:
      case dw::ValueKind::S32:
        return trailing(len - put_words(out_, v, k));
      case dw::ValueKind::Ipv4Pairs: {
        std::size_t j = 0;
        for (; len - j >= 8; j += 8) {
          if (j) out_.push_back(',');
          out_.push_back('(');
          put_ip(out_, v.data() + j);
          out_.push_back(':');
          put_ip(out_, v.data() + j + 4);
          out_.push_back(')');
        }
        return trailing(len - j);
      }
      case dw::ValueKind::U16List: {
        std::size_t j = 0;
        for (; len - j >= 2; j += 2) {
          if (j) out_.push_back(',');
          put_u(out_, be16(v.data() + j));
        }
        return trailing(len - j);
      }
      case dw::ValueKind::Bool:
        for (std::size_t j = 0; j < len; ++j) {
          if (j) out_.push_back(',');
          if (v[j] == 0) out_.push_back('N');
          else if (v[j] == 1) out_.push_back('Y');
          else {
            put_u(out_, v[j]);
            out_.push_back('?');
          }
        }
        return;
      case dw::ValueKind::Hex:
        return put_bytes(out_, v, ':', true);
      case dw::ValueKind::Special:
        return special(tag, v);
      case dw::ValueKind::Bytes:
        if (tag == dw::opt::kVendorSpecific && pxe_) {
          if (joined_.empty()) {
            out_ += "PXE";
            return put_suboptions(out_, v, false);
          }
          // Split option (RFC 3396): decode the joined value once, at the first instance.
          if (vendor_seen_++ > 0) {
            out_ += "PXE, continued";
            return;
          }
          out_ += "PXE, ";
          put_u(out_, vendor_instances_);
          out_ += " instances joined";
          return put_suboptions(out_, as_bytes(joined_), false);
        }
        [[fallthrough]];
      default:
        return put_bytes(out_, v, '.', false);
    }
  }

  void special(std::uint8_t tag, ByteSpan v) {
    std::size_t len = v.size();
    switch (tag) {
      case 46:    // Netbios-Node
      case dw::opt::kOverload: {
        if (len < 1) {
          out_ += "[ERROR: length < 1 bytes]";
          return;
        }
        std::string_view n;
        if (tag == 46) {
          switch (v[0]) {
            case 1: n = "b-node"; break;
            case 2: n = "p-node"; break;
            case 4: n = "m-node"; break;
            case 8: n = "h-node"; break;
          }
        } else if (v[0] >= 1 && v[0] <= 3) {
          static constexpr std::string_view kOo[] = {"", "file", "sname", "file+sname"};
          n = kOo[v[0]];
        }
        if (n.empty()) {
          out_.push_back('#');
          put_u(out_, v[0]);
        } else {
          out_ += n;
        }
        return trailing(len - 1);
      }
      case 81: {  // Client FQDN (RFC 4702)
        if (len < 3) {
          out_ += "[ERROR: length < 3 bytes]";
          return;
        }
        if (v[0] & 0xf0) {
          out_ += "[ERROR: MBZ nibble 0x";
          put_hex(out_, (v[0] & 0xf0) >> 4);
          out_ += " != 0] ";
        }
        if (v[0] & 0x0f) {
          out_.push_back('[');
          if (v[0] & 1) out_.push_back('S');
          if (v[0] & 2) out_.push_back('O');
          if (v[0] & 4) out_.push_back('E');
          if (v[0] & 8) out_.push_back('N');
          out_ += "] ";
        }
        if (v[1] || v[2]) {
          put_u(out_, v[1]);
          out_.push_back('/');
          put_u(out_, v[2]);
          out_.push_back(' ');
        }
        return put_quoted(out_, v.subspan(3));
      }
      case dw::opt::kClientId: {
        if (len < 1) {
          out_ += "[ERROR: length < 1 bytes]";
          return;
        }
        std::uint8_t type = v[0];
        ByteSpan rest = v.subspan(1);
        if (type == 0) return put_quoted(out_, rest);
        switch (type) {
          case 0x01: out_ += "ether"; break;
          case 0x06: out_ += "ieee802"; break;
          case 0x07: out_ += "arcnet"; break;
          case 0x0f: out_ += "frelay"; break;
          case 0x17: out_ += "strip"; break;
          case 0x18: out_ += "ieee1394"; break;
          default:
            out_ += "hardware-type ";
            put_u(out_, type);
            out_.push_back(',');
        }
        out_.push_back(' ');
        return put_bytes(out_, rest, ':', true);
      }
      case dw::opt::kRelayAgentInfo: {
        std::size_t j = 0;
        while (len - j >= 2) {
          std::uint8_t sub = v[j];
          std::size_t sl = v[j + 1];
          j += 2;
          std::string_view n = dw::agent_suboption_name(sub);
          out_ += kSubLine;
          out_ += n.empty() ? std::string_view("Unknown") : n;
          out_ += " SubOption ";
          put_u(out_, sub);
          out_ += ", length ";
          put_u(out_, sl);
          if (sl > len - j) {
            out_ += ": length goes past end of option";
            return;
          }
          out_ += ": ";
          if (!n.empty()) append_tcpdump_string(out_, v.subspan(j, sl));
          else put_hex_dump(out_, "\n\t\t", v.subspan(j, sl));
          j += sl;
        }
        return trailing(len - j);
      }
      case 121:
      case 249: {  // Classless static routes (RFC 3442)
        if (len < 5) {
          out_ += "[ERROR: length < 5 bytes]";
          return;
        }
        std::size_t j = 0;
        bool first = true;
        while (j < len) {
          if (!first) out_.push_back(',');
          first = false;
          unsigned width = v[j++];
          if (width > 32) {
            out_ += "[ERROR: Mask width (";
            put_u(out_, width);
            out_ += ") > 32]";
            return;
          }
          std::size_t sig = (width + 7) / 8;
          if (len - j < sig + 4) {
            out_ += "[ERROR: Remaining length (";
            put_u(out_, len - j);
            out_ += ") < ";
            put_u(out_, sig + 4);
            out_ += " bytes]";
            return;
          }
          out_.push_back('(');
          if (width == 0) {
            out_ += "default";
          } else {
            for (std::size_t q = 0; q < sig; ++q) {
              if (q) out_.push_back('.');
              put_u(out_, v[j + q]);
            }
            for (std::size_t q = sig; q < 4; ++q) out_ += ".0";
            out_.push_back('/');
            put_u(out_, width);
          }
          j += sig;
          out_.push_back(':');
          put_ip(out_, v.data() + j);
          out_.push_back(')');
          j += 4;
        }
        return;
      }
      case dw::opt::kUserClass: {
        if (!dw::is_rfc3004_user_class(v) || len < 2) {
          // iPXE sends the bare string "iPXE": show it as text rather than "invalid option".
          return put_quoted(out_, v);
        }
        std::size_t j = 0;
        unsigned n = 1;
        while (j < len) {
          std::size_t sl = v[j++];
          out_ += kSubLine;
          out_ += "instance#";
          put_u(out_, n++);
          out_ += ": ";
          put_quoted(out_, v.subspan(j, sl));
          out_ += ", length ";
          put_u(out_, sl);
          j += sl;
        }
        return;
      }
      case dw::opt::kClientArch: {
        std::size_t j = 0;
        for (; len - j >= 2; j += 2) {
          if (j) out_.push_back(',');
          std::uint16_t a = be16(v.data() + j);
          put_u(out_, a);
          std::string_view n = dw::client_arch_name(a);
          if (!n.empty()) {
            out_ += " (";
            out_ += n;
            out_.push_back(')');
          }
        }
        return trailing(len - j);
      }
      case dw::opt::kIpxeEncap:
        return put_suboptions(out_, v, true);
      default:
        return put_bytes(out_, v, '.', false);
    }
  }

  Sink& out_;
  bool pxe_;
  std::string_view joined_;  // option 43 joined over all instances, when split
  unsigned vendor_instances_;
  unsigned vendor_seen_ = 0;
  const CodeTexts& texts_ = code_texts();
};

// Prints up to `n` bytes of a fixed NUL-terminated field; false when no NUL was found.
bool put_fixed_string(Sink& out, ByteSpan p, std::size_t off, std::size_t n) {
  std::size_t have = p.size() - off < n ? p.size() - off : n;
  const std::uint8_t* s = p.data() + off;
  const void* nul = std::memchr(s, 0, have);
  std::size_t k = nul ? std::size_t(static_cast<const std::uint8_t*>(nul) - s) : have;
  append_tcpdump_string(out, ByteSpan(s, k));
  // Like tcpdump: a field filled to the end without a NUL counts as cut short (" [|bootp]").
  return nul != nullptr;
}

void cmu(Sink& out, ByteSpan p) {
  out += " vend-cmu";
  const std::size_t v = dw::kCookieOffset;
  if (p.size() < v + 8) {
    out += kTrunc;
    return;
  }
  std::uint8_t flags = p[v + 4];
  if (flags & ~1u) {
    out += " F:0x";
    put_hex(out, flags);
  }
  struct Field {
    std::size_t off;
    std::string_view name;
  };
  const Field fields[] = {{12, "DG"}, {8, (flags & 1) ? "SM" : "SM*"}, {16, "NS1"}, {20, "NS2"},
                          {24, "IEN1"}, {28, "IEN2"}, {32, "TS1"}, {36, "TS2"}};
  for (const Field& f : fields) {
    if (p.size() < v + f.off + 4) {
      out += kTrunc;
      return;
    }
    if (be32(p.data() + v + f.off) == 0) continue;
    out.push_back(' ');
    out += f.name;
    out.push_back(':');
    put_ip(out, p.data() + v + f.off);
  }
}

}  // namespace

void dhcp_text(ByteSpan p, std::string& out_str) {
  Sink out(out_str);
  const std::size_t n = p.size();
  if (n < 1) {
    out += kTrunc;
    return;
  }
  const std::uint8_t op = p[0];
  out += "BOOTP/DHCP, ";
  if (op == 1) out += "Request";
  else if (op == 2) out += "Reply";
  else {
    out += "unknown (0x";
    put_hex_byte(out, op);
    out.push_back(')');
  }
  if (n < 3) {
    out += kTrunc;
    return;
  }
  const std::uint8_t htype = p[1], hlen = p[2];
  const bool ether = htype == 1 && hlen == 6;
  if (ether && op == 1) {
    if (n < 34) {
      out += kTrunc;
      return;
    }
    out += " from ";
    put_mac(out, p.data() + 28);
  }
  out += ", length ";
  put_u(out, n);
  if (n < 10) {  // through secs
    out += kTrunc;
    return;
  }
  if (htype != 1) {
    out += ", htype ";
    put_u(out, htype);
  }
  if (!ether) {
    out += ", hlen ";
    put_u(out, hlen);
  }
  if (p[3]) {
    out += ", hops ";
    put_u(out, p[3]);
  }
  if (std::uint32_t xid = be32(p.data() + 4)) {
    out += ", xid 0x";
    put_hex(out, xid);
  }
  if (std::uint16_t secs = be16(p.data() + 8)) {
    out += ", secs ";
    put_u(out, secs);
  }
  if (n < 12) {
    out += kTrunc;
    return;
  }
  const std::uint16_t flags = be16(p.data() + 10);
  out += (flags & dw::kBroadcastFlag) ? ", Flags [Broadcast] (0x" : ", Flags [none] (0x";
  put_hex4(out, flags);
  out.push_back(')');

  static constexpr std::string_view kAddrNames[] = {"Client-IP ", "Your-IP ", "Server-IP ", "Gateway-IP "};
  for (std::size_t k = 0; k < 4; ++k) {
    std::size_t off = 12 + 4 * k;
    if (n < off + 4) {
      out += kTrunc;
      return;
    }
    if (be32(p.data() + off) == 0) continue;
    out += kDetail;
    out += kAddrNames[k];
    put_ip(out, p.data() + off);
  }
  if (ether) {
    if (n < 34) {
      out += kTrunc;
      return;
    }
    out += kDetail;
    out += "Client-Ethernet-Address ";
    put_mac(out, p.data() + 28);
  }
  struct Field {
    std::size_t off, size;
    std::string_view label;
  };
  for (const Field& f : {Field{dw::kSnameOffset, dw::kSnameSize, "sname \""},
                         Field{dw::kFileOffset, dw::kFileSize, "file \""}}) {
    if (n <= f.off) {
      out += kTrunc;
      return;
    }
    if (p[f.off] == 0) continue;
    out += kDetail;
    out += f.label;
    bool complete = put_fixed_string(out, p, f.off, f.size);
    out.push_back('"');
    if (!complete) {
      out += kTrunc;
      return;
    }
  }
  if (n < dw::kOptionsOffset) {
    out += kTrunc;
    return;
  }
  if (!dw::has_magic_cookie(p)) {
    if (std::memcmp(p.data() + dw::kCookieOffset, "CMU", 4) == 0) return cmu(out, p);
    if (std::uint32_t v = be32(p.data() + dw::kCookieOffset)) {
      out += kDetail;
      out += "Vendor-#0x";
      put_hex(out, v);
    }
    return;
  }
  out += kDetail;
  out += "Vendor-rfc1048 Extensions";
  out += kOptionLine;
  out += "Magic Cookie 0x63825363";
  ByteSpan opts = p.subspan(dw::kOptionsOffset);
  PreScan ps;
  prescan_area(opts, ps, true);
  if (ps.overload >= 1 && ps.overload <= 3) {
    if (ps.overload & 1) prescan_area(p.subspan(dw::kFileOffset, dw::kFileSize), ps, false);
    if (ps.overload & 2) prescan_area(p.subspan(dw::kSnameOffset, dw::kSnameSize), ps, false);
  }
  std::string joined;  // only filled for a split PXE option 43 (rare)
  if (ps.pxe && ps.vendor_instances > 1) join_vendor(p, ps, joined);
  OptionPrinter op_printer(out, ps.pxe, joined, ps.vendor_instances);
  std::uint8_t overload = 0;
  if (!op_printer.area(opts, &overload)) return;
  if (overload > 3) return;  // not a valid option 52 value: file/sname are not option space
  // RFC 2132 §9.3: options continue in file and/or sname. tcpdump stops at End; we go on.
  if (overload & 1) {
    out += kDetail;
    out += "Options in file field (overload)";
    op_printer.area(p.subspan(dw::kFileOffset, dw::kFileSize), nullptr);
  }
  if (overload & 2) {
    out += kDetail;
    out += "Options in sname field (overload)";
    op_printer.area(p.subspan(dw::kSnameOffset, dw::kSnameSize), nullptr);
  }
}

}  // namespace pxe::print
