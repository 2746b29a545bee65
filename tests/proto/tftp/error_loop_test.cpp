// RFC 1350: an ERROR is never acknowledged. Neither machine answers one, in any state (the
// CVE-2024-2169 loop class needs only one side that does).
#include <gtest/gtest.h>

#include "link_harness.h"
#include "proto/tftp/receiver.h"
#include "proto/tftp/sender.h"

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;
using test::pattern;

std::size_t datagrams(const Actions& a) {
  std::size_t n = 0;
  for (const auto& x : a) n += datagram_bytes(x).has_value();
  return n;
}

const std::vector<Bytes> kErrors = {wt::encode(wt::ErrorPacket{0, "TFTP Aborted"}),
                                    wt::encode(wt::ErrorPacket{5, "Unknown transfer ID"}),
                                    wt::encode(wt::ErrorPacket{8, ""}), wt::encode(wt::ErrorPacket{4, "x"}),
                                    Bytes{0, 5, 0, 1}};  // no message, no NUL: malformed ERROR

TEST(TftpNoErrorLoop, SenderNeverAnswersAnErrorInAnyState) {
  const Timestamp t0{1'000'000};
  for (const auto& err : kErrors) {
    for (int state = 0; state < 3; ++state) {  // waiting for ACK 0, sending, done
      MemorySource f(pattern(5000));
      Negotiated n;
      if (state == 0) n.oack = {{"tsize", "5000"}};
      Sender s(f, n, {});
      (void)s.start(t0);
      if (state == 2) {
        for (std::uint16_t b = 1; b <= 10 && !s.done(); ++b) (void)s.on_datagram(wt::encode(wt::Ack{b}), t0);
        ASSERT_TRUE(s.done());
      }
      EXPECT_EQ(datagrams(s.on_datagram(err, t0)), 0u) << "state " << state;
    }
  }
}

TEST(TftpNoErrorLoop, ReceiverNeverAnswersAnErrorInAnyState) {
  const Timestamp t0{1'000'000};
  for (const auto& err : kErrors) {
    for (bool serve_write : {false, true}) {
      MemorySink sink;
      ReceiverConfig rc;
      rc.filename = "f";
      if (serve_write) rc.serve_write = Negotiated{};
      Receiver r(sink, rc);
      (void)r.start(t0);
      EXPECT_EQ(datagrams(r.on_datagram(err, t0)), 0u) << (serve_write ? "upload" : "client");
    }
  }
}

}  // namespace
}  // namespace pxe::proto::tftp
