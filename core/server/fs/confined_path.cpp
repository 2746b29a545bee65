#include "server/fs/confined_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace pxe::server {

Result<ConfinedRoot> open_confined_root(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return make_error(path + ": " + std::strerror(errno));
  int fd = ::open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": " + std::strerror(errno));
  return ConfinedRoot{UniqueFd(fd), buf};
}

int open_beneath(int root_fd, const std::string& root_real, const std::string& relative, std::uint64_t flags,
                 std::uint64_t extra_resolve) {
  const char* rel = relative.empty() ? "." : relative.c_str();
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | extra_resolve;
  long fd = ::syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
  if (fd >= 0) return static_cast<int>(fd);
  if (errno != ENOSYS) return -errno;
  if (extra_resolve != 0) return -ENOSYS;
  // No openat2: open, then check where the file really is.
  int f = ::openat(root_fd, rel, static_cast<int>(flags | O_CLOEXEC));
  if (f < 0) return -errno;
  char link[64], real[PATH_MAX];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", f);
  ssize_t n = ::readlink(link, real, sizeof real - 1);
  if (n <= 0) {
    ::close(f);
    return -EACCES;
  }
  std::string_view rp(real, static_cast<std::size_t>(n));
  const bool is_root = rp == root_real;
  const bool under = rp.size() > root_real.size() && rp.compare(0, root_real.size(), root_real) == 0 &&
                     (root_real == "/" || rp[root_real.size()] == '/');
  if (!is_root && !under) {
    ::close(f);
    return -EXDEV;
  }
  return f;
}

}  // namespace pxe::server
