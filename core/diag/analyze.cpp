#include "diag/analyze.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/text.h"
#include "diag/client_context.h"
#include "diag/rules/rules.h"

namespace pxe::diag {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A client's identity as a number: its MAC, or (when no MAC is known) its IPv4 address with
// bit 48 set. kNoClient: the event concerns no client.
using ClientKey = std::uint64_t;
constexpr ClientKey kNoClient = ~ClientKey{0};
constexpr ClientKey kIpKey = ClientKey{1} << 48;

ClientKey mac_key(const Mac& m) {
  ClientKey k = 0;
  for (auto o : m.octets) k = k << 8 | o;
  return k;
}
ClientKey key_of(const Mac& m, Ipv4 ip) { return m.is_zero() ? (kIpKey | ip.value) : mac_key(m); }

// The report's name for a client: its MAC, or "ip A.B.C.D".
std::string key_name(ClientKey k, Mac* mac) {
  if (k & kIpKey) return "ip " + Ipv4(static_cast<std::uint32_t>(k)).str();
  for (int i = 5; i >= 0; --i, k >>= 8) mac->octets[i] = static_cast<std::uint8_t>(k);
  return mac->str();
}

// Assigns every event to the client it concerns (or none), in one pass.
class Grouper {
 public:
  explicit Grouper(const std::vector<Event>& ev) {
    // First the DHCP clients (by chaddr) and their addresses, so later packets map to them.
    for (const auto& e : ev) {
      if (e.kind == EventKind::DhcpFromClient) {
        clients_.insert(mac_key(e.client_mac));
        if (!e.ciaddr.is_zero()) ip_to_key_[e.ciaddr.value] = mac_key(e.client_mac);
      } else if (e.kind == EventKind::DhcpFromServer && !e.yiaddr.is_zero()) {
        ip_to_key_[e.yiaddr.value] = mac_key(e.client_mac);
      }
    }
  }

  ClientKey client_of(const Event& e) {
    switch (e.kind) {
      case EventKind::DhcpFromClient:
      case EventKind::DhcpFromServer:
        return mac_key(e.client_mac);
      case EventKind::ArpRequest:
        if (clients_.count(mac_key(e.client_mac))) return mac_key(e.client_mac);
        return kNoClient;
      case EventKind::ArpReply:
        return lookup(e.dst, {});
      case EventKind::IcmpUnreachable:
        return lookup(e.src, e.client_mac);
      case EventKind::TftpRequest: {
        ClientKey k = lookup(e.src, e.client_mac);
        transfers_[endpoint(e.src, e.sport)] = k;
        return k;
      }
      case EventKind::TftpSent:
        return lookup(e.dst, {});
      case EventKind::TftpOack:
      case EventKind::TftpData:
      case EventKind::TftpAck:
      case EventKind::TftpError: {
        if (auto it = transfers_.find(endpoint(e.src, e.sport)); it != transfers_.end()) return it->second;
        if (auto it = transfers_.find(endpoint(e.dst, e.dport)); it != transfers_.end()) return it->second;
        if (e.frame && e.sport == 0 && e.dport == 0)  // dnsmasq log: the client is dst
          return lookup(e.from_client ? e.src : e.dst, {});
        return kNoClient;
      }
      case EventKind::SmbSessionSetup:
      case EventKind::SmbTreeConnect:
      case EventKind::SmbOther:
      case EventKind::TcpClose:
      case EventKind::TcpOpen: {
        Ipv4 ip = to_smb_server(e) ? e.src : e.dst;
        ClientKey k = lookup(ip, e.client_mac);
        clients_.insert(k);
        return k;
      }
    }
    return kNoClient;
  }

  // True for a TFTP packet travelling from the client of its transfer.
  bool from_transfer_client(const Event& e) const { return transfers_.count(endpoint(e.src, e.sport)) > 0; }

 private:
  static std::uint64_t endpoint(Ipv4 ip, std::uint16_t port) { return std::uint64_t(ip.value) << 16 | port; }
  ClientKey lookup(Ipv4 ip, const Mac& mac) {
    auto [it, inserted] = ip_to_key_.try_emplace(ip.value, 0);
    if (inserted) it->second = key_of(mac, ip);
    return it->second;
  }

