// libFuzzer: smb.conf text, and the same bytes as --share and --smb-user arguments. The reader
// either fails with an error naming the file and a line (and an offset inside the text), or gives
// settings in which every warning names the file and a line, every share has a name a client can
// ask for and a path, names are unique, and min protocol <= max protocol.
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "base/text.h"
#include "config/smb_conf.h"

namespace pc = pxe::config;

namespace {

// "fuzz.conf:<digits>: ..." with a line number of at least 1.
bool names_a_line(const std::string& what) {
  constexpr std::string_view kFile = "fuzz.conf:";
  if (what.rfind(kFile, 0) != 0) return false;
  std::size_t i = kFile.size();
  while (i < what.size() && what[i] >= '0' && what[i] <= '9') ++i;
  return i > kFile.size() && what[kFile.size()] != '0' && i + 1 < what.size() && what[i] == ':' && what[i + 1] == ' ';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  auto s = pc::parse_smb_conf(in, "fuzz.conf");
  if (!s) {
    if (!names_a_line(s.error().what)) std::abort();
    if (s.error().offset > size) std::abort();
  } else {
    for (const auto& w : s->warnings)
      if (!names_a_line(w)) std::abort();
    if (s->min_protocol > s->max_protocol || s->max_protocol == pc::SmbDialect::Nt1) std::abort();
    for (std::size_t i = 0; i < s->shares.size(); ++i) {
      const auto& share = s->shares[i];
      if (share.name.empty() || share.path.empty() || share.line == 0) std::abort();
      if (s->find_share(share.name) != &share) std::abort();  // unique without case
      if (pxe::iequals(share.name, "global") || pxe::iequals(share.name, "homes") || pxe::iequals(share.name, "IPC$"))
        std::abort();
      // What the reader accepted as a section, --share accepts as a name.
      if (!pc::parse_share_arg(share.name + "=" + share.path).ok()) std::abort();
    }
  }
  // The command-line forms: no crash, and a share that parses has a name and a path.
  if (auto share = pc::parse_share_arg(text); share.ok() && (share->name.empty() || share->path.empty())) std::abort();
  if (auto user = pc::parse_smb_user_arg(text); user.ok() && user->user.empty()) std::abort();
  return 0;
}
