#include "server/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace pxe::server {

namespace {

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// glibc has no capset wrapper and libcap is one more dependency for three calls.
int capset(std::uint64_t effective, std::uint64_t permitted) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0].effective = std::uint32_t(effective);
  data[1].effective = std::uint32_t(effective >> 32);
  data[0].permitted = std::uint32_t(permitted);
  data[1].permitted = std::uint32_t(permitted >> 32);
  return int(::syscall(SYS_capset, &header, data));
}

// This thread's permitted set.
std::uint64_t permitted_now() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return 0;
  return std::uint64_t(data[0].permitted) | (std::uint64_t(data[1].permitted) << 32);
}

int last_capability() {
  int last = 40;  // CAP_CHECKPOINT_RESTORE, when /proc is not there to say
  std::ifstream("/proc/sys/kernel/cap_last_cap") >> last;
  return last;
}

std::uint64_t mask_of(const std::vector<Capability>& caps) {
  std::uint64_t m = 0;
  for (auto c : caps) m |= std::uint64_t(1) << int(c);
  return m;
}

// Keeps only `keep` (of what it has) in this thread's capability sets; no ambient, no-new-privs.
Result<void> narrow_capabilities(std::uint64_t keep) {
  keep &= permitted_now();
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return make_error(sys_error("prctl(PR_CAP_AMBIENT_CLEAR_ALL)"));
  if (capset(keep, keep) != 0) return make_error(sys_error("capset"));
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return make_error(sys_error("prctl(PR_SET_NO_NEW_PRIVS)"));
  return {};
}

}  // namespace

std::string capability_names(const std::vector<Capability>& caps) {
  std::string out;
  for (auto c : caps) {
    if (!out.empty()) out += ' ';
    switch (c) {
      case Capability::NetBindService: out += "CAP_NET_BIND_SERVICE"; break;
      case Capability::NetAdmin: out += "CAP_NET_ADMIN"; break;
      case Capability::NetRaw: out += "CAP_NET_RAW"; break;
    }
  }
  return out.empty() ? "none" : out;
}

Result<DropOutcome> drop_privileges(const PrivilegeDrop& request) {
  DropOutcome o;
  std::uint64_t keep = mask_of(request.keep);
  std::string user = request.user.empty() ? "nobody" : request.user;
  if (::geteuid() != 0 || user == "root") {
    if (auto r = narrow_capabilities(keep); !r) return r.error();
    o.uid = ::geteuid();
    o.gid = ::getegid();
    o.summary = ::geteuid() != 0
                    ? "not started as root (uid " + std::to_string(o.uid) + "): no user to switch to; capabilities kept: " +
                          capability_names(request.keep)
                    : "running as root (user=root): privileges not dropped";
    return o;
  }
  errno = 0;
  const passwd* pw = ::getpwnam(user.c_str());
  if (!pw) return make_error("user=" + user + ": no such user");
  o.uid = pw->pw_uid;
  o.gid = pw->pw_gid;
  std::string group_name = request.group;
  if (!group_name.empty()) {
    const struct group* gr = ::getgrnam(group_name.c_str());
    if (!gr) return make_error("group=" + group_name + ": no such group");
    o.gid = gr->gr_gid;
  } else if (const struct group* gr = ::getgrgid(o.gid)) {
    group_name = gr->gr_name;
  } else {
    group_name = std::to_string(o.gid);
  }
  for (const auto& path : request.chown)
    if (::chown(path.c_str(), o.uid, o.gid) != 0 && errno != ENOENT)
      return make_error(sys_error("chown " + path + " to " + user));
  // Keep the permitted set across setuid (only for this call), and cut the bounding set so that
  // nothing dropped can come back (needs CAP_SETPCAP; under a service manager that withholds it
  // the bounding set is already cut and no-new-privs makes it moot).
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return make_error(sys_error("prctl(PR_SET_KEEPCAPS)"));
  for (int cap = 0, last = last_capability(); cap <= last; ++cap)
    if (!(keep & (std::uint64_t(1) << cap))) (void)::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  gid_t groups[1] = {o.gid};
  if (::setgroups(1, groups) != 0) return make_error(sys_error("setgroups"));
  if (::setgid(o.gid) != 0) return make_error(sys_error("setgid " + group_name));
  if (::setuid(o.uid) != 0) return make_error(sys_error("setuid " + user));
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return make_error(sys_error("prctl(PR_SET_KEEPCAPS, 0)"));
  if (auto r = narrow_capabilities(keep); !r) return r.error();
  // A switch that can be undone did not happen.
  if (::setuid(0) == 0 || ::geteuid() != o.uid) return make_error("setuid " + user + ": root could be regained");
  o.dropped = true;
  o.summary = "running as user " + user + ", group " + group_name + "; capabilities kept: " + capability_names(request.keep);
  return o;
}

}  // namespace pxe::server
