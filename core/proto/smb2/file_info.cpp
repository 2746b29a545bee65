#include "proto/smb2/file_info.h"

#include <vector>

#include "proto/smb2/name_fold.h"
#include "wire/smb2/status.h"
#include "wire/smb2/utf16.h"

namespace pxe::proto::smb2 {

namespace st = wire::smb2::status;
using wire::smb2::utf8_to_utf16le;

namespace {

Error bad_class(std::uint8_t c) {
  return make_status_error(st::kInvalidInfoClass, "information class " + std::to_string(c) + " is not served");
}

void times(ByteWriter& w, const FileMeta& m) {
  w.u64le(m.creation);
  w.u64le(m.last_access);
  w.u64le(m.last_write);
  w.u64le(m.change);
}

// The open's name as Windows reports it: share-relative, leading '\\', '\\' separators.
Bytes wire_name(std::string_view path) {
  std::string s = "\\";
  for (char c : path) s += c == '/' ? '\\' : c;
  return utf8_to_utf16le(s);
}

void basic(ByteWriter& w, const FileMeta& m) {  // FileBasicInformation, 40 bytes
  times(w, m);
  w.u32le(file_attributes(m));
  w.u32le(0);
}

void standard(ByteWriter& w, const FileMeta& m) {  // FileStandardInformation, 24 bytes
  w.u64le(m.allocation);
  w.u64le(m.size);
  w.u32le(1);  // NumberOfLinks
  w.u8(0);     // DeletePending
  w.u8(m.directory ? 1 : 0);
  w.u16le(0);
}

void name_info(ByteWriter& w, std::string_view path) {  // FileNameInformation, 4 + n bytes
  Bytes n = wire_name(path);
  w.u32le(static_cast<std::uint32_t>(n.size()));
  w.bytes(n);
}

}  // namespace

namespace {

bool short_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'()-@^_`{}~").find(c) != std::string_view::npos;
}

// Upper-cased, only characters a short name may hold.
std::string short_chars(std::string_view s) {
  std::string out;
  for (char c : s) {
    char u = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (short_name_char(u)) out += u;
  }
  return out;
}

}  // namespace

std::string short_name(std::string_view name) {
  std::size_t dot = name.rfind('.');
  bool has_ext = dot != std::string_view::npos && dot != 0;
  std::string_view base = has_ext ? name.substr(0, dot) : name;
  std::string_view ext = has_ext ? name.substr(dot + 1) : std::string_view{};
  std::string b = short_chars(base), e = short_chars(ext);
  // Already 8.3 (but for case): every character kept, one dot at most, lengths fit. Samba 4.17
  // answers such a name as it is, case kept ("Install.WIM", measured), so do we.
  if (b.size() == base.size() && e.size() == ext.size() && !b.empty() && b.size() <= 8 && e.size() <= 3 &&
      (!has_ext || !e.empty()))
    return std::string(name);
  // Mangled: up to 4 characters of the name, '~', 3 characters of a hash of the whole (case-folded)
  // name, so the same name always gets the same short name and two names rarely share one.
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char32_t c : fold_name(name)) {
    h = (h ^ static_cast<std::uint32_t>(c)) * 16777619u;
  }
  constexpr std::string_view kDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string out = b.substr(0, 4);
  if (out.empty()) out = "_";
  out += '~';
  for (int i = 0; i < 3; ++i) {
    out += kDigits[h % 36];
    h /= 36;
  }
  if (!e.empty()) out += "." + e.substr(0, 3);
  return out;
}

