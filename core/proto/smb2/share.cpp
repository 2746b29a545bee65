#include "proto/smb2/share.h"

#include <vector>

#include "proto/smb2/name_fold.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {

namespace st = wire::smb2::status;

std::uint32_t file_attributes(const FileMeta& m) {
  constexpr std::uint32_t kReadOnly = 0x01, kHidden = 0x02, kDirectory = 0x10, kArchive = 0x20;
  std::uint32_t a = m.directory ? kDirectory : (kReadOnly | kArchive);
  if (m.hidden) a |= kHidden;
  return a;
}

bool name_equals_ci(std::string_view a, std::string_view b) {
  return a == b || fold_name(a) == fold_name(b);
}

namespace {

Error refuse(std::uint32_t code, std::string what) { return make_status_error(code, std::move(what)); }

// The characters Windows refuses in a name component: controls, wildcards, '|'. ':' is handled
// separately (stream syntax).
bool bad_char(unsigned char c) {
  return c < 0x20 || c == '*' || c == '?' || c == '<' || c == '>' || c == '"' || c == '|';
}

// "name:stream", "name:stream:$DATA", "name::$DATA": a well-formed stream reference.
bool well_formed_stream(std::string_view component, std::size_t colon) {
  if (colon == 0) return false;
  std::string_view rest = component.substr(colon + 1);
  std::size_t second = rest.find(':');
  std::string_view stream = rest.substr(0, second);
  if (second == std::string_view::npos) return !stream.empty();
  std::string_view type = rest.substr(second + 1);
  return fold_name(type) == fold_name("$DATA");  // the only stream type there is
}

}  // namespace

Result<std::string> smb_path(std::string_view name) {
  if (!name.empty() && (name.front() == '\\' || name.front() == '/')) name.remove_prefix(1);
  if (name.empty()) return std::string();
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = name.find_first_of("\\/", start);
    bool last = end == std::string_view::npos;
    std::string_view c = name.substr(start, last ? std::string_view::npos : end - start);
    if (c.empty()) return refuse(st::kObjectNameInvalid, "empty path component");
    if (c.size() > 255) return refuse(st::kObjectNameInvalid, "path component longer than 255 bytes");
    for (unsigned char ch : c)
      if (bad_char(ch)) return refuse(st::kObjectNameInvalid, "wildcard or control character in the name");
    if (std::size_t colon = c.find(':'); colon != std::string_view::npos) {
      if (!last || !well_formed_stream(c, colon)) return refuse(st::kObjectNameInvalid, "':' in the name");
      return refuse(st::kObjectNameNotFound, "alternate data streams are not served");
    }
    if (c == ".") return refuse(st::kObjectNameInvalid, "'.' path component");
    if (c == "..") {
      if (parts.empty()) return refuse(st::kObjectPathSyntaxBad, "'..' climbs above the share root");
      parts.pop_back();
    } else {
      parts.push_back(c);
    }
    if (last) break;
    start = end + 1;
  }
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace pxe::proto::smb2
