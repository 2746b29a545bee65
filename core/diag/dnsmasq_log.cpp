#include "diag/dnsmasq_log.h"

#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <string_view>

#include "base/text.h"
#include "diag/dnsmasq_log_line.h"

namespace pxe::diag {
namespace {

using logline::consume;
using logline::next_token;

constexpr std::uint64_t kNoXid = std::uint64_t(1) << 32;  // lines without a transaction number
constexpr std::size_t kMaxProblems = 20;
const Ipv4 kBroadcast(255, 255, 255, 255);

struct DhcpType {
  std::string_view name;
  std::uint8_t msg_type;
  bool from_client;
};

// dnsmasq names the message in its own log line; PXE lines are handled on their own.
constexpr DhcpType kDhcpTypes[] = {
    {"DHCPDISCOVER", 1, true}, {"DHCPOFFER", 2, false},  {"DHCPREQUEST", 3, true},
    {"DHCPDECLINE", 4, true},  {"DHCPACK", 5, false},    {"DHCPNAK", 6, false},
    {"DHCPRELEASE", 7, true},  {"DHCPINFORM", 8, true},  {"BOOTP", 0, false},
};

class Reader {
 public:
  explicit Reader(const DnsmasqLogOptions& options) : options_(options) {
    year_ = options.year ? options.year : logline::current_year();
  }

  void line(std::string_view text, std::uint64_t number, std::size_t offset);
  EventList take();
  std::uint64_t dnsmasq_lines() const { return dnsmasq_lines_; }
  bool tftp_enabled() const { return tftp_enabled_; }

 private:
  // Each handler returns false when the line was relevant but malformed.
  bool packet_line(std::string_view type, std::string_view rest, Event base, std::uint64_t key);
  bool pxe_line(std::string_view rest, Event base, std::uint64_t key);
  bool detail_line(std::string_view msg, std::uint64_t key, bool* handled);
  bool sent_option(std::string_view text, Event& reply);
  bool tftp_line(std::string_view msg, Event base, bool* handled);

  Event& push(Event e, std::uint64_t key);
  Text keep(std::string_view s) { return list_.text->keep(s); }
  void tftp_peer(Event& e, Ipv4 client);
  void malformed(std::uint64_t number, std::size_t offset, std::string_view why,
                 std::string_view text);