Result<Bytes> encode_file_info(std::uint8_t info_class, const FileMeta& m, std::string_view name,
                               std::uint32_t granted_access) {
  namespace fc = file_class;
  ByteWriter w;
  switch (info_class) {
    case fc::kBasic: basic(w, m); break;
    case fc::kStandard: standard(w, m); break;
    case fc::kInternal: w.u64le(m.index); break;
    case fc::kEa: w.u32le(0); break;
    case fc::kAccess: w.u32le(granted_access); break;
    case fc::kPosition: w.u64le(0); break;
    case fc::kMode: w.u32le(0); break;
    case fc::kAlignment: w.u32le(0); break;  // FILE_BYTE_ALIGNMENT
    case fc::kName: name_info(w, name); break;
    case fc::kNormalizedName: {  // relative to the share, no leading '\\' ("" for the root), as Samba
      Bytes n = wire_name(name);
      w.u32le(static_cast<std::uint32_t>(n.size() - 2));
      w.bytes(ByteSpan(n).subspan(2));
      break;
    }
    case fc::kAll:
      basic(w, m);
      standard(w, m);
      w.u64le(m.index);          // Internal
      w.u32le(0);                // Ea
      w.u32le(granted_access);   // Access (offset 76)
      w.u64le(0);                // Position
      w.u32le(0);                // Mode
      w.u32le(0);                // Alignment
      name_info(w, name);
      break;
    case fc::kAlternateName: {
      // smbclient's allinfo gives up when this fails, so answer like Samba: an 8.3 name.
      std::size_t slash = name.rfind('/');
      std::string_view last = slash == std::string_view::npos ? name : name.substr(slash + 1);
      // The root: "." (Samba 4.17, measured).
      Bytes n = utf8_to_utf16le(last.empty() ? std::string(".") : short_name(last));
      w.u32le(static_cast<std::uint32_t>(n.size()));
      w.bytes(n);
      break;
    }
    case fc::kStream:
      if (!m.directory) {  // one FILE_STREAM_INFORMATION entry, the unnamed data stream
        Bytes n = utf8_to_utf16le("::$DATA");
        w.u32le(0);  // NextEntryOffset
        w.u32le(static_cast<std::uint32_t>(n.size()));
        w.u64le(m.size);
        w.u64le(m.allocation);
        w.bytes(n);
      }
      break;
    case fc::kFullEa: return make_status_error(st::kNoEasOnFile, "no extended attributes");
    case fc::kCompression:  // FILE_COMPRESSION_INFORMATION, 16 bytes: not compressed
      w.u64le(m.size);      // CompressedFileSize: the data as stored
      w.u16le(0);           // COMPRESSION_FORMAT_NONE
      w.zeros(6);           // unit/chunk/cluster shifts, reserved
      break;
    case fc::kNetworkOpen:  // 56 bytes
      times(w, m);
      w.u64le(m.allocation);
      w.u64le(m.size);
      w.u32le(file_attributes(m));
      w.u32le(0);
      break;
    case fc::kAttributeTag:
      w.u32le(file_attributes(m));
      w.u32le(0);  // ReparseTag
      break;
    default: return bad_class(info_class);
  }
  return w.take();
}

Result<Bytes> encode_fs_info(std::uint8_t info_class, const VolumeInfo& v) {
  namespace fs = fs_class;
  ByteWriter w;
  switch (info_class) {
    case fs::kVolume: {  // 18 + label
      Bytes label = utf8_to_utf16le(v.label);
      w.u64le(v.creation);
      w.u32le(v.serial);
      w.u32le(static_cast<std::uint32_t>(label.size()));
      w.u8(0);  // SupportsObjects
      w.u8(0);
      w.bytes(label);
      break;
    }
    case fs::kSize:  // 24
      w.u64le(v.total_units);
      w.u64le(v.free_units);
      w.u32le(v.sectors_per_unit);
      w.u32le(v.bytes_per_sector);
      break;
    case fs::kDevice:  // 8
      w.u32le(0x07);   // FILE_DEVICE_DISK
      w.u32le(0x22);   // FILE_READ_ONLY_DEVICE | FILE_DEVICE_IS_MOUNTED
      break;
    case fs::kAttribute: {  // 12 + name
      Bytes n = utf8_to_utf16le(v.fs_name);
      // FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK | FILE_READ_ONLY_VOLUME
      w.u32le(0x00080006);
      w.u32le(255);  // MaximumComponentNameLength
      w.u32le(static_cast<std::uint32_t>(n.size()));
      w.bytes(n);
      break;
    }
    case fs::kControl: return make_status_error(st::kNotSupported, "no quota control on a read-only share");
    case fs::kFullSize:  // 32
      w.u64le(v.total_units);
      w.u64le(v.free_units);  // CallerAvailableAllocationUnits
      w.u64le(v.free_units);  // ActualAvailableAllocationUnits
      w.u32le(v.sectors_per_unit);
      w.u32le(v.bytes_per_sector);
      break;
    case fs::kObjectId: w.zeros(64); break;
    case fs::kSectorSize:  // 28
      for (int i = 0; i < 4; ++i) w.u32le(v.bytes_per_sector);
      w.u32le(0x3);  // SSINFO_FLAGS_ALIGNED_DEVICE | SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE
      w.u32le(0);    // ByteOffsetForSectorAlignment
      w.u32le(0);    // ByteOffsetForPartitionAlignment
      break;
    default: return bad_class(info_class);
  }
  return w.take();
}

