// The ladder diagram of one client as inline SVG, for the HTML report.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "diag/report.h"

namespace pxe::diag::html {

// "+1.234 s" from the first step's time.
std::string relative_seconds(Timestamp t, Timestamp origin);
// At most max_chars characters (UTF-8 aware), with "…" when cut.
std::string shorten(std::string_view text, std::size_t max_chars);
// The first step's time, or the first evidence time when there is no ladder.
Timestamp origin_of(const ClientReport& client);

// One <g class="arrow ..."> per drawn step; steps beyond max_steps are left out (failing steps
// always stay) and each gap is marked with a row saying how many steps it hides.
std::string ladder_svg(const ClientReport& client, std::size_t max_steps);

}  // namespace pxe::diag::html
