// TFTP errors from the server: the boot program missing (PXE-E3B), access violation (PXE-E3C),
// other errors (PXE-E36), a pxelinux module missing, and pxelinux finding no config file.
#include "diag/rules/common.h"

#include <set>

namespace pxe::diag::rules {

namespace {

bool recovered(const ClientContext& c, const Transfer& t) {
  // The same file (case and slashes aside) arrived later: the error did not stop the boot.
  auto norm = [](std::string_view v) {
    std::string s(v);
    std::replace(s.begin(), s.end(), '\\', '/');
    for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return basename(s);
  };
  std::string want = norm(t.file);
  return std::any_of(c.transfers.begin(), c.transfers.end(), [&](const Transfer& x) {
    return &x != &t && x.completed && norm(x.file) == want && x.request->frame > t.request->frame;
  });
}

}  // namespace

void tftp_error(const ClientContext& c, std::vector<Finding>& out) {
  std::vector<const Transfer*> config_failures;
  std::set<std::string> reported;
  bool config_found = false;
  for (const auto& t : c.transfers) {
    if (is_config_search(t.file)) {
      if (t.completed) config_found = true;
      if (t.server_error) config_failures.push_back(&t);
      continue;
    }
    std::string base = basename(t.file);
    bool module = base.ends_with(".c32") || base.ends_with(".e64");
    // pxelinux looks for a missing ldlinux.c32 under several directories (/boot/isolinux/,
    // /isolinux/, /boot/syslinux/, /syslinux/, /): one module, one finding.
    if (!t.server_error || recovered(c, t) || !reported.insert(module ? base : t.file.str()).second) continue;
    const Event* err = t.server_error;
    bool nbp = &t == &c.transfers.front();
    Finding f;
    if (err->error_code == 1 && module) {
      f = failure("module-missing", "PXE-E3B", c,
                  "pxelinux needs " + base + " next to pxelinux.0 in the TFTP root and the server does not have it");
      f.screen = base == "ldlinux.c32" || base == "ldlinux.e64" ? "Failed to load " + base
                                                                 : "Failed to load COM32 file " + base;
      f.fix_dnsmasq = "copy " + base + " (Debian: /usr/lib/syslinux/modules/bios/ or efi64/) into tftp-root";
      f.fix_pxekit = "put " + base + " into the --tftp-root directory";
    } else if (err->error_code == 1) {
      f = failure("tftp-file-not-found", "PXE-E3B", c,
                  fmt::format("the TFTP server has no {} ({}): \"{}\"", t.file, nbp ? "the boot file the DHCP offer named" : "requested after the boot program",
                              err->error_message));
      if (!nbp) f.screen = "Could not load " + t.file + ": No such file or directory";
      if (t.file.find('\\') != std::string::npos)
        f.cause += "; the name uses Windows backslashes — the server must map \\ to /";
      f.fix_dnsmasq = nbp ? "dhcp-boot=<a file that exists under tftp-root> (names are relative to tftp-root and case-sensitive)"
                          : "put " + t.file + " under tftp-root (names are case-sensitive; tftp-lowercase helps Windows clients)";
      f.fix_pxekit = "place the file under --tftp-root (pxekit maps \\ to / and can look names up case-insensitively)";
    } else if (err->error_code == 2) {
      f = failure("tftp-access-violation", "PXE-E3C", c,
                  fmt::format("the TFTP server refused {}: \"{}\" (permissions, SELinux, or tftp-secure ownership)", t.file,
                              err->error_message));
      f.fix_dnsmasq = "chmod a+r the file and a+x its directories under tftp-root; with tftp-secure the file must be owned by dnsmasq's user";
      f.fix_pxekit = "make the file readable by the pxekit serve user under --tftp-root";
    } else {
      f = failure("tftp-error", "PXE-E36", c,
                  fmt::format("the TFTP server ended the transfer of {} with error {} \"{}\"", t.file, err->error_code,
                              err->error_message));
      f.fix_dnsmasq = "see the server's log for the error; tftp-no-blocksize helps clients that mishandle blksize";
      f.fix_pxekit = "see pxekit serve's log line for this transfer";
      if (err->error_message.find("Is a directory") != std::string::npos) {
        f.cause += ": the name is a directory, not a file";
        f.fix_dnsmasq = "dhcp-boot=<a file under tftp-root, e.g. pxelinux.0>, not a directory";
        f.fix_pxekit = "the same dhcp-boot line in the config given to pxekit serve -C";
      }
    }
    bool pxe = c.firmware != Firmware::LinuxDhcp && c.firmware != Firmware::WinPe && c.firmware != Firmware::Unknown;
    if (!pxe && !module) f.screen = fmt::format("TFTP error {}: {}", err->error_code, err->error_message);
    for (const auto& x : c.transfers) {
      if ((module ? basename(x.file) != base : x.file != t.file) || !x.server_error) continue;
      f.evidence.push_back(evidence(x.request, "RRQ " + x.file));
      f.evidence.push_back(evidence(x.server_error, fmt::format("TFTP ERROR {} \"{}\"", x.server_error->error_code,
                                                                x.server_error->error_message)));
    }
    out.push_back(std::move(f));
  }
  if (!config_failures.empty() && !config_found) {
    // pxelinux tries UUID, 01-MAC, the hex IP prefixes and finally "default".
    const Transfer* last = config_failures.back();
    // A log has no later packets to wait for: only a search that ended at "default" counts.
    if (basename(last->file) != "default" && (c.from_log || seconds(c.capture_end - last->request->time) < 5)) return;
    Finding f = failure("pxelinux-no-config", "", c,
                        "pxelinux searched pxelinux.cfg/ and found no configuration file, not even \"default\"");
    f.screen = "Unable to locate configuration file";
    for (const auto* t : config_failures) f.evidence.push_back(evidence(t->server_error, "not found: " + t->file));
    f.fix_dnsmasq = "create <tftp-root>/pxelinux.cfg/default (next to pxelinux.0)";
    f.fix_pxekit = "create pxelinux.cfg/default under --tftp-root";
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