namespace {

// A SID ([MS-DTYP] 2.4.2.2): revision 1, authority (48-bit big-endian), sub-authorities LE.
void sid(ByteWriter& w, std::uint8_t authority, std::initializer_list<std::uint32_t> subs) {
  w.u8(1);
  w.u8(static_cast<std::uint8_t>(subs.size()));
  w.zeros(5);
  w.u8(authority);
  for (std::uint32_t s : subs) w.u32le(s);
}
void administrators(ByteWriter& w) { sid(w, 5, {32, 544}); }  // S-1-5-32-544
void everyone(ByteWriter& w) { sid(w, 1, {0}); }              // S-1-1-0

}  // namespace

Bytes encode_security_descriptor(std::uint32_t info) {
  constexpr std::uint32_t kOwner = 1, kGroup = 2, kDacl = 4;
  constexpr std::uint16_t kSelfRelative = 0x8000, kDaclPresent = 0x0004;
  ByteWriter w;
  w.u8(1);  // Revision
  w.u8(0);  // Sbz1
  w.u16le(static_cast<std::uint16_t>(kSelfRelative | ((info & kDacl) ? kDaclPresent : 0)));
  std::size_t offsets = w.size();
  w.zeros(16);  // OffsetOwner, OffsetGroup, OffsetSacl, OffsetDacl
  if (info & kOwner) {
    w.put_u32le_at(offsets, static_cast<std::uint32_t>(w.size()));
    administrators(w);
  }
  if (info & kGroup) {
    w.put_u32le_at(offsets + 4, static_cast<std::uint32_t>(w.size()));
    administrators(w);
  }
  if (info & kDacl) {
    w.put_u32le_at(offsets + 12, static_cast<std::uint32_t>(w.size()));
    constexpr std::uint16_t kAceSize = 4 + 4 + 12, kAclSize = 8 + kAceSize;
    w.u8(2);  // AclRevision (ACL_REVISION)
    w.u8(0);
    w.u16le(kAclSize);
    w.u16le(1);  // AceCount
    w.u16le(0);
    w.u8(0);     // ACCESS_ALLOWED_ACE_TYPE
    w.u8(0);     // AceFlags
    w.u16le(kAceSize);
    w.u32le(kReadOnlyAccess);
    everyone(w);
  }
  return w.take();
}

bool match_pattern(std::string_view name_utf8, std::string_view pattern_utf8) {
  std::u32string name = fold_name(name_utf8), pat = fold_name(pattern_utf8);
  if (pat.empty() || pat == U"*") return true;
  const std::size_t n = name.size(), m = pat.size();
  std::size_t last_dot = name.rfind(U'.');
  if (last_dot == std::u32string::npos) last_dot = n;
  // A set of pattern positions (an NFA over the pattern, [MS-FSA] 2.1.4.4), O(n*m) time.
  std::vector<char> cur(m + 1, 0), next(m + 1, 0);
  auto close = [&](std::vector<char>& s, std::size_t i) {  // the zero-width moves at name[i]
    for (std::size_t p = 0; p < m; ++p) {
      if (!s[p]) continue;
      char32_t c = pat[p];
      if (c == U'*' || c == U'<') s[p + 1] = 1;
      else if (c == U'"' && i == n) s[p + 1] = 1;
      else if (c == U'>' && (i == n || name[i] == U'.')) {
        std::size_t q = p;
        while (q < m && pat[q] == U'>') ++q;
        s[q] = 1;
      }
    }
  };
  cur[0] = 1;
  close(cur, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::fill(next.begin(), next.end(), 0);
    char32_t ch = name[i];
    bool any = false;
    for (std::size_t p = 0; p < m; ++p) {
      if (!cur[p]) continue;
      char32_t c = pat[p];
      std::size_t to = SIZE_MAX;
      if (c == U'*') to = p;
      else if (c == U'<') { if (i < last_dot) to = p; }
      else if (c == U'?') to = p + 1;
      else if (c == U'>') { if (ch != U'.') to = p + 1; }
      else if (c == U'"') { if (ch == U'.') to = p + 1; }
      else if (c == ch) to = p + 1;
      if (to != SIZE_MAX) { next[to] = 1; any = true; }
    }
    if (!any) return false;
    close(next, i + 1);
    cur.swap(next);
  }
  return cur[m] != 0;
}

