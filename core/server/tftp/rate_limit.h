// The request rate limit lives with the admission decision in proto/tftp; the server keeps its
// old name for it.
#pragma once

#include "proto/tftp/rate_limit.h"

namespace pxe::server::tftp {

using RateLimiter = proto::tftp::RateLimiter;

}  // namespace pxe::server::tftp
