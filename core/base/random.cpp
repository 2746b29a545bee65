#include "base/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

namespace pxe {

std::uint32_t SystemRandom::next() {
  std::uint32_t v = 0;
  for (;;) {
    ssize_t n = ::getrandom(&v, sizeof v, 0);
    if (n == ssize_t(sizeof v)) return v;
    // Requests of at most 256 bytes are never short once the pool is ready; only a signal
    // interrupts them. Anything else means the kernel has no getrandom (pre-3.17): nothing
    // sensible to hand out, so stop rather than return predictable values.
    if (n < 0 && errno == EINTR) continue;
    std::abort();
  }
}

}  // namespace pxe