  const DnsmasqLogOptions& options_;
  int year_ = 0;
  int last_month_ = 0;
  std::uint64_t dnsmasq_lines_ = 0;
  EventList list_;
  std::map<std::uint64_t, Event> pending_client_;   // details before the client's message
  std::map<std::uint64_t, std::size_t> last_reply_; // the reply later details belong to
  std::map<Ipv4, std::size_t> reply_for_ip_;        // the last reply giving or confirming it
  std::optional<std::size_t> any_reply_;             // the last reply of this log
  std::vector<std::pair<std::size_t, std::size_t>> boot_requests_;  // 4011 request, its ACK
  std::map<Ipv4, std::size_t> open_client_error_;   // "error N received" awaiting its file
  std::optional<std::size_t> open_server_error_;     // "cannot access/read" awaiting its client
  Ipv4 last_tftp_client_;
  bool tftp_enabled_ = false;
};

void Reader::line(std::string_view text, std::uint64_t number, std::size_t offset) {
  std::string_view rest = text;
  std::optional<Timestamp> time = logline::parse_time(rest, year_, last_month_);
  std::string_view msg;
  if (!logline::strip_tag(rest, &msg)) return;
  ++dnsmasq_lines_;

  Event base;
  base.frame = number;
  base.time = time ? *time : Timestamp{static_cast<std::int64_t>(number)};

  msg = trim(msg);
  std::uint64_t key = kNoXid;
  if (auto xid = logline::leading_xid(msg)) {
    base.xid = *xid;
    key = *xid;
  }

  bool handled = false;
  bool ok = true;
  auto paren = msg.find('(');
  auto space = msg.find(' ');
  if (paren != std::string_view::npos && paren < space) {
    std::string_view type = msg.substr(0, paren);
    std::string_view after = msg.substr(paren + 1);
    if (type == "PXE") {
      handled = true;
      ok = pxe_line(after, base, key);
    } else {
      for (const auto& t : kDhcpTypes)
        if (t.name == type) handled = true;
      if (handled) ok = packet_line(type, after, base, key);
    }
  }
  if (!handled) ok = detail_line(msg, key, &handled);
  if (!handled) ok = tftp_line(msg, base, &handled);
  if (!ok) malformed(number, offset, "unexpected form of a dnsmasq line", text);
}

Event& Reader::push(Event e, std::uint64_t key) {
  if (e.kind == EventKind::DhcpFromClient) {
    auto it = pending_client_.find(key);
    if (it != pending_client_.end()) {
      if (e.vendor_class.empty()) e.vendor_class = std::move(it->second.vendor_class);
      if (e.user_class.empty()) e.user_class = std::move(it->second.user_class);
      if (e.hostname.empty()) e.hostname = std::move(it->second.hostname);
      pending_client_.erase(it);
    }
    // Option 93 is not logged, but a PXE client repeats its architecture in its vendor class.
    constexpr std::string_view kArch = "PXEClient:Arch:";
    if (e.arch.empty() && e.vendor_class.starts_with(kArch) && e.vendor_class.size() >= kArch.size() + 5) {
      unsigned arch = 0;
      const char* first = e.vendor_class.data() + kArch.size();
      auto [end, ec] = std::from_chars(first, first + 5, arch);
      if (ec == std::errc() && end == first + 5 && arch <= 0xffff) e.arch = {static_cast<std::uint16_t>(arch)};
    }
  }
  if (e.kind == EventKind::DhcpFromServer) last_reply_[key] = any_reply_.emplace(list_.events.size());
  list_.events.push_back(std::move(e));
  return list_.events.back();
}

// `(iface) [IP ]MAC[ note]` after `TYPE(`.
bool Reader::packet_line(std::string_view type, std::string_view rest, Event base,
                         std::uint64_t key) {
  auto close = rest.find(')');
  if (close == std::string_view::npos) return false;
  rest = rest.substr(close + 1);
  std::string_view first = next_token(rest);
  std::optional<Ipv4> ip = Ipv4::parse(first);
  std::string_view mac_text = ip ? next_token(rest) : first;
  std::optional<Mac> mac = Mac::parse(mac_text);
  if (!mac) return false;
  std::string note(trim(rest));

  const DhcpType* t = nullptr;
  for (const auto& d : kDhcpTypes)
    if (d.name == type) t = &d;
  Event e = std::move(base);
  e.kind = t->from_client ? EventKind::DhcpFromClient : EventKind::DhcpFromServer;
  e.from_client = t->from_client;
  e.msg_type = t->msg_type;
  e.client_mac = *mac;
  e.sport = t->from_client ? 68 : 67;
  e.dport = t->from_client ? 67 : 68;
  Ipv4 addr = ip ? *ip : Ipv4{};
  switch (t->msg_type) {
    case 3: case 4: e.requested_ip = addr; e.error_message = keep(note); break;
    case 7: case 8: e.ciaddr = addr; e.src = addr; e.error_message = keep(note); break;
    case 6: e.requested_ip = addr; e.error_message = keep(note); break;
    case 5: e.yiaddr = addr; e.hostname = keep(note); break;
    case 1: e.error_message = keep(note); break;
    default: e.yiaddr = addr; break;  // OFFER, BOOTP
  }
  if (e.from_client && e.src.is_zero()) e.dst = kBroadcast;
  Ipv4 given = e.kind == EventKind::DhcpFromServer ? e.yiaddr : Ipv4{};
  push(std::move(e), key);
  if (!given.is_zero()) reply_for_ip_[given] = list_.events.size() - 1;
  return true;
}

// dnsmasq logs one PXE line per answered request: `(iface) MAC proxy` for a proxyDHCP offer
// to a DISCOVER, `(iface) IP MAC FILE` for a boot server (port 4011) ACK to a REQUEST. Both
// the request and the answer become events, so a proxy's log alone tells the whole exchange.
bool Reader::pxe_line(std::string_view rest, Event base, std::uint64_t key) {
  auto close = rest.find(')');
  if (close == std::string_view::npos) return false;
  rest = rest.substr(close + 1);
  std::string_view first = next_token(rest);
  std::optional<Ipv4> ip = Ipv4::parse(first);
  std::optional<Mac> mac = Mac::parse(ip ? next_token(rest) : first);
  if (!mac) return false;
  std::string_view note = trim(rest);

  Event request = base;
  request.kind = EventKind::DhcpFromClient;
  request.from_client = true;
  request.client_mac = *mac;
  request.sport = 68;
  Event reply = std::move(base);
  reply.kind = EventKind::DhcpFromServer;
  reply.client_mac = *mac;
  reply.has_pxe_options = true;
  reply.dport = 68;
  if (ip) {  // boot server: the client already has its address
    request.msg_type = 3;
    request.ciaddr = request.src = *ip;
    request.dport = 4011;
    request.pxe_boot_item = true;
    reply.msg_type = 5;
    reply.ciaddr = reply.dst = *ip;
    reply.sport = 4011;
    reply.pxe_boot_item = true;
    if (!note.starts_with("PXEClient")) reply.bootfile = keep(note);
  } else {  // proxyDHCP: an offer without an address ("proxy-ignored": no answer was sent)
    request.msg_type = 1;
    request.dst = kBroadcast;
    request.dport = 67;
    reply.msg_type = 2;
    reply.sport = 67;
  }
  bool answered = note != "proxy-ignored";
  push(std::move(request), key);
  if (!answered) return true;
  push(std::move(reply), key);
  if (ip) {
    reply_for_ip_[*ip] = list_.events.size() - 1;
    boot_requests_.emplace_back(list_.events.size() - 2, list_.events.size() - 1);
  }
  return true;
}

// `--log-dhcp` detail lines; *handled is false when msg is none of them.
bool Reader::detail_line(std::string_view msg, std::uint64_t key, bool* handled) {
  *handled = true;
  std::string_view value = msg;
  if (consume(value, "vendor class: ")) {
    pending_client_[key].vendor_class = keep(trim(value));
    return true;
  }
  if (consume(value, "user class: ")) {
    pending_client_[key].user_class = keep(trim(value));
    return true;
  }
  if (consume(value, "client provides name: ")) {
    pending_client_[key].hostname = keep(trim(value));
    return true;
  }
  bool next_server = consume(value, "next server: ");
  bool bootfile = !next_server && consume(value, "bootfile name: ");
  bool sname = !next_server && !bootfile && consume(value, "server name: ");
  bool sent = !next_server && !bootfile && !sname && consume(value, "sent size:");
  if (!next_server && !bootfile && !sname && !sent) {
    *handled = false;
    return true;
  }
  auto it = last_reply_.find(key);
  if (it == last_reply_.end()) return true;  // a detail of a reply we did not see: nothing to add
  Event& reply = list_.events[it->second];
  value = trim(value);
  if (next_server) {
    auto ip = Ipv4::parse(value);
    if (!ip) return false;
    reply.siaddr = *ip;
    if (reply.src.is_zero()) reply.src = *ip;
    return true;
  }
  if (bootfile) reply.bootfile = keep(value);
  if (sname) reply.tftp_server = keep(value);
  if (sent && value.ends_with("message-type  5") && reply.msg_type == 2 && reply.sport == 67 &&
      reply.yiaddr.is_zero() && it->second > 0) {
    // "PXE(if) MAC proxy" answered with an ACK: that was the client's port-4011 request (EDK2
    // asks the proxy there), answered without a boot file (no service for its architecture).
    Event& request = list_.events[it->second - 1];
    reply.msg_type = 5;
    reply.sport = 4011;
    if (request.kind == EventKind::DhcpFromClient && request.client_mac == reply.client_mac) {
      request.msg_type = 3;
      request.dport = 4011;
      request.dst = Ipv4{};  // the proxy's address: set from the reply in take()
      boot_requests_.emplace_back(it->second - 1, it->second);
    }
    return true;
  }
  if (sent) return sent_option(value, reply);
  return true;
}

// `11 option: 67 bootfile-name  pxelinux.0` (after "sent size:").
bool Reader::sent_option(std::string_view text, Event& reply) {
  auto pos = text.find("option:");
  if (pos == std::string_view::npos) return false;
  text = trim(text.substr(pos + 7));
  std::string_view number = next_token(text);
  unsigned code = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), code);
  if (ec != std::errc() || end != number.data() + number.size()) return false;
  next_token(text);  // dnsmasq's name for the option
  std::string_view value = trim(text);
  switch (code) {
    case 54:
      if (auto ip = Ipv4::parse(value)) reply.server_id = reply.src = *ip;
      break;
    case 67: reply.bootfile = keep(value); break;
    case 66: reply.tftp_server = keep(value); break;
    case 12: reply.hostname = keep(value); break;
    case 60: reply.vendor_class = keep(logline::hex_or_text(value)); break;
    case 175: reply.has_ipxe_encap = true; break;
    case 43: logline::pxe_suboptions(value, reply); break;
    default: break;
  }
  return true;
}

