#include "replay/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "base/json_writer.h"
#include "base/text.h"
#include "wire/dhcp/dhcp.h"
#include "wire/tftp/tftp.h"

namespace pxe::replay {

namespace {

namespace dhcp = wire::dhcp;
namespace tftp = wire::tftp;

std::string quoted(std::string_view s) { return fmt::format("\"{}\"", log_safe(s)); }

void add(Comparison& out, const Conversation& c, std::size_t index, std::string field, std::string recorded,
         std::string replayed, bool note) {
  out.differences.push_back(
      Difference{index, c.label(), std::move(field), std::move(recorded), std::move(replayed), note});
}

// ----------------------------------------------------------------------------------- DHCP ---

std::string type_name(std::optional<dhcp::MessageType> t) {
  if (!t) return "BOOTP (no type)";
  auto n = dhcp::message_type_name(std::uint8_t(*t));
  return n.empty() ? fmt::format("type {}", std::uint8_t(*t)) : std::string(n);
}

std::string bootfile_of(const dhcp::Message& m) {
  auto b = m.bootfile();
  if (!b) return {};
  std::string s = *b;
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

std::string option43_of(const dhcp::Message& m) {
  auto v = m.option(43);
  if (!v) return "(none)";
  return describe_pxe_options(*v);
}

struct TypedAnswers {
  std::optional<dhcp::MessageType> type;
  std::vector<dhcp::Message> messages;
};

std::vector<TypedAnswers> by_type(const std::vector<Datagram>& answers) {
  std::vector<TypedAnswers> out;
  for (const auto& a : answers) {
    auto m = dhcp::parse(a.payload);
    if (!m) continue;
    auto t = m->message_type();
    auto it = std::find_if(out.begin(), out.end(), [&](const TypedAnswers& x) { return x.type == t; });
    if (it == out.end()) {
      out.push_back(TypedAnswers{t, {}});
      it = out.end() - 1;
    }
    it->messages.push_back(std::move(*m));
  }
  return out;
}

void compare_dhcp(const Conversation& c, std::size_t index, const std::vector<Datagram>& replayed,
                  const CompareOptions& o, Comparison& out) {
  auto rec = by_type(c.answers), rep = by_type(replayed);
  auto find = [](std::vector<TypedAnswers>& v, std::optional<dhcp::MessageType> t) -> TypedAnswers* {
    for (auto& x : v)
      if (x.type == t) return &x;
    return nullptr;
  };
  for (auto& r : rec) {
    TypedAnswers* n = find(rep, r.type);
    if (!n) {
      add(out, c, index, "message type", type_name(r.type), "no " + type_name(r.type), false);
      continue;
    }
    if (r.messages.size() != n->messages.size())
      add(out, c, index, "answer count", fmt::format("{} x {}", r.messages.size(), type_name(r.type)),
          fmt::format("{} x {}", n->messages.size(), type_name(r.type)), !o.strict);
    const dhcp::Message& a = r.messages.front();
    const dhcp::Message& b = n->messages.front();
    const std::string what = type_name(r.type) + " ";
    if (a.yiaddr != b.yiaddr) add(out, c, index, what + "yiaddr", a.yiaddr.str(), b.yiaddr.str(), !o.strict);
    if (a.siaddr != b.siaddr) add(out, c, index, what + "siaddr", a.siaddr.str(), b.siaddr.str(), false);
    if (auto fa = bootfile_of(a), fb = bootfile_of(b); fa != fb)
      add(out, c, index, what + "boot file", fa.empty() ? "(none)" : quoted(fa), fb.empty() ? "(none)" : quoted(fb),
          false);
    auto server_name = [](const dhcp::Message& m) {
      auto t = m.tftp_server_name();
      std::string v = t ? *t : std::string();
      while (!v.empty() && v.back() == '\0') v.pop_back();
      return v;
    };
    if (auto ta = server_name(a), tb = server_name(b); ta != tb)
      add(out, c, index, what + "TFTP server name", ta.empty() ? "(none)" : quoted(ta), tb.empty() ? "(none)" : quoted(tb),
          false);
    if (auto pa = option43_of(a), pb = option43_of(b); pa != pb)
      add(out, c, index, what + "option 43", pa, pb, false);
  }
  for (auto& n : rep)
    if (!find(rec, n.type))
      add(out, c, index, "message type", "no " + type_name(n.type), type_name(n.type), false);
}

// ----------------------------------------------------------------------------------- TFTP ---

struct TftpSummary {
  std::string opcodes;              // runs collapsed: "OACK DATA"
  std::optional<std::uint16_t> error_code;
  std::string error_text;
  std::optional<std::vector<tftp::Option>> oack;
  std::vector<Bytes> blocks;        // DATA payloads in block order (each block once)
  std::size_t bytes = 0;
};

// A host with nothing on the port answers ICMP port unreachable; the in-process server, which has
// no ICMP, answers TFTP ERROR 5 from that same port. Both read "port unreachable".
bool only_closed_port_errors(const std::vector<Datagram>& answers) {
  if (answers.empty()) return false;
  for (const auto& a : answers) {
    auto p = tftp::parse(a.payload);
    auto* e = p ? std::get_if<tftp::ErrorPacket>(&*p) : nullptr;
    if (!e || e->code != std::uint16_t(tftp::ErrorCode::UnknownTid) || a.src_port != tftp::kPort) return false;
  }
  return true;
}

TftpSummary summarize(const std::vector<Datagram>& answers, unsigned port_unreachable = 0) {
  TftpSummary s;
  if ((answers.empty() && port_unreachable > 0) || only_closed_port_errors(answers)) {
    s.opcodes = "port unreachable";
    return s;
  }
  std::string last;
  std::uint16_t next_block = 1;
  for (const auto& a : answers) {
    auto p = tftp::parse(a.payload);
    std::string name;
    if (!p) {
      name = "malformed";
    } else {
      name = std::string(tftp::opcode_name(std::uint16_t(tftp::opcode_of(*p))));
      if (auto* d = std::get_if<tftp::Data>(&*p)) {
        if (d->block == next_block) {  // each block once, in order (retransmissions skipped)
          s.blocks.emplace_back(d->payload.begin(), d->payload.end());
          s.bytes += d->payload.size();
          ++next_block;
        }
      } else if (auto* e = std::get_if<tftp::ErrorPacket>(&*p)) {
        if (!s.error_code) {
          s.error_code = e->code;
          s.error_text = e->message;
        }
      } else if (auto* k = std::get_if<tftp::Oack>(&*p)) {
        if (!s.oack) s.oack = k->options;
      }
    }
    if (name != last) {
      if (!s.opcodes.empty()) s.opcodes += ' ';
      s.opcodes += name;
      last = name;
    }
  }
  if (s.opcodes.empty()) s.opcodes = "(no answer)";
  return s;
}

std::string options_text(const std::optional<std::vector<tftp::Option>>& opts) {
  if (!opts) return "(no OACK)";
  std::vector<std::string> parts;
  for (const auto& o : *opts) {
    std::string n = o.name;
    for (auto& ch : n) ch = ascii_lower(ch);
    parts.push_back(n + "=" + o.value);
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out.empty() ? "(empty OACK)" : out;
}

std::string data_text(const TftpSummary& s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const auto& b : s.blocks) h = fnv1a64(b, h);
  return fmt::format("{} bytes in {} blocks, fnv1a64 {:016x}", s.bytes, s.blocks.size(), h);
}

void compare_tftp(const Conversation& c, std::size_t index, const std::vector<Datagram>& replayed,
                  const CompareOptions& o, Comparison& out) {
  TftpSummary a = summarize(c.answers, c.port_unreachable), b = summarize(replayed);
  // No answer and "port unreachable" both leave the client to time out (iPXE ignores ICMP).
  auto silent = [](const std::string& ops) { return ops == "(no answer)" || ops == "port unreachable"; };
  if (a.opcodes != b.opcodes)
    add(out, c, index, "TFTP opcodes", a.opcodes, b.opcodes, !o.strict && silent(a.opcodes) && silent(b.opcodes));
  if (a.error_code != b.error_code) {
    auto code = [](const TftpSummary& s) {
      return s.error_code ? fmt::format("ERROR {} {}", *s.error_code, quoted(s.error_text)) : std::string("no ERROR");
    };
    add(out, c, index, "TFTP error code", code(a), code(b), false);
  } else if (a.error_code && a.error_text != b.error_text) {
    add(out, c, index, "TFTP error text", quoted(a.error_text), quoted(b.error_text), !o.strict);
  }
  if (auto oa = options_text(a.oack), ob = options_text(b.oack); a.oack && b.oack && oa != ob)
    add(out, c, index, "TFTP OACK options", oa, ob, !o.strict);
  bool same = a.blocks.size() == b.blocks.size();
  std::size_t first = 0;
  for (; first < std::min(a.blocks.size(), b.blocks.size()); ++first)
    if (a.blocks[first] != b.blocks[first]) {
      same = false;
      break;
    }
  if (!same) {
    std::string where = fmt::format(" (first difference in block {})", first + 1);
    add(out, c, index, "TFTP data", data_text(a) + where, data_text(b), false);
  }
}

void json_diff(JsonWriter& w, const Difference& d) {
  w.begin_object();
  w.field("conversation", std::uint64_t(d.conversation));
  w.field("label", d.label);
  w.field("field", d.field);
  w.field("recorded", d.recorded);
  w.field("replayed", d.replayed);
  w.field("note", d.note);
  w.end_object();
}

}  // namespace

std::uint64_t fnv1a64(ByteSpan data, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (auto b : data) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string describe_pxe_options(ByteSpan option43) {
  auto p = dhcp::decode_pxe_options(option43);
  if (!p) return "undecodable: " + hex(option43);
  std::vector<std::string> parts;
  if (p->discovery_control) parts.push_back(fmt::format("discovery control {}", *p->discovery_control));
  for (const auto& s : p->boot_servers) {
    std::string ips;
    for (auto ip : s.addresses) ips += (ips.empty() ? "" : ",") + ip.str();
    parts.push_back(fmt::format("boot server {} [{}]", s.type, ips));
  }
  for (const auto& m : p->boot_menu) parts.push_back(fmt::format("menu {} {}", m.type, quoted(m.description)));
  if (p->menu_prompt) parts.push_back(fmt::format("prompt {} {}", p->menu_prompt->timeout, quoted(p->menu_prompt->prompt)));
  if (p->boot_item) parts.push_back(fmt::format("boot item {}:{}", p->boot_item->type, p->boot_item->layer));
  if (p->mtftp_ip) parts.push_back("mtftp " + p->mtftp_ip->str());
  if (p->discovery_mcast_addr) parts.push_back("multicast discovery " + p->discovery_mcast_addr->str());
  for (const auto& o : p->other) parts.push_back(fmt::format("sub-option {} {}", o.code, hex(o.data)));
  std::string out;
  for (const auto& s : parts) out += (out.empty() ? "" : "; ") + s;
  return out.empty() ? "(empty)" : out;
}

bool Comparison::matches() const { return failures() == 0; }

std::size_t Comparison::failures() const {
  return std::size_t(std::count_if(differences.begin(), differences.end(), [](const Difference& d) { return !d.note; }));
}

void compare_conversation(const Conversation& c, std::size_t index, const std::vector<Datagram>& replayed,
                          const CompareOptions& options, Comparison& out) {
  ++out.conversations;
  out.recorded_answers += c.answers.size();
  out.replayed_answers += replayed.size();
  if (c.kind == ConversationKind::Tftp) compare_tftp(c, index, replayed, options, out);
  else compare_dhcp(c, index, replayed, options, out);
}

Comparison compare(const Script& script, const std::vector<std::vector<Datagram>>& replayed,
                   const CompareOptions& options) {
  Comparison out;
  static const std::vector<Datagram> kNone;
  for (std::size_t i = 0; i < script.conversations.size(); ++i)
    compare_conversation(script.conversations[i], i, i < replayed.size() ? replayed[i] : kNone, options, out);
  return out;
}

std::string to_text(const Comparison& c) {
  std::string out;
  for (const auto& d : c.differences)
    out += fmt::format("{}{}: {}: recorded {}, replayed {}\n", d.note ? "note: " : "", d.label, d.field, d.recorded,
                       d.replayed);
  const std::size_t notes = c.differences.size() - c.failures();
  if (c.matches())
    out += fmt::format("match: {} conversations, {} recorded answers, {} replayed answers{}\n", c.conversations,
                       c.recorded_answers, c.replayed_answers,
                       notes ? fmt::format(" ({} note{})", notes, notes == 1 ? "" : "s") : "");
  else
    out += fmt::format("differ: {} difference{} in {} conversations ({} recorded answers, {} replayed answers)\n",
                       c.failures(), c.failures() == 1 ? "" : "s", c.conversations, c.recorded_answers,
                       c.replayed_answers);
  return out;
}

std::string to_json(const Comparison& c) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("match", c.matches());
  w.field("conversations", std::uint64_t(c.conversations));
  w.field("recorded_answers", std::uint64_t(c.recorded_answers));
  w.field("replayed_answers", std::uint64_t(c.replayed_answers));
  w.field("failures", std::uint64_t(c.failures()));
  w.key("differences").begin_array();
  for (const auto& d : c.differences) json_diff(w, d);
  w.end_array();
  w.end_object();
  out += '\n';
  return out;
}

}  // namespace pxe::replay
