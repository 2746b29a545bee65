// The diagnosis as terminal text and as JSON (schema in docs/json.md).
#pragma once

#include <string>

#include "diag/report.h"

namespace pxe::diag {

std::string render_text(const Report& report);
std::string render_json(const Report& report);

}  // namespace pxe::diag
