// PXE-E32: read requests that nobody answered (often with ICMP port unreachable: no TFTP server).
#include "diag/rules/common.h"

#include <set>

namespace pxe::diag::rules {

namespace {

// From a dnsmasq log: the client was given a boot file and dnsmasq logged no TFTP at all.
void from_log(const ClientContext& c, std::vector<Finding>& out) {
  const Event* ack = nullptr;
  for (const Event* a : c.acks)
    if (!a->bootfile.empty()) ack = a;
  if (!ack || !c.transfers.empty() || c.log_has_tftp) return;
  Finding f = failure("tftp-open-timeout", "PXE-E32", c,
                      "dnsmasq acknowledged boot file " + ack->bootfile +
                          " but logged no TFTP activity at all: its TFTP server is not enabled, so the client's read "
                          "requests go unanswered (unless another TFTP server serves it)");
  f.evidence.push_back(evidence(ack, "DHCPACK " + ack->yiaddr.str() + " file " + ack->bootfile));
  f.fix_dnsmasq = "enable-tftp\ntftp-root=/srv/tftp";
  f.fix_pxekit = "pxekit serve --tftp-root /srv/tftp (or enable-tftp + tftp-root in its -C config)";
  out.push_back(std::move(f));
}

}  // namespace

void tftp_open_timeout(const ClientContext& c, std::vector<Finding>& out) {
  if (c.from_log) return from_log(c, out);
  std::set<std::string_view> reported;
  for (const auto& t : c.transfers) {
    if (t.answered || reported.count(t.file)) continue;
    bool later_ok = std::any_of(c.transfers.begin(), c.transfers.end(),
                                [&](const Transfer& x) { return x.file == t.file && x.answered; });
    if (later_ok) continue;
    std::vector<const Transfer*> attempts;
    for (const auto& x : c.transfers)
      if (x.file == t.file) attempts.push_back(&x);
    std::size_t rrqs = 0, icmps = 0;
    for (const auto* a : attempts) rrqs += a->requests.size(), icmps += a->icmp.size();
    // One unanswered RRQ at the end of a capture proves nothing, unless it was refused with ICMP
    // port unreachable: EDK2 gives up at the first one (PXE-E99), it sends no second RRQ.
    if (rrqs < 2 && icmps == 0 && seconds(c.capture_end - t.request->time) < 4) continue;
    reported.insert(t.file);
    std::string cause = fmt::format("{} read request{} for {} to {}:69 got no answer", rrqs, rrqs == 1 ? "" : "s", t.file,
                                    t.server.str());
    if (icmps) {
      std::string who = icmps == rrqs ? std::string(rrqs == 1 ? "it was" : "all were")
                                      : fmt::format("{} {}", icmps, icmps == 1 ? "was" : "were");
      cause += fmt::format("; {} refused with ICMP port unreachable: no TFTP server listens there", who);
    }
    Finding f = failure("tftp-open-timeout", "PXE-E32", c, cause);
    if (icmps && c.firmware == Firmware::UefiPxe) f.screen = "PXE-E99: Unexpected network error.";
    for (const auto* a : attempts) {
      for (const Event* e : a->requests) f.evidence.push_back(evidence(e, "RRQ " + e->filename + " to " + e->dst.str()));
      for (const Event* e : a->icmp) f.evidence.push_back(evidence(e, "ICMP udp port 69 unreachable"));
    }
    std::sort(f.evidence.begin(), f.evidence.end(), [](const Evidence& a, const Evidence& b) { return a.frame < b.frame; });
    f.fix_dnsmasq = "enable-tftp\ntftp-root=/srv/tftp";
    f.fix_pxekit = "pxekit serve --tftp-root /srv/tftp (or enable-tftp + tftp-root in its -C config); allow UDP 69 and the transfer ports in the firewall";
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
