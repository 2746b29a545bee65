// The TFTP server's named logger ("tftp").
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace pxe::server::tftp {

std::shared_ptr<spdlog::logger> log();

}  // namespace pxe::server::tftp
