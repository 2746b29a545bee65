#include "transport/link.h"

#include <gtest/gtest.h>

#include <string>

#include "transport/frame.h"

namespace pxe::transport {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Mac mac(std::uint8_t last) { return Mac{{0x02, 0, 0, 0, 0, last}}; }
Ipv4 ip(std::uint8_t last) { return Ipv4(10, 0, 0, last); }

Bytes frame(std::uint8_t from, Mac to, std::string text) {
  UdpFrame f;
  f.src_mac = mac(from);
  f.dst_mac = to;
  f.src_ip = ip(from);
  f.dst_ip = to == kBroadcastMac ? kBroadcastIpv4 : ip(to.octets[5]);
  f.src_port = 1000;
  f.dst_port = 2000;
  f.payload.assign(text.begin(), text.end());
  return build_udp_frame(f);
}

std::string text_of(ByteSpan b) {
  auto p = parse_frame(b);
  if (!std::holds_alternative<UdpFrame>(p)) return "?";
  const Bytes& pl = std::get<UdpFrame>(p).payload;
  return std::string(pl.begin(), pl.end());
}

// Records what it receives; can be told to send.
class Recorder : public Station {
 public:
  explicit Recorder(Link& link) : link_(link) {}
  void on_frame(ByteSpan f, Timestamp now) override {
    got.push_back(text_of(f));
    at.push_back(now);
  }
  std::optional<Timestamp> next_deadline() const override { return std::nullopt; }
  void on_time(Timestamp) override {}
  std::vector<std::string> got;
  std::vector<Timestamp> at;

 private:
  [[maybe_unused]] Link& link_;
};

// Sends "ping N" to a peer and resends it every `retry` until "pong N" comes back; then, after
// `pause`, the next ping.
class Pinger : public Station {
 public:
  Pinger(Link& link, std::uint8_t self, std::uint8_t peer, Duration retry, Duration pause)
      : link_(link), self_(self), peer_(peer), retry_(retry), pause_(pause) {}
  void start(Timestamp now) { send_ping(now); }
  void on_frame(ByteSpan f, Timestamp now) override {
    if (text_of(f) != "pong " + std::to_string(n_)) return;
    ++pongs;
    ++n_;
    timer_ = now + pause_;
  }
  std::optional<Timestamp> next_deadline() const override { return timer_; }
  void on_time(Timestamp now) override { send_ping(now); }
  int pongs = 0;
  int pings_sent = 0;

 private:
  void send_ping(Timestamp now) {
    ++pings_sent;
    link_.send(frame(self_, mac(peer_), "ping " + std::to_string(n_)));
    timer_ = now + retry_;
  }
  Link& link_;
  std::uint8_t self_, peer_;
  Duration retry_, pause_;
  int n_ = 0;
  std::optional<Timestamp> timer_;
};

// Answers "ping N" with "pong N" after `think` (a timer), to the sender's MAC.
class Ponger : public Station {
 public:
  Ponger(Link& link, std::uint8_t self, Duration think) : link_(link), self_(self), think_(think) {}
  void on_frame(ByteSpan f, Timestamp now) override {
    std::string t = text_of(f);
    if (t.rfind("ping ", 0) != 0) return;
    auto p = std::get<UdpFrame>(parse_frame(f));
    reply_ = {p.src_mac.octets[5], "pong " + t.substr(5)};
    timer_ = now + think_;
  }
  std::optional<Timestamp> next_deadline() const override { return timer_; }
  void on_time(Timestamp) override {
    timer_.reset();
    link_.send(frame(self_, mac(reply_.first), reply_.second));
  }