// dnsmasq logs no TFTP server address: it is dnsmasq itself, as the reply that gave the client
// its address named it (option 54 or next server), else as this log's last reply did.
void Reader::tftp_peer(Event& e, Ipv4 client) {
  Ipv4 server;
  auto it = reply_for_ip_.find(client);
  if (it != reply_for_ip_.end()) {
    e.client_mac = list_.events[it->second].client_mac;
    server = list_.events[it->second].src;
  }
  if (server.is_zero() && any_reply_) server = list_.events[*any_reply_].src;
  (e.from_client ? e.dst : e.src) = server;
  last_tftp_client_ = client;
  if (e.kind != EventKind::TftpError || !e.from_client) open_client_error_.erase(client);
}

bool Reader::tftp_line(std::string_view msg, Event base, bool* handled) {
  *handled = true;
  Event e = std::move(base);
  e.kind = EventKind::TftpError;
  std::string_view rest = msg;
  // Splits "X<sep>IP" at the last sep; false when the IP does not parse.
  auto split_ip = [](std::string_view s, std::string_view sep, std::string_view* left, Ipv4* ip) {
    auto at = s.rfind(sep);
    if (at == std::string_view::npos) return false;
    auto parsed = Ipv4::parse(trim(s.substr(at + sep.size())));
    if (!parsed) return false;
    *left = s.substr(0, at);
    *ip = *parsed;
    return true;
  };
  std::string_view file;
  Ipv4 client;
  if (consume(rest, "sent ")) {
    if (!split_ip(rest, " to ", &file, &client)) return false;
    e.kind = EventKind::TftpSent;
    e.filename = keep(file);
    e.dst = client;
  } else if (consume(rest, "TFTP root is ")) {
    tftp_enabled_ = true;
    return true;
  } else if (consume(rest, "failed sending ")) {
    if (!split_ip(rest, " to ", &file, &client)) return false;
    if (open_server_error_ && list_.events[*open_server_error_].filename == file) {
      // "cannot read FILE: ..." just before named no client; this line does.
      Event& err = list_.events[*open_server_error_];
      open_server_error_.reset();
      err.dst = client;
      tftp_peer(err, client);
      return true;
    }
    auto open = open_client_error_.find(client);
    if (open != open_client_error_.end()) {  // the client's own error ended it: name its file
      Event& err = list_.events[open->second];
      if (err.filename.empty()) err.filename = keep(file);
      open_client_error_.erase(open);
      return true;
    }
    e.filename = keep(file);
    e.dst = client;
    e.error_message = keep(msg);
  } else if (consume(rest, "file ")) {
    auto at = rest.rfind(" not found");
    if (at == std::string_view::npos) {
      *handled = false;
      return true;
    }
    e.filename = keep(rest.substr(0, at));
    std::string_view tail = rest.substr(at + 10);
    if (consume(tail, " for ")) {
      auto ip = Ipv4::parse(trim(tail));
      if (!ip) return false;
      client = *ip;
    } else {
      client = last_tftp_client_;  // dnsmasq < 2.77 did not say for whom
    }
    e.error_code = 1;
    e.error_message = keep(msg);
    e.dst = client;
  } else if (consume(rest, "cannot access ") || consume(rest, "cannot read ")) {
    auto colon = rest.rfind(": ");
    e.error_code = msg.starts_with("cannot access") ? 2 : 0;
    e.filename = keep(rest.substr(0, colon));
    e.error_message = keep(msg);
    // The line names no client: a "failed sending FILE to IP" may follow (cannot read); if not
    // (cannot access), the client is the one the last ACK went to.
    client = last_tftp_client_;
    if (any_reply_ && !list_.events[*any_reply_].yiaddr.is_zero()) client = list_.events[*any_reply_].yiaddr;
    e.dst = client;
    open_server_error_ = list_.events.size();
  } else if (consume(rest, "unsupported request from ")) {
    auto ip = Ipv4::parse(trim(rest));
    if (!ip) return false;
    e.error_code = 4;
    e.error_message = keep(msg);
    client = e.dst = *ip;
  } else if (consume(rest, "error ")) {
    std::string_view number = next_token(rest);
    unsigned code = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), code);
    if (ec != std::errc() || end != number.data() + number.size() || code > 0xffff) return false;
    std::string_view text;
    if (!split_ip(rest, " received from ", &text, &client)) return false;
    e.from_client = true;
    e.error_code = static_cast<std::uint16_t>(code);
    e.error_message = keep(trim(text));
    e.src = client;
    open_client_error_[client] = list_.events.size();
  } else {
    *handled = false;
    return true;
  }
  tftp_peer(e, client);
  list_.events.push_back(std::move(e));
  return true;
}