bool dir_class_supported(std::uint8_t c) {
  namespace fc = file_class;
  return c == fc::kDirectory || c == fc::kFullDirectory || c == fc::kBothDirectory || c == fc::kNames ||
         c == fc::kIdBothDirectory || c == fc::kIdFullDirectory || c == fc::kIdExtdDirectory;
}

namespace {

// ShortNameLength, Reserved and the 24-byte ShortName of the Both classes: short_name() of a name
// that is not 8.3 already (what FileAlternateNameInformation reports for it), nothing for an 8.3
// name and for "." and "..", as Samba 4.17 fills them with `mangled names = yes` (measured with
// impacket: "long file name.txt" LO7JQ0~4.TXT, setup.exe and sources empty). Samba's default,
// `mangled names = illegal`, leaves them empty for every name without an NTFS-illegal character;
// pxekit always fills them, so a listing and FileAlternateNameInformation agree.
void short_name_field(ByteWriter& w, std::string_view name) {
  std::string s = name == "." || name == ".." ? std::string() : short_name(name);
  Bytes n = s == name ? Bytes() : utf8_to_utf16le(s);  // at most 12 ASCII characters: 24 bytes
  if (n.size() > 24) n.clear();
  w.u8(static_cast<std::uint8_t>(n.size()));
  w.u8(0);
  w.bytes(n);
  w.zeros(24 - n.size());
}

}  // namespace

std::size_t encode_dir_entry(std::uint8_t info_class, const DirEntry& e, ByteWriter& w) {
  namespace fc = file_class;
  if (!dir_class_supported(info_class)) return 0;
  const std::size_t start = w.size();
  const FileMeta& m = e.meta;
  Bytes name = utf8_to_utf16le(e.name);
  w.u32le(0);  // NextEntryOffset: the caller links entries
  w.u32le(0);  // FileIndex
  if (info_class == fc::kNames) {
    w.u32le(static_cast<std::uint32_t>(name.size()));
    w.bytes(name);
    return w.size() - start;
  }
  times(w, m);
  w.u64le(m.size);
  w.u64le(m.allocation);
  w.u32le(file_attributes(m));
  w.u32le(static_cast<std::uint32_t>(name.size()));
  switch (info_class) {
    case fc::kDirectory: break;
    case fc::kFullDirectory: w.u32le(0); break;  // EaSize
    case fc::kBothDirectory:
      w.u32le(0);    // EaSize
      short_name_field(w, e.name);
      break;
    case fc::kIdBothDirectory:
      w.u32le(0);
      short_name_field(w, e.name);
      w.u16le(0);    // Reserved2
      w.u64le(m.index);
      break;
    case fc::kIdFullDirectory:
      w.u32le(0);    // EaSize
      w.u32le(0);    // Reserved
      w.u64le(m.index);
      break;
    case fc::kIdExtdDirectory:
      w.u32le(0);    // EaSize
      w.u32le(0);    // ReparsePointTag
      w.u64le(m.index);  // FileId (128 bits)
      w.u64le(0);
      break;
  }
  w.bytes(name);
  return w.size() - start;
}

}  // namespace pxe::proto::smb2
