#include "server/fs/pread.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

namespace pxe::server {

Result<std::size_t> pread_full(int fd, std::uint64_t offset, std::span<std::uint8_t> dst) {
  constexpr auto kMaxOff = static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());
  std::size_t got = 0;
  while (got < dst.size()) {
    if (offset > kMaxOff - got) break;  // past any file's end
    ssize_t n = ::pread(fd, dst.data() + got, dst.size() - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(std::string("pread: ") + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

}  // namespace pxe::server
