// Engine: boot fields of ordinary replies, proxyDHCP offers, the port-4011 boot server, and
// handing replies out with their destination.
#include <cstdio>

#include "proto/dhcp/engine_context.h"
#include "proto/dhcp/reply.h"

namespace pxe::proto::dhcp {

std::string fmt_xid(std::uint32_t xid) { return std::to_string(xid); }

namespace {

// A boot server list entry without an address (pxe-service with no SERVER) means this server:
// the client unicasts its port-4011 request to the addresses listed (discovery control says
// no broadcast), so an empty list would leave it nowhere to ask.
void list_this_server(PxeBoot& boot, Ipv4 self) {
  if (!boot.option43) return;
  for (auto& bs : boot.option43->boot_servers)
    if (bs.addresses.empty()) bs.addresses.push_back(self);
}

}  // namespace

void Engine::add_boot_fields(Context& c, wd::Builder& b) {
  if (c.client.pxe) {
    if (auto pxe = pxe_offer(s_, c.client, c.tags, false)) {
      list_this_server(*pxe, c.server);
      add_boot_file(b, c.req, pxe->file, pxe->sname, pxe->siaddr.value_or(c.server));
      add_pxe(b, c.req, *pxe);
      return;
    }
  }
  if (const auto* boot = select_dhcp_boot(s_, c.tags)) {
    add_boot_file(b, c.req, boot->file, boot->sname, boot->server.value_or(c.server));
    return;
  }
  b.siaddr(c.server);
}

void Engine::on_proxy(Context& c, Actions& out) {
  // proxyDHCP answers PXE clients' DISCOVERs only; the real DHCP server does the rest.
  if (c.req.message_type() != wd::MessageType::Discover || !c.client.pxe) {
    ++counters_.ignored;
    return;
  }
  auto pxe = pxe_offer(s_, c.client, c.tags, true);
  if (!pxe) {
    log(out, LogLevel::Info, [&] {
      return "PXE" + c.where() + " " + c.client.mac.str() + " proxy: no service for arch " +
             std::to_string(c.client.arch);
    });
    return;
  }
  list_this_server(*pxe, c.server);
  auto b = start_reply(c.req, wd::MessageType::Offer, c.server);
  b.broadcast(true);  // the client has no address yet and may not accept a unicast
  // A proxy offer with option 43 sends the client to port 4011 (of the servers 43.8 lists, or
  // of this one) for its file; siaddr 0.0.0.0 says there is nothing to fetch yet, as dnsmasq's
  // proxy says it (proxydhcp-bios.pcap, bios-proxy-4011-silent.pcap). Without 43 (UEFI, BINL
  // style) the client asks the server at siaddr: this one, unless configured otherwise.
  Ipv4 siaddr = pxe->siaddr.value_or(pxe->option43 ? Ipv4{} : c.server);
  add_boot_file(b, c.req, pxe->file, pxe->sname, siaddr);
  add_pxe(b, c.req, *pxe);
  ++counters_.proxy_offers;
  send(c, b, {}, out);
  log(out, LogLevel::Info, [&] { return "PXE" + c.where() + " " + c.client.mac.str() + " proxy"; });
  if (!pxe->file.empty())
    log(out, LogLevel::Info, [&] { return "PXE" + c.where() + " " + c.client.mac.str() + " " + pxe->file; });
}

void Engine::on_boot_server(Context& c, Actions& out) {
  auto type = c.req.message_type();
  if ((type != wd::MessageType::Request && type != wd::MessageType::Inform) || !c.client.pxe) {
    ++counters_.ignored;
    return;
  }
  std::optional<wd::PxeBootItem> item;
  if (auto o = c.req.pxe_options()) item = o->boot_item;
  Ipv4 client_ip = c.req.ciaddr.is_zero() ? c.meta.src_ip : c.req.ciaddr;
  if (item && (item->layer & 0x8000)) {
    log(out, LogLevel::Warn, [&] { return "PXE" + c.where() + " " + client_ip.str() + " " + c.client.mac.str() +
                                 " PXE BIS not supported"; });
    return;
  }
  auto boot = pxe_boot_server(s_, c.client, c.tags, item);
  if (!boot) {
    log(out, LogLevel::Info,
        [&] { return "PXE" + c.where() + " " + client_ip.str() + " " + c.client.mac.str() + " no boot file"; });
    return;
  }
  // The address the request came to is our identity on this link.
  Ipv4 self = (!c.meta.dst_ip.is_zero() && c.meta.dst_ip.value != 0xffffffffu) ? c.meta.dst_ip : c.server;
  c.server = self;
  auto b = start_reply(c.req, wd::MessageType::Ack, self);
  b.yiaddr(client_ip);
  b.ciaddr(Ipv4{});
  Ipv4 tftp = boot->siaddr.value_or(self);
  // The answer to a BINL-style request (no 43.71) also names the TFTP server in sname, as
  // dnsmasq's does (proxydhcp-uefi.pcap), unless a server name is configured (or none is known).
  std::string sname = !item && boot->sname.empty() && !tftp.is_zero() ? tftp.str() : boot->sname;
  add_boot_file(b, c.req, boot->file, sname, tftp);
  add_pxe(b, c.req, *boot);
  ++counters_.boot_server_acks;
  send(c, b, {}, out);
  log(out, LogLevel::Info,
      [&] { return "PXE" + c.where() + " " + client_ip.str() + " " + c.client.mac.str() + " " + boot->file; });
}

void Engine::send(Context& c, wd::Builder& b, const std::vector<std::uint8_t>& optional, Actions& out) {
  wd::Message reply;
  Bytes bytes = finish_reply(b, c.req, optional, &reply);
  if (bytes.empty()) {
    ++counters_.replies_too_big;
    log(out, LogLevel::Warn, [&] { return "DHCP" + c.where() + " " + c.client.mac.str() + " reply does not fit in " +
                                          std::to_string(c.req.max_message_size().value_or(576)) + " bytes"; });
    return;
  }
  RequestOrigin origin{c.meta.src_ip, c.meta.src_port, c.meta.local_port};
  OutDatagram d;
  d.to = reply_destination(c.req, reply, origin, s_.boot_server_port);
  d.payload = std::move(bytes);
  d.interface = c.meta.iface.name;
  d.from_port = c.meta.local_port;
  d.from_ip = c.server;
  if (s_.log_dhcp) {
    for (const auto& o : reply.options) {
      if (o.code == wd::opt::kPad || o.code == wd::opt::kEnd) continue;
      log(out, LogLevel::Debug, [&] { return fmt_xid(c.req.xid) + " sent size: " + std::to_string(o.data.size()) +
                                    " option: " + std::to_string(o.code) + " " + hex(o.data, ':'); });
    }
  }
  out.replies.push_back(std::move(d));
}

}  // namespace pxe::proto::dhcp
