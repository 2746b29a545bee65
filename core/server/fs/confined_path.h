// The one way the servers open a client-named path: beneath a root directory opened once, never
// outside it. TFTP's root and the SMB shares both go through it.
//
// open_beneath() is openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): a '..' or a symlink that
// would leave the root, an absolute symlink, or a /proc magic link fails in the kernel (EXDEV,
// ELOOP). Where openat2 is missing (ENOSYS, kernels before 5.6) the path is opened with openat
// and the opened file's real path (/proc/self/fd) is checked to lie under the root instead; that
// fallback cannot honour extra resolve flags (RESOLVE_NO_SYMLINKS), so with them it fails ENOSYS.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace pxe::server {

// A root directory: its real path (symlinks resolved) and an O_PATH|O_DIRECTORY descriptor.
struct ConfinedRoot {
  UniqueFd fd;
  std::string real;  // realpath() of the directory, what the fallback compares against
};
Result<ConfinedRoot> open_confined_root(const std::string& path);

// Opens `relative` ("" or "." is the root itself) beneath `root_fd` (whose real path is
// `root_real`) with `flags` (O_CLOEXEC is always added) and RESOLVE_BENEATH |
// RESOLVE_NO_MAGICLINKS | `extra_resolve`. Returns the descriptor or -errno; a path that
// resolves outside the root gives -EXDEV (or -ELOOP for a magic link).
int open_beneath(int root_fd, const std::string& root_real, const std::string& relative, std::uint64_t flags,
                 std::uint64_t extra_resolve = 0);

}  // namespace pxe::server
