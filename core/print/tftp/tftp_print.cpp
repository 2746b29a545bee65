#include "print/tftp/tftp_print.h"

#include <algorithm>

#include "print/text_out.h"
#include "wire/tftp/tftp.h"

namespace pxe::print {

namespace tftp = wire::tftp;

namespace {

// tcpdump's names for RFC 1350 codes; code 8 (RFC 2347) is one tcpdump does not name.
std::string_view error_name(std::uint16_t code) {
  static constexpr std::string_view kNames[] = {"EUNDEF",  "ENOTFOUND", "EACCESS",
                                                "ENOSPACE", "EBADOP",   "EBADID",
                                                "EEXISTS", "ENOUSER",  "EOPTNEG"};
  return code < std::size(kNames) ? kNames[code] : std::string_view();
}

void append_z(std::string& out, ByteSpan s) { append_tcpdump_string(out, s); }

// Prints NUL-separated strings as tcpdump does for the request/options area, stopping with the
// truncation mark when a string has no terminator.
void append_strings(std::string& out, ByteSpan rest, bool quote_first) {
  std::size_t pos = 0;
  int index = 0;
  while (pos < rest.size()) {
    auto begin = rest.begin() + static_cast<std::ptrdiff_t>(pos);
    auto nul = std::find(begin, rest.end(), std::uint8_t{0});
    ByteSpan s = rest.subspan(pos, std::size_t(nul - begin));
    out.push_back(' ');
    bool quoted = quote_first && index == 0;
    if (quoted) out.push_back('"');
    append_z(out, s);
    if (nul == rest.end()) {
      if (quoted) out.push_back('"');
      out += " [|tftp]";
      return;
    }
    if (quoted) out.push_back('"');
    pos += s.size() + 1;
    ++index;
  }
}

}  // namespace

void tftp_text(ByteSpan p, std::string& out) {
  append(out, "TFTP, length {}", p.size());
  if (p.size() < 2) {
    out += " [|tftp]";
    return;
  }
  std::uint16_t op = std::uint16_t(p[0] << 8 | p[1]);
  std::string_view name = tftp::opcode_name(op);
  if (name.empty()) {
    append(out, ", tftp-#{}", op);
    return;
  }
  append(out, ", {}", name);
  ByteSpan body = p.subspan(2);
  switch (op) {
    case 1:
    case 2:
      if (body.empty()) {
        out += " [|tftp]";
        return;
      }
      append_strings(out, body, true);
      return;
    case 6:
      append_strings(out, body, false);
      return;
    case 3:
    case 4:
      if (body.size() < 2) {
        out += " [|tftp]";
        return;
      }
      append(out, " block {}", body[0] << 8 | body[1]);
      return;
    case 5: {
      if (body.size() < 2) {
        out += " [|tftp]";
        return;
      }
      std::uint16_t code = std::uint16_t(body[0] << 8 | body[1]);
      std::string_view ename = error_name(code);
      if (ename.empty())
        append(out, " tftp-err-#{}", code);
      else
        append(out, " {}", ename);
      ByteSpan msg = body.subspan(2);
      auto nul = std::find(msg.begin(), msg.end(), std::uint8_t{0});
      out += " \"";
      append_z(out, msg.subspan(0, std::size_t(nul - msg.begin())));
      out.push_back('"');
      if (nul == msg.end()) out += " [|tftp]";
      return;
    }
    default:
      return;
  }
}

void tftp_json(ByteSpan p, JsonWriter& w) {
  w.begin_object();
  auto parsed = tftp::parse(p);
  if (!parsed) {
    if (p.size() >= 2) {
      std::uint16_t op = std::uint16_t(p[0] << 8 | p[1]);
      std::string_view name = tftp::opcode_name(op);
      if (name.empty())
        w.field("opcode", unsigned(op));
      else
        w.field("opcode", name);
    }
    w.field("error", parsed.error().what);
    w.end_object();
    return;
  }
  const tftp::Packet& pkt = *parsed;
  w.field("opcode", tftp::opcode_name(static_cast<std::uint16_t>(tftp::opcode_of(pkt))));
  auto write_opts = [&w](const std::vector<tftp::Option>& opts) {
    w.key("options").begin_object();
    for (const auto& o : opts) w.field(o.name, o.value);
    w.end_object();
  };
  if (auto* req = std::get_if<tftp::Request>(&pkt)) {
    w.field("file", req->filename);
    w.field("mode", req->mode);
    write_opts(req->options);
  } else if (auto* d = std::get_if<tftp::Data>(&pkt)) {
    w.field("block", unsigned(d->block));
    w.field("length", std::uint64_t(d->payload.size()));
  } else if (auto* a = std::get_if<tftp::Ack>(&pkt)) {
    w.field("block", unsigned(a->block));
  } else if (auto* e = std::get_if<tftp::ErrorPacket>(&pkt)) {
    w.field("error_code", unsigned(e->code));
    w.field("error_message", e->message);
  } else if (auto* o = std::get_if<tftp::Oack>(&pkt)) {
    write_opts(o->options);
  }
  w.end_object();
}

}  // namespace pxe::print
