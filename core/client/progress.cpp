#include "client/progress.h"

#include <fmt/format.h>

#include <algorithm>

namespace pxe::client {

std::string ProgressBar::update(const std::optional<Progress>& p, Timestamp now) {
  std::string out;
  if (!p || p->file != file_) {
    out = finish();
    file_ = p ? p->file : std::string();
    started_ = last_draw_ = now;
    start_bytes_ = p ? p->bytes : 0;
    if (!p) return out;
  }
  const std::uint64_t size = p->total.value_or(p->bytes);
  if (std::max(size, p->bytes) < kMinBytes || now - last_draw_ < kEvery) return out;
  last_draw_ = now;
  const double mb = 1e6;
  const double secs = double((now - started_).count()) / 1e6;
  const double rate = secs > 0 ? double(p->bytes - start_bytes_) / secs / mb : 0;
  std::string name = p->file.substr(p->file.find_last_of("/\\") == std::string::npos ? 0 : p->file.find_last_of("/\\") + 1);
  if (p->total && *p->total > 0) {
    const double frac = std::min(1.0, double(p->bytes) / double(*p->total));
    constexpr int kWidth = 20;
    const int fill = int(frac * kWidth);
    out += fmt::format("\r  {} [{}{}] {:3.0f}%  {:.1f}/{:.1f} MB  {:.1f} MB/s", name, std::string(fill, '#'),
                       std::string(kWidth - fill, ' '), frac * 100, double(p->bytes) / mb, double(*p->total) / mb, rate);
  } else {
    out += fmt::format("\r  {} {:.1f} MB  {:.1f} MB/s", name, double(p->bytes) / mb, rate);
  }
  drawn_ = true;
  return out;
}

std::string ProgressBar::finish() {
  if (!drawn_) return {};
  drawn_ = false;
  return "\r\033[K";
}

}  // namespace pxe::client
