// libFuzzer: the DHCP client machine (proto/dhcp/client.h) fed arbitrary datagrams, answers
// shaped after its own last packet (so offers, ACKs, NAKs and 4011 answers reach every state),
// and timer ticks. After every step these must hold, else abort():
//   - every datagram the client sends parses as DHCP;
//   - ClientActions::timer equals deadline(), and a deadline is never in the past;
//   - the machine ends at most once (done or failed, not both), and an ended machine sends
//     nothing and has no deadline.
// The first input byte picks the profile; the rest is split into steps at "\xff\xfe\xfd"; the
// first byte of a step says what it is: a raw datagram, a shaped answer or a timer tick.
#include <cstdlib>
#include <string_view>

#include "base/random.h"
#include "proto/dhcp/client.h"
#include "wire/dhcp/dhcp.h"

namespace pd = pxe::proto::dhcp;
namespace wd = pxe::wire::dhcp;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

struct Run {
  pd::DhcpClient& c;
  pxe::Timestamp now;
  pxe::Bytes last_sent;
  bool ended = false;

  void took(const pd::ClientActions& a) {
    check(a.timer == c.deadline());
    if (c.deadline()) check(*c.deadline() > now);
    check(!(a.done && a.failed));
    if (ended) check(a.sends.empty() && !a.done && !a.failed && !c.deadline());
    for (const auto& s : a.sends) {
      check(wd::parse(s.payload).ok());
      last_sent = s.payload;
    }
    if (a.done || a.failed) {
      check(!c.deadline());
      ended = true;
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const char* kNames[] = {"bios", "uefi", "ipxe", "linux", "winpe"};
  auto profile = *pd::profile_by_name(kNames[data[0] % 5]);
  pxe::SeededRandom rng(data[0]);
  pxe::Mac mac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x10}};
  pd::DhcpClient c(mac, profile, rng);
  Run run{c, pxe::Timestamp{1'700'000'000'000'000}, {}};
  {
    pd::ClientActions a;
    c.start(run.now, a);
    run.took(a);
  }
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::string_view kMarker("\xff\xfe\xfd", 3);
  while (!in.empty()) {
    auto cut = in.find(kMarker);
    std::string_view step = in.substr(0, cut);
    in = cut == std::string_view::npos ? std::string_view() : in.substr(cut + kMarker.size());
    if (step.empty()) continue;
    auto op = std::uint8_t(step[0]);
    auto body = pxe::ByteSpan(reinterpret_cast<const std::uint8_t*>(step.data()) + 1, step.size() - 1);
    pxe::Ipv4 server(192, 168, 42, std::uint8_t(1 + (op >> 4 & 3)));
    std::uint16_t src_port = (op & 0x40) ? 4011 : 67;
    pd::ClientActions a;
    switch (op & 3) {
      case 0:  // a raw datagram
        c.on_datagram(body, server, src_port, (op & 0x80) ? 4011 : 68, run.now, a);
        break;
      case 1: {  // an answer shaped after the client's last packet, fields from the input
        auto req = wd::parse(run.last_sent);
        if (!req.ok()) break;
        auto b = wd::Builder::reply_to(*req);
        std::uint8_t kind = body.empty() ? 0 : body[0];
        static const wd::MessageType kTypes[] = {wd::MessageType::Offer, wd::MessageType::Ack,
                                                 wd::MessageType::Nak, wd::MessageType::Offer};
        b.message_type(kTypes[kind & 3]);
        if (kind & 4) b.yiaddr(pxe::Ipv4(192, 168, 42, std::uint8_t(10 + (kind >> 4))));
        if (kind & 8) b.option_ip(wd::opt::kServerId, server);
        if (kind & 0x40) b.option_str(wd::opt::kVendorClass, "PXEClient");
        if (kind & 0x80) b.file("pxelinux.0");
        if (body.size() > 1) b.option(wd::opt::kVendorSpecific, body.subspan(1));  // raw 43
        auto bytes = b.encode();
        c.on_datagram(bytes, server, src_port, (op & 0x80) ? 4011 : 68, run.now, a);
        break;
      }
      case 2:  // to the deadline (or a little later)
        if (c.deadline()) run.now = *c.deadline() + std::chrono::milliseconds(body.empty() ? 0 : body[0]);
        c.on_timer(run.now, a);
        break;
      default:  // a tick before or without a deadline changes nothing but time
        run.now = run.now + std::chrono::milliseconds(body.empty() ? 1 : body[0]);
        if (c.deadline() && run.now >= *c.deadline()) run.now = pxe::Timestamp{c.deadline()->us - 1};
        c.on_timer(run.now, a);
        check(a.sends.empty() && !a.done && !a.failed);
        break;
    }
    run.took(a);
  }
  return 0;
}
