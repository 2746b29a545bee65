#include "diag/events.h"

#include <cstring>
#include <ostream>

namespace pxe::diag {

std::ostream& operator<<(std::ostream& os, Text t) { return os << t.view(); }

Text TextStore::keep(std::string_view s) {
  if (s.empty()) return {};
  if (auto it = seen_.find(s); it != seen_.end()) return Text(*it);
  char* at;
  if (s.size() > kBlock / 4) {  // a long string gets a block of its own
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(s.size()));
    at = blocks_.back().get();
  } else {
    if (s.size() > left_) {
      // The current block's spare room stays unused: it is at most a quarter of a block.
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlock));
      next_ = blocks_.back().get();
      left_ = kBlock;
    }
    at = next_;
    next_ += s.size();
    left_ -= s.size();
  }
  std::memcpy(at, s.data(), s.size());
  bytes_ += s.size();
  std::string_view kept(at, s.size());
  seen_.insert(kept);
  return Text(kept);
}

}  // namespace pxe::diag