  std::unordered_set<ClientKey> clients_;
  std::unordered_map<std::uint32_t, ClientKey> ip_to_key_;
  std::unordered_map<std::uint64_t, ClientKey> transfers_;
};

void detect_firmware(ClientContext& c) {
  for (const Event* e : c.events) {
    if (e->kind != EventKind::DhcpFromClient && e->kind != EventKind::DhcpFromServer) continue;
    // WinPE names itself MININT-xxxxxxx and sends vendor class "MSFT 5.0".
    if (istarts_with(e->hostname, "minint-")) c.winpe_seen = true;
    if (e->kind != EventKind::DhcpFromClient) continue;
    if (starts_with(e->vendor_class, "MSFT 5.0")) {
      c.winpe_seen = true;
      if (c.firmware == Firmware::Unknown) c.firmware = Firmware::WinPe;
      continue;
    }
    if (c.firmware != Firmware::Unknown) continue;
    if (!e->arch.empty()) c.arch = e->arch;
    if (starts_with(e->vendor_class, "PXEClient")) {
      if (e->user_class == "iPXE" || e->has_ipxe_encap)
        c.firmware = Firmware::Ipxe;
      else if (c.is_uefi())
        c.firmware = Firmware::UefiPxe;
      else
        c.firmware = Firmware::BiosPxeRom;
      c.firmware_detail = e->vendor_class + (c.firmware == Firmware::Ipxe ? ", iPXE" : "");
    } else if (e->vendor_class.empty() && c.from_log) {
      c.firmware_detail = "vendor class not in the log (run dnsmasq with log-dhcp)";
    } else {
      c.firmware = Firmware::LinuxDhcp;
      c.firmware_detail = e->vendor_class.empty() ? "no vendor class" : e->vendor_class;
    }
  }
}

void build_transfers(ClientContext& c, const Grouper& g) {
  std::map<std::pair<std::uint64_t, std::string_view>, std::size_t> open;  // (client endpoint, file)
  std::map<std::uint64_t, std::size_t> by_port;  // client endpoint -> transfer index
  for (const Event* e : c.events) {
    if (e->kind == EventKind::TftpRequest) {
      std::uint64_t ep = std::uint64_t(e->src.value) << 16 | e->sport;
      auto key = std::make_pair(ep, e->filename.view());
      auto it = open.find(key);
      if (it == open.end() || c.transfers[it->second].answered) {
        Transfer t;
        t.request = e;
        t.file = e->filename;
        t.server = e->dst;
        t.client_port = e->sport;
        if (e->blksize) t.blksize = e->blksize;
        c.transfers.push_back(t);
        open[key] = c.transfers.size() - 1;
        it = open.find(key);
      }
      c.transfers[it->second].requests.push_back(e);
      by_port[ep] = it->second;
      continue;
    }
    if (e->kind == EventKind::TftpSent) {
      Transfer t;
      t.request = e;
      t.requests.push_back(e);
      t.file = e->filename;
      t.answered = t.completed = true;
      c.transfers.push_back(t);
      continue;
    }
    if (e->kind == EventKind::IcmpUnreachable) {
      std::uint64_t ep = std::uint64_t(e->src.value) << 16 | e->sport;
      if (auto it = by_port.find(ep); it != by_port.end()) c.transfers[it->second].icmp.push_back(e);
      continue;
    }
    bool tftp = e->kind == EventKind::TftpOack || e->kind == EventKind::TftpData ||
                e->kind == EventKind::TftpAck || e->kind == EventKind::TftpError;
    if (!tftp) continue;
    if (e->sport == 0 && e->dport == 0) {  // dnsmasq log: "file X not found", "error N received"
      Transfer t;
      t.request = e;
      t.requests.push_back(e);
      t.file = e->filename;
      t.answered = true;
      (e->from_client ? t.client_error : t.server_error) = e;
      c.transfers.push_back(t);
      continue;
    }
    bool from_client = g.from_transfer_client(*e);
    std::uint64_t ep = from_client ? (std::uint64_t(e->src.value) << 16 | e->sport)
                                   : (std::uint64_t(e->dst.value) << 16 | e->dport);
    auto it = by_port.find(ep);
    if (it == by_port.end()) continue;
    Transfer& t = c.transfers[it->second];
    t.last = e;
    if (from_client) {
      if (e->kind == EventKind::TftpError) t.client_error = e;
      continue;
    }
    t.answered = true;
    t.last_server = e;
    if (e->kind == EventKind::TftpOack && e->blksize) t.blksize = e->blksize;
    if (e->kind == EventKind::TftpError) t.server_error = e;
    if (e->kind == EventKind::TftpData) {
      t.bytes += e->run_bytes;
      t.blocks += e->run_blocks;
      t.fragmented |= e->fragmented;
      if (e->data_len < t.blksize) t.completed = true;
    }
  }
}

void classify(ClientContext& c) {
  for (const Event* e : c.events) {
    if (e->kind == EventKind::DhcpFromClient) {
      bool to_4011 = e->dport == 4011;
      if (to_4011 || (e->msg_type == 3 && e->pxe_boot_item)) c.boot_requests.push_back(e);
      else if (e->msg_type == 1) c.discovers.push_back(e);
      else if (e->msg_type == 3) c.dhcp_requests.push_back(e);
    } else if (e->kind == EventKind::DhcpFromServer) {
      bool from_4011 = e->sport == 4011 || e->pxe_boot_item;
      if (from_4011) c.boot_replies.push_back(e);
      else if (e->msg_type == 2) c.offers.push_back(Offer{e, e->yiaddr.is_zero() && starts_with(e->vendor_class, "PXEClient")});
      else if (e->msg_type == 5) c.acks.push_back(e);
      else if (e->msg_type == 6) c.naks.push_back(e);
    } else if (e->kind == EventKind::ArpRequest) {
      c.arp_requests.push_back(e);
    } else if (e->kind == EventKind::ArpReply) {
      c.arp_replies.push_back(e);
    } else if (e->kind == EventKind::SmbSessionSetup || e->kind == EventKind::SmbTreeConnect ||
               e->kind == EventKind::SmbOther || e->kind == EventKind::TcpClose || e->kind == EventKind::TcpOpen) {
      c.smb.push_back(e);
    }
  }
}

Stage stage_of(const ClientContext& c) {
  Stage s = Stage::Link;
  auto reach = [&s](Stage x) { s = std::max(s, x); };
  if (!c.discovers.empty() || !c.dhcp_requests.empty()) reach(Stage::DhcpDiscovery);
  if (!c.offers.empty() || !c.acks.empty()) reach(Stage::OfferSelection);
  if (!c.boot_requests.empty()) reach(Stage::BootServer);
  // The ARP stage is resolving the TFTP server (next-server or where the RRQs went), not the
  // DHCP or boot server the client also ARPs for.
  std::set<std::uint32_t> tftp_servers;
  for (const Event* a : c.acks)
    if (!a->siaddr.is_zero()) tftp_servers.insert(a->siaddr.value);
  for (const auto& t : c.transfers) tftp_servers.insert(t.server.value);
  bool arp_for_tftp = std::any_of(c.arp_requests.begin(), c.arp_requests.end(),
                                  [&](const Event* e) { return tftp_servers.count(e->dst.value) > 0; });
  if (arp_for_tftp && !c.acks.empty()) reach(Stage::Arp);
  for (const auto& t : c.transfers) {
    std::string base = basename(t.file);
    reach(Stage::TftpNbp);
    if (t.completed) reach(Stage::NbpLoaded);
    if (t.file.find("pxelinux.cfg/") != std::string::npos || t.file.find("pxelinux.cfg\\") != std::string::npos)
      reach(Stage::PxelinuxConfig);
    if (base.size() > 4 && (base.ends_with(".c32") || base.ends_with(".e64"))) reach(Stage::Modules);
    if (base == "memdisk" || base.ends_with(".iso") || base.find("vmlinuz") != std::string::npos ||
        base.find("initrd") != std::string::npos || base.ends_with(".wim"))
      reach(Stage::KernelInitrd);
  }
  if (c.winpe_seen) reach(Stage::WinPeDhcp);
  if (!c.smb.empty()) reach(Stage::Smb);
  return s;
}

std::string dhcp_name(std::uint8_t t) {
  static constexpr std::string_view kNames[] = {"DHCP?", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST",
                                                "DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE",
                                                "DHCPINFORM"};
  return t < std::size(kNames) ? std::string(kNames[t]) : fmt::format("DHCP type {}", t);
}

std::vector<LadderStep> ladder(const ClientContext& c, const std::vector<Finding>& findings) {
  std::set<std::uint64_t> failing, noise;
  for (const auto& f : findings)
    for (const auto& ev : f.evidence) (f.severity == Severity::Info ? noise : failing).insert(ev.frame);
  std::vector<LadderStep> out;
  out.reserve(c.events.size());
  for (const Event* e : c.events) {
    LadderStep s;
    s.frame = e->frame;
    s.time = e->time;
    s.from_client = e->from_client;
    Ipv4 peer = e->from_client ? e->dst : e->src;
    switch (e->kind) {
      case EventKind::DhcpFromClient:
        s.label = dhcp_name(e->msg_type) + (e->dport == 4011 ? " (4011)" : "");
        break;
      case EventKind::DhcpFromServer:
        s.label = dhcp_name(e->msg_type) + (e->yiaddr.is_zero() ? "" : " " + e->yiaddr.str()) +
                  (e->bootfile.empty() ? "" : " file " + e->bootfile);
        break;
      case EventKind::ArpRequest: s.from_client = true; peer = e->dst; s.label = "ARP who-has " + e->dst.str(); break;
      case EventKind::ArpReply: s.from_client = false; peer = e->src; s.label = "ARP " + e->src.str() + " is-at"; break;
      case EventKind::IcmpUnreachable: s.from_client = false; peer = e->dst; s.label = fmt::format("ICMP port {} unreachable", e->dport); break;
      case EventKind::TftpRequest: s.label = "RRQ " + e->filename; break;
      case EventKind::TftpOack: s.label = "OACK"; break;
      case EventKind::TftpData:
        // Keep the ladder readable: first and last blocks only.
        if (e->block > 1 && e->data_len >= 512 && !failing.count(e->frame)) continue;
        s.label = fmt::format("DATA {} ({} bytes)", e->block, e->data_len);
        break;
      case EventKind::TftpAck:
        if (e->block > 1) continue;
        s.label = fmt::format("ACK {}", e->block);
        break;
      case EventKind::TftpError:
        s.label = fmt::format("ERROR {} {}", e->error_code, e->error_message);
        break;
      case EventKind::TftpSent: s.from_client = false; s.label = "sent " + basename(e->filename); break;
      case EventKind::SmbSessionSetup:
        s.label = std::string("SESSION_SETUP") + (e->is_response ? fmt::format(" status 0x{:08x}", e->status) : "");
        break;
      case EventKind::SmbTreeConnect:
        s.label = "TREE_CONNECT " + (e->is_response ? fmt::format("status 0x{:08x}", e->status) : e->path.str());
        break;
      case EventKind::SmbOther:
        // NEGOTIATE shows (a client may hang up right after it); the file commands do not.
        if (e->smb_command != 0) continue;
        s.label = std::string("NEGOTIATE") + (e->is_response ? fmt::format(" status 0x{:08x}", e->status)
                                                             : e->signing_required ? " (signing required)" : "");
        break;
      case EventKind::TcpClose: s.label = e->rst ? "TCP RST" : "TCP FIN"; break;
      case EventKind::TcpOpen: s.label = e->from_client ? "TCP SYN" : "TCP SYN-ACK"; break;
    }
    s.peer = peer.str();
    s.failing = failing.count(e->frame) > 0;
    s.noise = !s.failing && noise.count(e->frame) > 0;
    out.push_back(std::move(s));
  }
  return out;
}

std::string outcome(const ClientContext& c, Stage s) {
  for (auto it = c.transfers.rbegin(); it != c.transfers.rend(); ++it)
    if (it->completed) {
      if (s >= Stage::Modules) return "loaded " + basename(it->file) + " (pxelinux menu or later)";
      return "downloaded " + basename(it->file);
    }
  if (!c.acks.empty()) return "got a DHCP lease " + c.acks.back()->yiaddr.str();
  return std::string(stage_name(s));
}

}  // namespace

