// libFuzzer: the TFTP transfer machines as the server runs them. The input's first datagram is a
// request: an RRQ starts a Sender over a small in-memory file with what negotiate() grants, a WRQ
// a server-side Receiver; the rest of the input (split at "\xff\xfe\xfd") is what the peer sends,
// with the clock moving by the first byte of each. A client-side Receiver gets the same datagrams,
// from one of two ports (the first byte's low bit), so it latches a TID and meets strangers.
// Nothing may crash, and every datagram a machine sends must parse.
#include <cstdlib>
#include <memory>
#include <string_view>

#include "proto/tftp/file_source.h"
#include "proto/tftp/negotiation.h"
#include "proto/tftp/receiver.h"
#include "proto/tftp/sender.h"
#include "wire/tftp/tftp.h"

namespace pt = pxe::proto::tftp;
namespace wt = pxe::wire::tftp;

namespace {

void check(const pt::Actions& actions) {
  for (const auto& a : actions)
    if (auto b = pt::datagram_bytes(a); b && !wt::parse(*b)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto next = [&in]() {
    auto cut = in.find("\xff\xfe\xfd");
    std::string_view one = in.substr(0, cut);
    in = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 3);
    return pxe::ByteSpan(reinterpret_cast<const std::uint8_t*>(one.data()), one.size());
  };
  auto first = next();
  auto parsed = wt::parse(first);
  if (!parsed) return 0;
  const auto* req = std::get_if<wt::Request>(&*parsed);
  if (!req) return 0;

  pt::ServerLimits limits;
  limits.max_blksize = 1468;
  pxe::Bytes file(3000 + first.size() * 37);
  for (std::size_t i = 0; i < file.size(); ++i) file[i] = static_cast<std::uint8_t>(i * 31);
  pt::Timing timing;
  timing.retransmit = std::chrono::milliseconds(100);

  pt::MemorySource source(file);
  pt::MemorySink sink, client_sink;
  std::unique_ptr<pt::Sender> sender;
  std::unique_ptr<pt::Receiver> receiver;
  if (req->write) {
    pt::ReceiverConfig rc;
    rc.filename = req->filename;
    rc.mode = req->mode;
    rc.serve_write = pt::negotiate(*req, limits, std::nullopt);
    rc.timing = timing;
    receiver = std::make_unique<pt::Receiver>(sink, rc);
  } else {
    sender = std::make_unique<pt::Sender>(source, pt::negotiate(*req, limits, file.size()), timing);
  }
  pt::ReceiverConfig cc;
  cc.filename = "pxelinux.0";
  cc.options = {{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "4"}, {"timeout", "4"}};
  cc.timing = timing;
  pt::Receiver client(client_sink, cc);

  pxe::Timestamp now{1'000'000};
  pt::Actions out;
  out = sender ? sender->start(now) : receiver->start(now);
  check(out);
  check(client.start(now));
  while (!in.empty()) {
    auto d = next();
    if (d.empty()) continue;
    now = now + std::chrono::milliseconds(d[0] * 4);
    if (sender) {
      check(sender->on_timer(now));
      check(sender->on_datagram(d.subspan(1), now));
    } else {
      check(receiver->on_timer(now));
      check(receiver->on_datagram(d.subspan(1), now));
    }
    check(client.on_timer(now));
    check(client.on_datagram(d.subspan(1), static_cast<std::uint16_t>(40000 + (d[0] & 1)), now));
  }
  return 0;
}
