// Things that look like failures in logs and captures but are normal: the tsize probe's abort
// (BIOS ROMs send error 0 "TFTP Aborted", EDK2 error 8) followed by a new RRQ for the same file,
// and pxelinux's config search not-founds ending in a file it found.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void benign_noise(const ClientContext& c, std::vector<Finding>& out) {
  for (std::size_t i = 0; i < c.transfers.size(); ++i) {
    const Transfer& t = c.transfers[i];
    if (!t.client_error || (t.client_error->error_code != 0 && t.client_error->error_code != 8)) continue;
    bool again = false;
    for (std::size_t j = i + 1; j < c.transfers.size() && !again; ++j) again = c.transfers[j].file == t.file;
    if (!again && !c.from_log) continue;
    Finding f;
    f.id = "tsize-probe-abort";
    f.severity = Severity::Info;
    f.cause = fmt::format("the client asked for {}'s size (tsize), then aborted with error {} \"{}\" and requested it again: "
                          "normal PXE behaviour, not a failure",
                          basename(t.file), t.client_error->error_code, t.client_error->error_message);
    f.evidence.push_back(evidence(t.client_error, "client ERROR " + std::to_string(t.client_error->error_code)));
    out.push_back(std::move(f));
  }
  std::vector<const Transfer*> misses;
  const Transfer* found = nullptr;
  for (const auto& t : c.transfers) {
    if (!is_config_search(t.file)) continue;
    if (t.server_error && t.server_error->error_code == 1) misses.push_back(&t);
    if (t.completed && !found) found = &t;
  }
  if (!misses.empty() && found) {
    Finding f;
    f.id = "pxelinux-config-search";
    f.severity = Severity::Info;
    f.cause = fmt::format("pxelinux tried {} per-machine config names (UUID, 01-MAC, hex IP) before {}: normal", misses.size(),
                          found->file);
    for (const auto* t : misses) f.evidence.push_back(evidence(t->server_error, "not found: " + t->file));
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