Report analyze(const std::vector<Event>& events, const AnalyzeOptions& options) {
  Report report;
  Grouper g(events);
  // Clients in the order they first appear (a deque: contexts never move as it grows); by_key
  // maps a client's key to its place there.
  std::deque<ClientContext> clients;
  std::unordered_map<ClientKey, std::size_t> by_key;
  Timestamp end;
  bool log_has_tftp = options.log_tftp_enabled;
  for (const auto& e : events) {
    end = std::max(end, e.time);
    log_has_tftp |= e.kind == EventKind::TftpSent || e.kind == EventKind::TftpError;
  }
  for (const auto& e : events) {
    ClientKey k = g.client_of(e);
    if (k == kNoClient) continue;
    auto [it, inserted] = by_key.try_emplace(k, clients.size());
    if (inserted) {
      ClientContext& c = clients.emplace_back();
      c.key = key_name(k, &c.mac);
    }
    clients[it->second].events.push_back(&e);
  }
  report.clients.reserve(clients.size());
  for (ClientContext& c : clients) {
    // Only a host that acted as a client (asked for something) gets a verdict.
    bool asked = std::any_of(c.events.begin(), c.events.end(), [](const Event* e) {
      return e->kind == EventKind::DhcpFromClient || e->kind == EventKind::TftpRequest ||
             e->kind == EventKind::TftpSent || (e->kind == EventKind::SmbSessionSetup && !e->is_response) ||
             (e->kind == EventKind::SmbOther && e->smb_command == 0 && !e->is_response) ||  // NEGOTIATE
             (e->kind == EventKind::TcpOpen && e->from_client) ||  // a connection to an SMB port
             (e->kind == EventKind::TftpError && e->sport == 0);
    });
    if (!asked) continue;
    c.capture_end = end;
    c.from_log = options.from_log;
    c.log_has_tftp = log_has_tftp;
    classify(c);
    detect_firmware(c);
    build_transfers(c, g);
    ClientReport r;
    r.key = c.key;
    r.mac = c.mac;
    // Addresses in the order first acknowledged; the set keeps a client ACKed thousands of
    // addresses (a crafted capture) from costing ACKs x addresses.
    std::unordered_set<std::uint32_t> acked;
    for (const Event* e : c.acks)
      if (!e->yiaddr.is_zero() && acked.insert(e->yiaddr.value).second) r.ips.push_back(e->yiaddr);
    for (auto rule : rules::kAll) rule(c, r.findings);
    r.firmware = c.firmware;
    r.firmware_detail = c.firmware_detail;
    r.last_stage = stage_of(c);
    for (const auto& f : r.findings)
      if (f.severity == Severity::Failure && !r.failed) {
        r.failed = true;
        r.screen = f.screen;
      }
    if (!r.failed) r.screen = outcome(c, r.last_stage);
    r.ladder = ladder(c, r.findings);
    report.clients.push_back(std::move(r));
  }
  // Two DHCP servers handing out addresses on one segment (a rogue or forgotten server).
  std::map<std::uint32_t, const Event*> servers;
  for (const auto& e : events)
    if (e.kind == EventKind::DhcpFromServer && e.msg_type == 2 && !e.yiaddr.is_zero()) {
      Ipv4 s = e.server_id.is_zero() ? e.src : e.server_id;
      servers.try_emplace(s.value, &e);
    }
  if (servers.size() > 1) {
    Finding f;
    f.id = "two-dhcp-servers";
    f.severity = Severity::Warning;
    f.code = "PXE-E99";
    f.screen = "UEFI: PXE-E99: Unexpected network error. (servers racing); iPXE waits for more offers and took "
               "the one with a boot file in bios-two-dhcp-servers.pcap; other ROMs may take the first";
    f.cause = fmt::format("{} different DHCP servers offer addresses on this segment; which offer a client takes depends on "
                          "its firmware and on timing, so a client may end up with a server that has no boot information",
                          servers.size());
    for (auto& [ip, e] : servers) f.evidence.push_back(evidence(e, "DHCPOFFER " + e->yiaddr.str() + " from " + Ipv4(ip).str()));
    std::sort(f.evidence.begin(), f.evidence.end(), [](const Evidence& a, const Evidence& b) { return a.frame < b.frame; });
    f.fix_dnsmasq = "run one DHCP server per segment; for PXE beside an existing server use dhcp-range=<net>,proxy";
    f.fix_pxekit = "pxekit serve with dhcp-range=<net>,proxy (proxyDHCP) instead of a second full server";
    report.network.push_back(std::move(f));
  }
  // Bad checksums all from one sender are the capturing host's own packets: the NIC (or veth)
  // fills the checksum after the capture point (offload). Explain it rather than flag it.
  std::map<std::uint32_t, std::vector<const Event*>> bad;
  for (const auto& e : events)
    if (e.bad_checksum) bad[e.src.value].push_back(&e);
  if (bad.size() == 1) {
    auto& [ip, evs] = *bad.begin();
    Finding f;
    f.id = "checksum-offload";
    f.severity = Severity::Info;
    f.cause = fmt::format("{} packets with bad UDP/TCP checksums, all sent by {}: the capturing host computes checksums "
                          "in the NIC after the capture point (offload); receivers saw correct ones",
                          evs.size(), Ipv4(ip).str());
    f.evidence.push_back(evidence(evs.front(), "bad checksum from " + Ipv4(ip).str()));
    report.network.push_back(std::move(f));
  }
  return report;
}

}  // namespace pxe::diag
