// Dropping root after start, as dnsmasq does: the caller opens every socket and file first, then
// calls drop_privileges() before any thread starts (uid, capabilities and no-new-privs are per
// thread; threads started later inherit the dropped state).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace pxe::server {

// Capability numbers (linux/capability.h) the servers may keep.
enum class Capability : int { NetBindService = 10, NetAdmin = 12, NetRaw = 13 };

struct PrivilegeDrop {
  std::string user;   // empty: "nobody"
  std::string group;  // empty: the user's primary group
  std::vector<Capability> keep;
  // Files made before the drop that the new user must own (the lease database, its -wal and
  // -shm): chowned to it before the switch. Missing ones are skipped.
  std::vector<std::string> chown;
};

struct DropOutcome {
  bool dropped = false;   // false: not started as root (or user=root), nothing switched
  uid_t uid = 0;
  gid_t gid = 0;
  std::string summary;    // one log line: who we are now and what we kept
};

// Started as root: chown, then setgroups/setgid/setuid to the user keeping only `keep` in the
// permitted/effective sets (the bounding set is cut to them too), no ambient capabilities, and
// PR_SET_NO_NEW_PRIVS. Not root: nothing to switch; capabilities beyond `keep` (ambient ones a
// service manager gave) are still dropped and no-new-privs set. An error means the process must
// not go on (it could not become who it was told to be).
Result<DropOutcome> drop_privileges(const PrivilegeDrop& request);

// "CAP_NET_ADMIN CAP_NET_RAW" for the log.
std::string capability_names(const std::vector<Capability>& caps);

}  // namespace pxe::server
