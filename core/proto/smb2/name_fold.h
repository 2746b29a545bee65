// Case folding of SMB names, as Windows compares them (upper-casing, simple one-to-one
// mappings): ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other characters compare as
// they are. Shared by Share lookups and search-pattern matching so both agree.
#pragma once

#include <string>
#include <string_view>

namespace pxe::proto::smb2 {

// The code point upper-cased (itself when it has no simple mapping here).
char32_t fold_char(char32_t c);
// UTF-8 decoded and folded, one element per character. A byte that is not part of a valid
// UTF-8 sequence becomes U+DC00+byte (a lone surrogate, so it can equal no real character).
std::u32string fold_name(std::string_view utf8);

}  // namespace pxe::proto::smb2