 private:
  Link& link_;
  std::uint8_t self_;
  Duration think_;
  std::pair<std::uint8_t, std::string> reply_;
  std::optional<Timestamp> timer_;
};

TEST(Link, PingPongWithTimersAdvancesTheClockExactly) {
  ManualClock clock(Timestamp{1'000'000});
  Link link(clock);
  Pinger a(link, 1, 2, seconds(4), milliseconds(100));
  Ponger b(link, 2, milliseconds(10));
  link.attach(a, mac(1));
  link.attach(b, mac(2));
  a.start(clock.now());
  ASSERT_TRUE(link.run_until([&] { return a.pongs == 3; }, Timestamp{100'000'000}));
  EXPECT_EQ(a.pings_sent, 3);
  // Three rounds of 10 ms thinking, with 100 ms pauses between them.
  EXPECT_EQ(clock.now(), Timestamp{1'000'000} + milliseconds(3 * 10 + 2 * 100));
  EXPECT_EQ(link.delivered(), 6u);
}

TEST(Link, SameRunTwiceGivesTheSameTimes) {
  auto run = [] {
    ManualClock clock;
    Link link(clock);
    Pinger a(link, 1, 2, seconds(1), milliseconds(7));
    Ponger b(link, 2, milliseconds(3));
    link.attach(a, mac(1));
    link.attach(b, mac(2));
    int n = 0;
    link.set_hook([&](ByteSpan, Timestamp) { return FrameVerdict{++n % 3 == 0, {}, {}}; });
    a.start(clock.now());
    link.run_until([&] { return a.pongs == 5; }, Timestamp{60'000'000});
    return std::pair{clock.now(), a.pings_sent};
  };
  EXPECT_EQ(run(), run());
}

TEST(Link, DroppedFrameIsRetransmittedOnTheStationsTimer) {
  ManualClock clock;
  Link link(clock);
  Pinger a(link, 1, 2, seconds(4), milliseconds(100));
  Ponger b(link, 2, milliseconds(10));
  link.attach(a, mac(1));
  link.attach(b, mac(2));
  bool dropped = false;
  link.set_hook([&](ByteSpan f, Timestamp) {
    FrameVerdict v;
    if (!dropped && text_of(f) == "ping 0") v.drop = dropped = true;
    return v;
  });
  a.start(clock.now());
  ASSERT_TRUE(link.run_until([&] { return a.pongs == 1; }, Timestamp{60'000'000}));
  EXPECT_EQ(a.pings_sent, 2);
  EXPECT_EQ(clock.now(), Timestamp{} + seconds(4) + milliseconds(10));
}

TEST(Link, DelayedFrameArrivesLaterAndAfterFramesSentBehindIt) {
  ManualClock clock;
  Link link(clock);
  Recorder r(link);
  link.attach(r, mac(2));
  link.set_hook([](ByteSpan f, Timestamp) {
    FrameVerdict v;
    if (text_of(f) == "slow") v.delay = milliseconds(500);
    return v;
  });
  link.send(frame(1, mac(2), "slow"));
  link.send(frame(1, mac(2), "a"));
  link.send(frame(1, mac(2), "b"));
  EXPECT_EQ(link.queued(), 3u);
  EXPECT_TRUE(link.run_until([&] { return r.got.size() == 3; }, Timestamp{} + seconds(1)));
  EXPECT_EQ(r.got, (std::vector<std::string>{"a", "b", "slow"}));
  EXPECT_EQ(r.at[0], Timestamp{});
  EXPECT_EQ(r.at[2], Timestamp{} + milliseconds(500));
}

TEST(Link, FramesAtOneInstantArriveInTheOrderSent) {
  ManualClock clock;
  Link link(clock);
  Recorder r(link);
  link.attach(r, mac(2));
  for (int i = 0; i < 20; ++i) link.send(frame(1, mac(2), std::to_string(i)));
  EXPECT_TRUE(link.run_until([&] { return r.got.size() == 20; }, Timestamp{}));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(r.got[std::size_t(i)], std::to_string(i));
}

TEST(Link, HookCanRewriteAFrame) {
  ManualClock clock;
  Link link(clock);
  Recorder r(link);
  link.attach(r, mac(2));
  link.set_hook([](ByteSpan, Timestamp) {
    FrameVerdict v;
    v.replace = frame(1, mac(2), "rewritten");
    return v;
  });
  link.send(frame(1, mac(2), "original"));
  EXPECT_TRUE(link.run_until([&] { return !r.got.empty(); }, Timestamp{}));
  EXPECT_EQ(r.got, std::vector<std::string>{"rewritten"});
}

TEST(Link, LimitReachedReturnsFalseWithTheClockAtTheLimit) {
  ManualClock clock;
  Link link(clock);
  Pinger a(link, 1, 2, seconds(4), milliseconds(100));  // nobody answers
  link.attach(a, mac(1));
  a.start(clock.now());
  EXPECT_FALSE(link.run_until([&] { return a.pongs == 1; }, Timestamp{} + seconds(10)));
  EXPECT_EQ(clock.now(), Timestamp{} + seconds(10));
  EXPECT_EQ(a.pings_sent, 3);  // at 0, 4 and 8 s
}

TEST(Link, NothingLeftToHappenReturnsFalse) {
  ManualClock clock;
  Link link(clock);
  Recorder r(link);
  link.attach(r, mac(2));
  EXPECT_FALSE(link.run_until([] { return false; }, Timestamp{} + seconds(10)));
}

TEST(Link, DoneBeforeAnythingReturnsTrueAtOnce) {
  ManualClock clock;
  Link link(clock);
  link.send(frame(1, mac(2), "x"));
  EXPECT_TRUE(link.run_until([] { return true; }, Timestamp{}));
  EXPECT_EQ(link.queued(), 1u);
}

TEST(Link, BroadcastReachesEveryStationButTheSender) {
  ManualClock clock;
  Link link(clock);
  Recorder a(link), b(link), c(link), all(link);
  link.attach(a, mac(1));
  link.attach(b, mac(2));
  link.attach(c, mac(3));
  link.attach_all(all);
  // a broadcasts from inside its own on_time: fake that with a station that sends.
  struct Sender : Station {
    Link& l;
    bool sent = false;
    explicit Sender(Link& lk) : l(lk) {}
    void on_frame(ByteSpan, Timestamp) override { ADD_FAILURE() << "heard itself"; }
    std::optional<Timestamp> next_deadline() const override {
      return sent ? std::nullopt : std::optional<Timestamp>(Timestamp{});
    }
    void on_time(Timestamp) override {
      sent = true;
      l.send(frame(9, kBroadcastMac, "hello"));
    }
  } s(link);
  link.attach(s, mac(9));
  EXPECT_TRUE(link.run_until([&] { return all.got.size() == 1 && a.got.size() == 1; },
                             Timestamp{}));
  EXPECT_EQ(a.got, std::vector<std::string>{"hello"});
  EXPECT_EQ(b.got, std::vector<std::string>{"hello"});
  EXPECT_EQ(c.got, std::vector<std::string>{"hello"});
  EXPECT_EQ(all.got, std::vector<std::string>{"hello"});
}

TEST(Link, UnicastReachesOnlyItsMacAndPromiscuousStations) {
  ManualClock clock;
  Link link(clock);
  Recorder a(link), b(link), all(link);
  link.attach(a, mac(1));
  link.attach(b, mac(2));
  link.attach_all(all);
  link.send(frame(7, mac(2), "for b"));
  link.send(frame(7, mac(5), "for nobody"));
  EXPECT_TRUE(link.run_until([&] { return all.got.size() == 2; }, Timestamp{}));
  EXPECT_TRUE(a.got.empty());
  EXPECT_EQ(b.got, std::vector<std::string>{"for b"});
  EXPECT_EQ(all.got, (std::vector<std::string>{"for b", "for nobody"}));
}

TEST(Link, StationWithSeveralMacsGetsEachFrameOnce) {
  ManualClock clock;
  Link link(clock);
  Recorder multi(link);
  link.attach(multi, mac(1));
  link.attach(multi, mac(2));
  link.send(frame(7, mac(2), "u"));
  link.send(frame(7, kBroadcastMac, "b"));
  EXPECT_TRUE(link.run_until([&] { return link.queued() == 0; }, Timestamp{}));
  EXPECT_EQ(multi.got, (std::vector<std::string>{"u", "b"}));
}

TEST(Link, RecipientsHearAFrameInTheOrderTheyWereFirstAttached) {
  // A promiscuous station attached after a unicast one still comes after it, and a station
  // attached again (another MAC) keeps its first place: the in-process server and a fleet of
  // clients see frames in the same order on every run.
  ManualClock clock;
  Link link(clock);
  std::vector<std::string> order;
  struct Named : Station {
    Named(std::vector<std::string>& o, std::string n) : out(o), name(std::move(n)) {}
    void on_frame(ByteSpan, Timestamp) override { out.push_back(name); }
    std::optional<Timestamp> next_deadline() const override { return std::nullopt; }
    void on_time(Timestamp) override {}
    std::vector<std::string>& out;
    std::string name;
  };
  Named a(order, "a"), everything(order, "all"), b(order, "b");
  link.attach(a, mac(1));
  link.attach_all(everything);
  link.attach(b, mac(2));
  link.attach(a, mac(2));  // a hears mac 2 as well, still before "all"
  link.send(frame(9, mac(2), "x"));
  link.send(frame(9, mac(1), "y"));
  link.send(frame(9, kBroadcastMac, "z"));
  link.run_until([] { return false; }, Timestamp{} + seconds(1));
  EXPECT_EQ(order, (std::vector<std::string>{"a", "all", "b", "a", "all", "a", "all", "b"}));
}

TEST(Link, TapSeesDeliveredFramesOnceAndNotDroppedOnes) {
  ManualClock clock;
  Link link(clock);
  Recorder a(link), b(link);
  link.attach(a, mac(1));
  link.attach(b, mac(2));
  std::vector<std::pair<std::string, Timestamp>> tapped;
  link.set_tap([&](ByteSpan f, Timestamp t) { tapped.emplace_back(text_of(f), t); });
  link.set_hook([](ByteSpan f, Timestamp) {
    FrameVerdict v;
    v.drop = text_of(f) == "lost";
    if (text_of(f) == "late") v.delay = seconds(2);
    return v;
  });
  link.send(frame(7, kBroadcastMac, "late"));
  link.send(frame(7, kBroadcastMac, "lost"));
  link.send(frame(7, kBroadcastMac, "now"));
  EXPECT_TRUE(link.run_until([&] { return tapped.size() == 2; }, Timestamp{} + seconds(5)));
  ASSERT_EQ(tapped.size(), 2u);
  EXPECT_EQ(tapped[0], std::pair(std::string("now"), Timestamp{}));
  EXPECT_EQ(tapped[1], std::pair(std::string("late"), Timestamp{} + seconds(2)));
}

TEST(Link, StationsThatNeverLetTimePassStopTheRunInsteadOfHanging) {
  ManualClock clock;
  Link link(clock);
  struct Stuck : Station {
    void on_frame(ByteSpan, Timestamp) override {}
    std::optional<Timestamp> next_deadline() const override { return Timestamp{}; }
    void on_time(Timestamp) override {}  // never clears its deadline
  } s;
  link.attach(s, mac(1));
  EXPECT_FALSE(link.run_until([] { return false; }, Timestamp{} + seconds(1)));
}

}  // namespace
}  // namespace pxe::transport
