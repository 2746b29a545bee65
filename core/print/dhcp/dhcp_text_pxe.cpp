// Our additions to tcpdump's BOOTP text: PXE option 43 sub-options (PXE 2.1 §2.4) and iPXE's
// encapsulated option 175, one line per sub-option in the style of tcpdump's option 82 lines.
#include "print/dhcp/dhcp_text_out.h"
#include "wire/dhcp/pxe_options.h"

namespace pxe::print::dhcp_text_detail {

// ---- our additions ----

static void put_pxe_suboption_value(Sink& out, std::uint8_t code, ByteSpan d) {
  using namespace dw::pxe_sub;
  switch (code) {
    case kMtftpIp:
    case kDiscoveryMcastAddr:
      if (d.size() == 4) return put_ip(out, d.data());
      break;
    case kMtftpClientPort:
    case kMtftpServerPort:
      if (d.size() == 2) return put_u(out, be16(d.data()));
      break;
    case kMtftpTimeout:
    case kMtftpDelay:
      if (d.size() == 1) return put_u(out, d[0]);
      break;
    case kDiscoveryControl:
      if (d.size() == 1) {
        out += "0x";
        put_hex_byte(out, d[0]);
        static constexpr std::string_view kBits[] = {"no-broadcast", "no-multicast", "only-listed-servers",
                                                     "use-bootfile"};
        bool any = false;
        for (int b = 0; b < 4; ++b) {
          if (!(d[0] & (1 << b))) continue;
          out += any ? ", " : " [";
          out += kBits[b];
          any = true;
        }
        if (any) out.push_back(']');
        return;
      }
      break;
    case kBootServers: {
      // {type u16, count u8, IPv4 x count} ...
      std::size_t i = 0;
      bool first = true;
      while (d.size() - i >= 3) {
        std::uint16_t type = be16(d.data() + i);
        std::size_t n = d[i + 2];
        if (d.size() - i - 3 < n * 4) break;
        if (!first) out += "; ";
        first = false;
        out += "type ";
        put_u(out, type);
        if (n == 0) out += " any";
        for (std::size_t k = 0; k < n; ++k) {
          out += k ? "," : " ";
          put_ip(out, d.data() + i + 3 + 4 * k);
        }
        i += 3 + 4 * n;
      }
      if (i != d.size()) {
        out += first ? "" : " ";
        out += "[malformed]";
      }
      return;
    }
    case kBootMenu: {
      // {type u16, len u8, description} ...
      std::size_t i = 0;
      bool first = true;
      while (d.size() - i >= 3) {
        std::size_t n = d[i + 2];
        if (d.size() - i - 3 < n) break;
        if (!first) out += ", ";
        first = false;
        out += "type ";
        put_u(out, be16(d.data() + i));
        out.push_back(' ');
        put_quoted(out, d.subspan(i + 3, n));
        i += 3 + n;
      }
      if (i != d.size()) {
        out += first ? "" : " ";
        out += "[malformed]";
      }
      return;
    }
    case kMenuPrompt:
      if (d.size() >= 1) {
        out += "timeout ";
        put_u(out, d[0]);
        out.push_back(' ');
        put_quoted(out, d.subspan(1));
        return;
      }
      break;
    case kBootItem:
      if (d.size() == 4) {
        out += "type ";
        put_u(out, be16(d.data()));
        out += ", layer ";
        std::uint16_t layer = be16(d.data() + 2);
        put_u(out, layer & 0x7fff);
        if (layer & 0x8000) out += " [credentials]";
        return;
      }
      break;
    default:
      return put_bytes(out, d, ':', true);
  }
  out += "[malformed] ";
  put_bytes(out, d, ':', true);
}

// Sub-option lines: "\n\t      <Name> SubOption <code>, length <n>: <value>".
void put_suboptions(Sink& out, ByteSpan v, bool ipxe) {
  dw::TlvCursor cur(v);
  dw::Tlv t;
  for (;;) {
    dw::TlvStep s = cur.next(t);
    if (s == dw::TlvStep::Pad) continue;
    if (s == dw::TlvStep::Done) return;
    out += kSubLine;
    std::string_view name = s == dw::TlvStep::End ? std::string_view("End")
                            : ipxe                ? dw::ipxe_suboption_name(t.code)
                                                  : dw::pxe_suboption_name(t.code);
    out += name.empty() ? std::string_view("Unknown") : name;
    out += " SubOption ";
    put_u(out, t.code);
    if (s == dw::TlvStep::End) return;  // "End SubOption 255"
    out += ", length ";
    put_u(out, t.length);
    if (s == dw::TlvStep::Truncated) {
      out += ": length goes past end of option";
      return;
    }
    out += ": ";
    if (!ipxe) {
      put_pxe_suboption_value(out, t.code, t.data);
    } else if (t.code >= 0x10 && t.code <= 0x7f && !t.data.empty()) {
      // Feature indicators carry a version byte.
      out += "version ";
      put_bytes(out, t.data, '.', false);
    } else if (t.code == 0xeb) {  // iPXE version: major.minor.patch
      put_bytes(out, t.data, '.', false);
    } else if (t.code == 0xbe || t.code == 0xbf || t.code == 0xc0 || t.code == 0xc1) {
      put_quoted(out, t.data);
    } else if (t.code == 0x01 && t.data.size() == 1) {
      put_i(out, std::int8_t(t.data[0]));
    } else {
      put_bytes(out, t.data, ':', true);
    }
  }
}

}  // namespace pxe::print::dhcp_text_detail
