// libFuzzer: SMB2 CREATE names and QUERY_DIRECTORY patterns. The input is a client name, a NUL,
// and a search pattern. smb_path() either refuses with one of the three statuses the design
// gives, or returns a share path that is already normal (no empty, ".", ".." component, no
// backslash, colon, wildcard or control character) and maps to itself; a MemoryShare looks it up
// without crashing and with one of the Share statuses (and canonical_path() differs from it only
// in case); every file information class encodes it or refuses with a status; short_name() is
// stable and 8.3-shaped when it mangles. match_pattern() never crashes, "*" and ""
// match every name, a name without wildcards matches itself and its ASCII upper case.
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/smb2/file_info.h"
#include "proto/smb2/memory_share.h"
#include "proto/smb2/share.h"
#include "wire/smb2/status.h"

namespace smb = pxe::proto::smb2;
namespace st = pxe::wire::smb2::status;

namespace {

smb::MemoryShare& share() {
  static smb::MemoryShare* s = [] {
    auto* m = new smb::MemoryShare();
    m->add_file("setup.exe", pxe::Bytes{'M', 'Z'});
    m->add_file("sources/install.wim", pxe::Bytes(100, 1));
    m->add_file("Boot/BCD", pxe::Bytes{});
    m->add_dir("efi/microsoft/boot");
    return m;
  }();
  return *s;
}

void check_path(std::string_view name) {
  auto r = smb::smb_path(name);
  if (!r) {
    std::uint32_t c = r.error().code;
    if (c != st::kObjectNameInvalid && c != st::kObjectPathSyntaxBad && c != st::kObjectNameNotFound) std::abort();
    if (r.error().what.empty()) std::abort();
    return;
  }
  const std::string& p = *r;
  if (!p.empty() && (p.front() == '/' || p.back() == '/')) std::abort();
  std::size_t start = 0;
  while (!p.empty() && start <= p.size()) {
    std::size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    std::string_view comp(p.data() + start, end - start);
    if (comp.empty() || comp == "." || comp == ".." || comp.size() > 255) std::abort();
    start = end + 1;
  }
  for (unsigned char c : p)
    if (c < 0x20 || c == '\\' || c == ':' || c == '*' || c == '?' || c == '<' || c == '>' || c == '"' || c == '|')
      std::abort();
  // Normal already: the same path given back (with either separator) maps to itself.
  std::string back = p;
  for (char& c : back)
    if (c == '/') c = '\\';
  auto again = smb::smb_path(back);
  if (!again || *again != p) std::abort();
  auto leading = smb::smb_path("\\" + back);
  if (!leading || *leading != p) std::abort();

  // Every file information class encodes the name or refuses with a status; a short name fits
  // 8.3 when it had to be made (a '~' in it) and is the same each time.
  smb::FileMeta meta;
  for (int c = 0; c < 64; ++c)
    if (auto b = smb::encode_file_info(static_cast<std::uint8_t>(c), meta, p); !b && b.error().code == 0) std::abort();
  std::string_view last = std::string_view(p).substr(p.rfind('/') == std::string::npos ? 0 : p.rfind('/') + 1);
  if (!last.empty()) {
    std::string s = smb::short_name(last);
    if (s.empty() || s != smb::short_name(last)) std::abort();
    if (s != last) {
      std::size_t dot = s.find('.');
      if (s.find('~') == std::string::npos || (dot == std::string::npos ? s.size() : dot) > 8 ||
          (dot != std::string::npos && s.size() - dot - 1 > 3))
        std::abort();
    }
  }
  if (auto c = share().canonical_path(p); c && !smb::name_equals_ci(*c, p)) std::abort();

  auto ok_code = [](std::uint32_t c) {
    return c == st::kObjectNameNotFound || c == st::kObjectPathNotFound || c == st::kFileIsADirectory ||
           c == st::kNotADirectory || c == st::kAccessDenied;
  };
  if (auto m = share().stat(p); !m && !ok_code(m.error().code)) std::abort();
  if (auto f = share().open(p); !f && !ok_code(f.error().code)) std::abort();
  if (auto l = share().list(p); !l && !ok_code(l.error().code)) std::abort();
}

void check_pattern(std::string_view name, std::string_view pattern) {
  (void)smb::match_pattern(name, pattern);
  if (!smb::match_pattern(name, "*") || !smb::match_pattern(name, "")) std::abort();
  if (name.find_first_of("*?<>\"") == std::string_view::npos) {
    if (!smb::match_pattern(name, name)) std::abort();
    std::string upper(name);
    for (char& c : upper)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!smb::match_pattern(name, upper)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // match_pattern is O(name x pattern): keep each run short
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t nul = in.find('\0');
  std::string_view name = in.substr(0, nul);
  std::string_view pattern = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);
  check_path(name);
  check_path(in);  // the whole input too, NULs included (refused)
  check_pattern(name, pattern);
  return 0;
}
