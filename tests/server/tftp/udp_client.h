// A TFTP client for the server tests: the proto Receiver over a real UDP socket on loopback. The
// Receiver latches the server's TID itself; this loop only keeps to the server's address.
#pragma once

#include <poll.h>

#include <chrono>
#include <optional>
#include <variant>

#include "base/clock.h"
#include "proto/tftp/receiver.h"
#include "transport/udp.h"

namespace pxe::server::tftp::test {

struct FetchResult {
  std::optional<proto::tftp::Action> result;  // Finished or Failed
  Bytes bytes;
  std::optional<std::uint64_t> tsize;
  std::uint32_t blksize = 0;
  std::uint32_t windowsize = 0;
  transport::Endpoint server_tid;

  bool ok() const { return result && std::holds_alternative<proto::tftp::Finished>(*result); }
  const proto::tftp::Failed* failed() const {
    return result ? std::get_if<proto::tftp::Failed>(&*result) : nullptr;
  }
};

inline FetchResult fetch(std::uint16_t port, proto::tftp::ReceiverConfig cfg,
                         std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  using namespace proto::tftp;
  FetchResult out;
  const Ipv4 lo(127, 0, 0, 1);
  auto sock = transport::UdpSocket::bind(lo, 0);
  if (!sock) return out;
  sock->set_buffers(8 << 20);
  MemorySink sink;
  cfg.timing.retransmit = std::chrono::milliseconds(200);
  cfg.server_port = port;
  Receiver r(sink, cfg);
  SystemClock clock;
  std::optional<Timestamp> timer;
  auto apply = [&](Actions actions) {
    for (auto& a : actions) {
      if (auto* s = std::get_if<SendDatagram>(&a))
        (void)sock->send_to(s->bytes, transport::Endpoint{lo, s->to_port ? *s->to_port : r.peer_port().value_or(port)});
      else if (auto* t = std::get_if<SetTimer>(&a)) timer = t->at;
      else if (std::holds_alternative<CancelTimer>(a)) timer.reset();
      else out.result = a;
    }
  };
  auto deadline = clock.now() + limit;
  apply(r.start(clock.now()));
  while (!r.done() && clock.now() < deadline) {
    pollfd p{sock->fd(), POLLIN, 0};
    int wait_ms = 100;
    if (timer) wait_ms = static_cast<int>(std::clamp<std::int64_t>((*timer - clock.now()).count() / 1000, 0, 100));
    ::poll(&p, 1, wait_ms);
    auto got = sock->receive_batch(32);
    if (got) {
      for (auto& d : *got) {
        if (!(d.from.addr == lo)) continue;
        apply(r.on_datagram(d.bytes, d.from.port, clock.now()));
        if (r.done()) break;
      }
    }
    if (timer && *timer <= clock.now()) {
      timer.reset();
      apply(r.on_timer(clock.now()));
    }
  }
  out.bytes = std::move(sink.bytes);
  out.tsize = r.tsize();
  out.blksize = r.blksize();
  out.windowsize = r.windowsize();
  if (auto tid = r.peer_port()) out.server_tid = transport::Endpoint{lo, *tid};
  return out;
}

inline proto::tftp::ReceiverConfig rrq(std::string name, std::vector<wire::tftp::Option> options = {}) {
  proto::tftp::ReceiverConfig c;
  c.filename = std::move(name);
  c.options = std::move(options);
  return c;
}

}  // namespace pxe::server::tftp::test