EventList Reader::take() {
  // A boot server's address is known only from the detail lines after its ACK.
  for (auto [request, ack] : boot_requests_)
    if (list_.events[request].dst.is_zero()) list_.events[request].dst = list_.events[ack].src;
  return std::move(list_);
}

void Reader::malformed(std::uint64_t number, std::size_t offset, std::string_view why,
                       std::string_view text) {
  if (!options_.stats) return;
  ++options_.stats->malformed;
  if (options_.stats->problems.size() < kMaxProblems)
    options_.stats->problems.push_back(make_error(
        "line " + std::to_string(number) + ": " + std::string(why) + ": " + std::string(text),
        offset));
}

}  // namespace

Result<EventList> read_dnsmasq_log(std::istream& in, const DnsmasqLogOptions& options) {
  DnsmasqLogOptions opts = options;
  DnsmasqLogStats local;
  if (!opts.stats) opts.stats = &local;
  *opts.stats = {};
  Reader reader(opts);
  std::string text;
  std::uint64_t number = 0;
  std::size_t offset = 0;
  while (std::getline(in, text)) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    reader.line(text, number, offset);
    offset += text.size() + 1;
  }
  if (in.bad()) return make_error("reading the dnsmasq log failed after line " +
                                  std::to_string(number), offset);
  opts.stats->lines = number;
  opts.stats->dnsmasq_lines = reader.dnsmasq_lines();
  opts.stats->tftp_enabled = reader.tftp_enabled();
  if (number > 0 && reader.dnsmasq_lines() == 0)
    return make_error("no dnsmasq log lines in " + std::to_string(number) +
                      " lines: expected lines like \"dnsmasq-dhcp: DHCPDISCOVER(eth0) MAC\"");
  return reader.take();
}

Result<EventList> read_dnsmasq_log(const std::string& path,
                                            const DnsmasqLogOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open dnsmasq log " + path);
  auto result = read_dnsmasq_log(in, options);
  if (!result) return make_error(path + ": " + result.error().what, result.error().offset);
  return result;
}

}  // namespace pxe::diag
