// proxyDHCP and the 4011 boot server over real sockets: a simulated PXE ROM in the client
// namespace broadcasts a DISCOVER, gets the proxy OFFER, then asks the boot server on 4011.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>

#include "config/serve_config.h"
#include "support/netns.h"
#include "support/test_paths.h"
#include "server/dhcp/dhcp_server.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::server {
namespace {

namespace wd = wire::dhcp;
using test::Netns;
using test::netns_unavailable;

wd::Builder pxe_rom(wd::MessageType t) {
  wd::Builder b(wd::Op::Request);
  b.xid(0x8b0f7475).client_mac(Mac{{0x20, 0x6a, 0x8a, 0x0f, 0x74, 0x75}}).message_type(t);
  b.option_u16(wd::opt::kClientArch, 0);
  std::uint8_t uuid[17] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  b.option(wd::opt::kClientUuid, uuid);
  b.option_str(wd::opt::kVendorClass, "PXEClient:Arch:00000:UNDI:002001");
  return b;
}

// One exchange from a socket bound to 0.0.0.0:68 on the client's interface.
std::optional<wd::Message> exchange(int fd, const Bytes& request, Ipv4 to, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(to.value);
  if (::sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return {};
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 3000) != 1) return {};
  std::uint8_t buf[1500];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return {};
  auto m = wd::parse(ByteSpan(buf, std::size_t(n)));
  if (!m) return {};
  return *m;
}

TEST(DhcpProxyNetns, PxeRomGetsProxyOfferThenBootFileFromPort4011) {
  if (auto why = netns_unavailable(); !why.empty()) GTEST_SKIP() << why;
  Netns net("dp");
  std::string why;
  ASSERT_TRUE(net.setup_pair("192.168.77.1/24", "", &why)) << why;
  auto dir = std::filesystem::temp_directory_path() / ("pxkd-proxy-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string conf = (dir / "dnsmasq.conf").string();
  // The second seed's proxy lines, on the namespace's subnet.
  std::ofstream(conf) << "interface=" << net.server_if() << "\n"
                      << "pxe-service=x86PC,\"PXE Netboot\",pxe/pxelinux\n"
                      << "dhcp-range=192.168.77.0,proxy\n"
                      << "dhcp-leasefile=" << (dir / "leases.db").string() << "\n";
  auto cfg = config::load_dnsmasq_conf(conf);
  ASSERT_TRUE(cfg.ok()) << cfg.error().what;
  std::unique_ptr<DhcpServer> server;
  Netns::in_namespace(net.server_ns(), [&] {
    if (auto s = start_dhcp_server(*cfg)) server = std::move(*s);
  });
  ASSERT_TRUE(server);
  // The ROM's address after the real DHCP server's ACK (not part of this test).
  ASSERT_EQ(test::run(net.in_client("ip addr add 192.168.77.50/24 dev " + net.client_if())), 0);

  std::optional<wd::Message> offer, ack;
  Netns::in_namespace(net.client_ns(), [&] {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, net.client_if().c_str(), socklen_t(net.client_if().size()));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(68);
    ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    offer = exchange(fd, pxe_rom(wd::MessageType::Discover).broadcast().encode(), Ipv4(0xffffffffu), 67);
    if (offer) {
      auto menu = offer->pxe_options();
      wd::PxeOptions item;
      if (menu && !menu->boot_menu.empty()) item.boot_item = wd::PxeBootItem{menu->boot_menu[0].type, 0};
      auto req = pxe_rom(wd::MessageType::Request).ciaddr(Ipv4(192, 168, 77, 50));
      req.option(wd::opt::kVendorSpecific, wd::encode_pxe_options(item));
      // The ROM asks the boot server that 43.8 lists for the item's type: the proxy's siaddr is
      // 0.0.0.0 (as dnsmasq's), there is nothing to fetch before the 4011 answer.
      Ipv4 to = offer->server_id().value_or(Ipv4());
      if (menu)
        for (const auto& bs : menu->boot_servers)
          if (item.boot_item && bs.type == item.boot_item->type && !bs.addresses.empty()) to = bs.addresses[0];
      ack = exchange(fd, req.encode(), to, 4011);
    }
    ::close(fd);
  });
  server->stop();
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(offer) << "no proxy offer";
  EXPECT_EQ(offer->message_type(), wd::MessageType::Offer);
  EXPECT_TRUE(offer->yiaddr.is_zero());
  EXPECT_EQ(offer->siaddr, Ipv4());
  EXPECT_EQ(offer->vendor_class(), "PXEClient");
  ASSERT_TRUE(ack) << "no answer from the boot server on 4011";
  EXPECT_EQ(ack->message_type(), wd::MessageType::Ack);
  EXPECT_EQ(ack->file_str(), "pxe/pxelinux.0");
  EXPECT_EQ(ack->yiaddr, Ipv4(192, 168, 77, 50));
  EXPECT_EQ(ack->server_id(), Ipv4(192, 168, 77, 1));
}

}  // namespace
}  // namespace pxe::server
