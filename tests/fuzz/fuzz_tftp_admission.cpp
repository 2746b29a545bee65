// libFuzzer: the TFTP admission decision over a sequence of datagrams, with a simulated table of
// running transfers that carries the decisions out, and name normalisation of every request.
// Input: 3 bytes of limits (total cap, per-client cap, writable), then records split at
// "\xff\xfe\xfd": [source address 0..3][source port 0..3][events][datagram...]. `events` moves
// the sender's transfers on (bit 0: an unanswered one becomes answered, an answered one toggles
// stalled, as a client that goes silent past a retransmission and then ACKs again), ends the
// oldest transfer (bit 1) and moves the clock (bits 2-7, 50 ms each). Invariants, aborting when
// broken:
//   - a decision never both refuses and starts; Refuse carries a message, a start a request;
//   - Keep/Replace name a transfer of the same endpoint, file and direction (Keep: unanswered, or
//     a read still moving; Replace: an answered read that stalled, never an upload); non-requests
//     (an ERROR above all) are dropped;
//   - carried out, the decisions never take the table over the total or the per-client cap;
//   - a normalised name never has a ".." component and never starts with '/'.
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "proto/tftp/admission.h"
#include "server/tftp/file_access.h"
#include "wire/tftp/tftp.h"

namespace pt = pxe::proto::tftp;
namespace wt = pxe::wire::tftp;

namespace {

struct Running {
  std::uint64_t id;
  pxe::Ipv4 addr;
  std::uint16_t port;
  std::string name, mode;
  bool write, answered;
  bool stalled = false;
};

void require(bool ok) {
  if (!ok) std::abort();
}

void check_name(const std::string& name) {
  for (const auto& rules : {pxe::server::tftp::NameRules{false, false}, pxe::server::tftp::NameRules{true, true}}) {
    auto n = pxe::server::tftp::normalize_name(name, "/srv/tftp", rules);
    if (!n) continue;
    require(n->empty() || n->front() != '/');
    std::string_view rest = *n;
    while (!rest.empty()) {
      auto cut = rest.find('/');
      require(rest.substr(0, cut) != "..");
      rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  pt::AdmissionLimits limits;
  limits.max_transfers = 1 + data[0] % 16;
  limits.max_per_client = 1 + data[1] % 8;
  limits.writable = data[2] & 1;
  std::string_view in(reinterpret_cast<const char*>(data + 3), size - 3);
  pt::RateLimiter rate(20, 100);
  pxe::Timestamp now{1'000'000};
  std::deque<Running> table;
  std::uint64_t next_id = 1;

  while (!in.empty()) {
    auto cut = in.find("\xff\xfe\xfd");
    std::string_view rec = in.substr(0, cut);
    in = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 3);
    if (rec.size() < 3) continue;
    const pxe::Ipv4 addr(10, 0, 0, static_cast<std::uint8_t>(1 + rec[0] % 4));
    const std::uint16_t port = static_cast<std::uint16_t>(2000 + static_cast<std::uint8_t>(rec[1]) % 4);
    const auto events = static_cast<std::uint8_t>(rec[2]);
    now = now + std::chrono::milliseconds(50 * (events >> 2));
    for (auto& t : table)
      if (events & 1 && t.addr == addr && t.port == port) {
        if (t.answered) t.stalled = !t.stalled;
        t.answered = true;
      }
    if (events & 2 && !table.empty()) table.pop_front();
    pxe::ByteSpan bytes(reinterpret_cast<const std::uint8_t*>(rec.data() + 3), rec.size() - 3);

    std::vector<pt::SameEndpoint> same;
    pt::Running summary;
    summary.total = table.size();
    for (const auto& t : table) {
      if (t.addr != addr) continue;
      ++summary.from_client;
      if (t.port == port) same.push_back({t.id, t.name, t.mode, t.write, t.answered, t.stalled});
    }
    summary.same_endpoint = same;
    auto a = pt::admit(bytes, addr, summary, limits, rate, now);

    auto parsed = wt::parse(bytes);
    const auto* req = parsed ? std::get_if<wt::Request>(&*parsed) : nullptr;
    if (req) check_name(req->filename);
    if (!req) require(a.verdict == pt::Verdict::Drop);
    require(!(a.verdict == pt::Verdict::Refuse && a.starts()));
    if (a.verdict == pt::Verdict::Refuse) require(!a.message.empty());
    if (a.starts()) require(a.request.has_value() && req && a.request->filename == req->filename);
    if (a.verdict == pt::Verdict::Keep || a.verdict == pt::Verdict::Replace) {
      bool found = false;
      for (const auto& s : same)
        if (s.name == req->filename && s.write == req->write &&
            (a.verdict == pt::Verdict::Keep ? !s.answered || (!s.write && !s.stalled)
                                            : s.answered && s.stalled && !s.write && s.id == a.replace))
          found = true;
      require(found);
    }
    // Carry the decision out.
    if (a.verdict == pt::Verdict::Replace)
      std::erase_if(table, [&](const Running& t) { return t.id == a.replace; });
    if (a.starts())
      table.push_back({next_id++, addr, port, a.request->filename, a.request->mode, a.request->write, false, false});
    require(table.size() <= limits.max_transfers);
    std::size_t mine = 0;
    for (const auto& t : table) mine += t.addr == addr;
    require(mine <= limits.max_per_client);
  }
  return 0;
}
