// Reading a file at an offset until the buffer is full or the file ends (pread may return less
// than asked, and EINTR is retried): what TFTP's FdSource and the SMB shares' files both do.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"

namespace pxe::server {

// Bytes read: fewer than dst.size() only at end of file.
Result<std::size_t> pread_full(int fd, std::uint64_t offset, std::span<std::uint8_t> dst);

}  // namespace pxe::server
