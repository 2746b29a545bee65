// The tree an SMB2 share serves, as the command handlers see it: stat, open, list, volume.
// Read-only by construction (there is no write method). Implementations: MemoryShare (tests,
// fuzz, in-process) and server::smb::DirectoryShare (a real directory, confined with openat2).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::proto::smb2 {

// The FILETIME (100 ns intervals since 1601-01-01) of a Unix time; 0 for anything before 1601.
constexpr std::uint64_t filetime_from_unix(std::int64_t seconds, std::int64_t nanoseconds) {
  constexpr std::int64_t kUnixEpochInFiletimeSeconds = 11644473600;  // 1601-01-01 to 1970-01-01
  std::int64_t s = seconds + kUnixEpochInFiletimeSeconds;
  if (s < 0) return 0;
  return static_cast<std::uint64_t>(s) * 10000000u + static_cast<std::uint64_t>(nanoseconds / 100);
}

struct FileMeta {
  bool directory = false;
  std::uint64_t size = 0;        // EndOfFile
  std::uint64_t allocation = 0;  // AllocationSize
  std::uint64_t creation = 0, last_access = 0, last_write = 0, change = 0;  // FILETIME
  std::uint64_t index = 0;       // stable file number (FileInternalInformation), e.g. inode
  bool hidden = false;           // name starts with '.' (Samba's default "hide dot files")
};

// FILE_ATTRIBUTE_* ([MS-FSCC] 2.6) of an entry on this read-only share: a directory is
// DIRECTORY (0x10); a file is READONLY|ARCHIVE (0x21), what a DVD/UDF volume reports; HIDDEN
// (0x02) is added for dot files. The same value everywhere (CREATE, QUERY_INFO, QUERY_DIRECTORY).
std::uint32_t file_attributes(const FileMeta&);

struct DirEntry {  // UTF-8 name, no "." / ".."
  std::string name;
  FileMeta meta;
};

struct VolumeInfo {
  std::string label;
  std::uint32_t serial = 0;
  std::uint64_t creation = 0;
  std::uint64_t total_units = 0, free_units = 0;
  std::uint32_t sectors_per_unit = 1, bytes_per_sector = 4096;
  std::string fs_name = "NTFS";
};

class ShareFile {  // an open regular file
 public:
  virtual ~ShareFile() = default;
  // Reads at `offset`; fewer bytes than dst.size() only at end of file.
  virtual Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) = 0;
  // A descriptor the transport may sendfile()/splice from; -1 when there is none.
  virtual int fd() const { return -1; }
};

// A read-only tree. `path` is share-relative, '/'-separated, already normalised by smb_path()
// (no empty, ".", ".." component, no ':' stream syntax); "" is the root.
// Lookups are case-insensitive like Windows/Samba (exact match first, then a case-folded match
// in the directory). Errors carry Error::code = STATUS_OBJECT_NAME_NOT_FOUND (last component
// missing), STATUS_OBJECT_PATH_NOT_FOUND (a parent missing or not a directory),
// STATUS_ACCESS_DENIED (unreadable, or a symlink leading out of the root).
class Share {
 public:
  virtual ~Share() = default;
  virtual Result<FileMeta> stat(std::string_view path) = 0;
  // Regular files only: a directory gives STATUS_FILE_IS_A_DIRECTORY.
  virtual Result<std::unique_ptr<ShareFile>> open(std::string_view path) = 0;
  // Sorted by name; a file gives STATUS_NOT_A_DIRECTORY.
  virtual Result<std::vector<DirEntry>> list(std::string_view dir) = 0;
  virtual VolumeInfo volume() = 0;
  // The path with each component spelled as stored (the case-insensitive match resolved), for
  // FileNormalizedNameInformation and the names an open reports; errors as stat(). The default
  // gives the path back unchanged (a share whose lookups are exact).
  virtual Result<std::string> canonical_path(std::string_view path) { return std::string(path); }
};

// Client name (UTF-8 from the CREATE name, '\\' separators ('/' accepted too, as Samba does),
// may start with '\\') -> share path ('/'-separated, no leading '/'; "" for the root).
// Refusals carry the status Windows/Samba give:
//   a ".." that climbs above the share root         STATUS_OBJECT_PATH_SYNTAX_BAD
//   ("a\\..\\b" stays inside and becomes "b", as Samba resolves it)
//   a "." component, an empty component ("a\\\\b", a trailing '\\'), a wildcard (* ? < > "),
//   a control character or '|', a component over 255 bytes                STATUS_OBJECT_NAME_INVALID
//   ':' stream syntax: "file:ads", "file:ads:$DATA", "file::$DATA"        STATUS_OBJECT_NAME_NOT_FOUND
//   (no stream but the unnamed one exists, and this share does not open streams by name);
//   ':' in a directory component or a malformed stream ("file:", "f:s:bad") STATUS_OBJECT_NAME_INVALID
// Samba 4.17 on a read-only share answers differently here (measured with impacket, SMB 3.0):
// it opens "a\\.\\b", "a\\\\b" and "dir\\" (drops "." and empty components), gives
// STATUS_INVALID_PARAMETER for "\\\\name", and STATUS_OBJECT_NAME_INVALID for every ':' name
// (no streams module). Everything else above is what it answers too ("..\\x" and
// "a\\..\\..\\b" PATH_SYNTAX_BAD, "a\\..\\b" opens b, wildcards, '|', "." and 256-byte names
// NAME_INVALID).
Result<std::string> smb_path(std::string_view client_name);

// Whether two UTF-8 names are equal ignoring case (fold_name() in name_fold.h: ASCII, Latin-1,
// Latin Extended-A, Greek, Cyrillic), the comparison every Share lookup uses after the exact match.
bool name_equals_ci(std::string_view a, std::string_view b);

}  // namespace pxe::proto::smb2
