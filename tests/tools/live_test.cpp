// `pxekit decode --live` and `pxekit diagnose --live` on a veth pair inside a network namespace
// this test creates (support/netns.h), with busybox udhcpc as the client. Needs root, ip and busybox.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/netns.h"
#include "support/test_paths.h"

using namespace pxe::test;

namespace {

class LiveNamespace : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = netns_unavailable({"busybox", "timeout"}); !why.empty()) GTEST_SKIP() << why;
    std::string why;
    // IPv6 off (the helper's default): nothing but udhcpc talks on this link, so a capture that
    // only checked its duration between frames would never end (QuietLinkEndsOnTime).
    ASSERT_TRUE(net_.add_namespace(ns(), &why) && net_.add_veth(ns(), live_if(), ns(), client_if(), &why))
        << why;
  }
  std::string ns() const { return net_.server_ns(); }
  std::string live_if() const { return net_.name("a"); }    // where pxekit listens
  std::string client_if() const { return net_.name("b"); }  // where udhcpc asks
  std::string in_ns(const std::string& cmd) const { return Netns::exec_in(ns(), cmd); }
  // udhcpc on the other end: DISCOVERs that no server answers (bounded: 3 tries, 1 s apart).
  std::string client() const {
    return in_ns("timeout 20 busybox udhcpc -i " + client_if() + " -n -q -t 3 -T 1 -s /bin/true >/dev/null 2>&1");
  }

  Netns net_{"l"};
};

TEST_F(LiveNamespace, DecodeLivePrintsTheDiscovers) {
  std::string out;
  std::string cmd = "( sleep 1; " + client() + " ) & " +
                    in_ns("timeout 30 " + pxekit_binary() + " decode --live " + live_if() + " --count 2 --format json --filter 'udp port 67'");
  ASSERT_EQ(run(cmd, &out), 0) << out;
  std::istringstream in(out);
  std::string line;
  int discovers = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("dhcp") && j["dhcp"]["message_type"] == "Discover") ++discovers;
  }
  EXPECT_EQ(discovers, 2);
}

TEST_F(LiveNamespace, DiagnoseLiveExplainsMissingOffers) {
  std::string out;
  std::string cmd = "( sleep 1; " + client() + " ) & " +
                    in_ns("timeout 40 " + pxekit_binary() + " diagnose --live " + live_if() + " --duration 8 --format json");
  int rc = run(cmd, &out);
  EXPECT_EQ(rc, 1) << out;  // a client failed
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j["clients"].size(), 1u);
  bool no_offer = false;
  for (const auto& f : j["clients"][0]["findings"]) no_offer |= f["id"] == "no-offer";
  EXPECT_TRUE(no_offer) << out;
}

TEST_F(LiveNamespace, DiagnoseLiveOnAQuietLinkEndsAtItsDuration) {
  // No frame at all: the read must still give way to the clock (it used to block until a frame).
  std::string out;
  auto t0 = std::chrono::steady_clock::now();
  int rc = run(in_ns("timeout 20 " + pxekit_binary() + " diagnose --live " + live_if() + " --duration 2 --format json"), &out);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(rc, 124) << "still running after 20 s: " << out;
  EXPECT_LT(took, 6.0) << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["clients"].size(), 0u);
}

}  // namespace
