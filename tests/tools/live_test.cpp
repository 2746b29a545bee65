// `pxekit decode --live` and `pxekit diagnose --live` on a veth pair inside a network namespace
// this test creates (pxkl-<pid>), with busybox udhcpc as the client. Needs root, ip and busybox.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_paths.h"

using namespace pxe::test;

namespace {

class LiveNamespace : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to create a network namespace (CI runs as root)";
    for (const char* p : {"ip", "busybox", "timeout"})
      if (!have_program(p)) GTEST_SKIP() << p << " is not installed";
    ns_ = "pxkl-" + std::to_string(getpid());
    ASSERT_EQ(run("ip netns add " + ns_), 0);
    created_ = true;
    ASSERT_EQ(run(in_ns("ip link add pxkla type veth peer name pxklb")), 0);
    ASSERT_EQ(run(in_ns("ip link set pxkla up")), 0);
    ASSERT_EQ(run(in_ns("ip link set pxklb up")), 0);
    ASSERT_EQ(run(in_ns("ip link set lo up")), 0);
  }
  void TearDown() override {
    if (created_) run("ip netns pids " + ns_ + " | xargs -r kill 2>/dev/null; ip netns del " + ns_);
  }
  std::string in_ns(const std::string& cmd) const { return "ip netns exec " + ns_ + " " + cmd; }
  // udhcpc on the other end: DISCOVERs that no server answers (bounded: 3 tries, 1 s apart).
  std::string client() const {
    return in_ns("timeout 20 busybox udhcpc -i pxklb -n -q -t 3 -T 1 -s /bin/true >/dev/null 2>&1");
  }

  std::string ns_;
  bool created_ = false;
};

TEST_F(LiveNamespace, DecodeLivePrintsTheDiscovers) {
  std::string out;
  std::string cmd = "( sleep 1; " + client() + " ) & " +
                    in_ns("timeout 30 " + pxekit_binary() + " decode --live pxkla --count 2 --format json --filter 'udp port 67'");
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
                    in_ns("timeout 40 " + pxekit_binary() + " diagnose --live pxkla --duration 8 --format json");
  int rc = run(cmd, &out);
  EXPECT_EQ(rc, 1) << out;  // a client failed
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j["clients"].size(), 1u);
  bool no_offer = false;
  for (const auto& f : j["clients"][0]["findings"]) no_offer |= f["id"] == "no-offer";
  EXPECT_TRUE(no_offer) << out;
}

}  // namespace
