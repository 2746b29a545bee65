// Pure encoders of the [MS-FSCC] information classes an SMB2 read-only server answers:
// QUERY_INFO (file, filesystem, security) and QUERY_DIRECTORY entries, plus the search-pattern
// match of QUERY_DIRECTORY. Names go out as UTF-16LE. Unknown classes: an Error whose code is
// STATUS_INVALID_INFO_CLASS (or STATUS_NOT_SUPPORTED / STATUS_OBJECT_NAME_NOT_FOUND where the
// reference (§2.10) says Windows/Samba answer so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "proto/smb2/share.h"

namespace pxe::proto::smb2 {

// FileInformationClass values ([MS-FSCC] 2.4).
namespace file_class {
inline constexpr std::uint8_t kDirectory = 1, kFullDirectory = 2, kBothDirectory = 3, kBasic = 4,
                              kStandard = 5, kInternal = 6, kEa = 7, kAccess = 8, kName = 9,
                              kNames = 12, kPosition = 14, kFullEa = 15, kMode = 16,
                              kAlignment = 17, kAll = 18, kAlternateName = 21, kStream = 22,
                              kCompression = 28, kNetworkOpen = 34, kAttributeTag = 35,
                              kIdBothDirectory = 37, kIdFullDirectory = 38, kNormalizedName = 48,
                              kIdExtdDirectory = 60;
}
// FsInformationClass values ([MS-FSCC] 2.5).
namespace fs_class {
inline constexpr std::uint8_t kVolume = 1, kSize = 3, kDevice = 4, kAttribute = 5, kControl = 6,
                              kFullSize = 7, kObjectId = 8, kSectorSize = 11;
}

// Access mask granted on this share (FILE_READ_DATA|FILE_READ_EA|FILE_EXECUTE|
// FILE_READ_ATTRIBUTES|READ_CONTROL|SYNCHRONIZE): what MaximalAccess and the DACL grant.
inline constexpr std::uint32_t kReadOnlyAccess = 0x001200A9;

// `name` is the share path of the open ("" for the root, '/'-separated; Share::canonical_path()
// spells it as stored) for the classes that carry one (Name, All: written with a leading '\\';
// Normalized: without it, "" for the root, as Samba does (the caller refuses class 48 below
// 3.1.1); AlternateName: short_name() of the last component, "." for the root, as Samba).
// Samba 4.17 reports Name and All with the on-disk spelling ("\\Sources\\Install.WIM" when asked
// for "SOURCES\\INSTALL.WIM", measured): pass Share::canonical_path(). Access (and the AccessFlags of All, at offset 76)
// report `granted_access`, the handle's granted access; kReadOnlyAccess without it.
Result<Bytes> encode_file_info(std::uint8_t info_class, const FileMeta&, std::string_view name,
                               std::uint32_t granted_access);
inline Result<Bytes> encode_file_info(std::uint8_t info_class, const FileMeta& m, std::string_view name) {
  return encode_file_info(info_class, m, name, kReadOnlyAccess);
}
Result<Bytes> encode_fs_info(std::uint8_t info_class, const VolumeInfo&);

// A self-relative SECURITY_DESCRIPTOR ([MS-DTYP] 2.4.6) with the parts asked for in
// AdditionalInformation (OWNER 1, GROUP 2, DACL 4; SACL 8 and others ignored): owner and group
// BUILTIN\Administrators (S-1-5-32-544), a DACL with one ACCESS_ALLOWED ACE for Everyone
// (S-1-1-0) with kReadOnlyAccess.
// The 8.3 name of a file name, as FileAlternateNameInformation reports it: the name as it is when
// it already fits 8.3 but for case ("setup.exe", "Install.WIM", as Samba 4.17 answers), else up to 4 of its characters, '~'
// and 3 characters of a hash of the case-folded name, then up to 3 of the extension
// ("install-en-us.wim" -> "INST~" + 3 hash characters + ".WIM"). Deterministic; not kept on
// disk, so two names may, rarely, share one.
std::string short_name(std::string_view name);

Bytes encode_security_descriptor(std::uint32_t additional_information);

// Windows search-pattern match ([MS-FSA] 2.1.4.4): '*', '?', and the DOS wildcards
// '<' (DOS_STAR), '>' (DOS_QM), '"' (DOS_DOT); ASCII case-insensitive. "" and "*" match all.
bool match_pattern(std::string_view name, std::string_view pattern);

// Appends one QUERY_DIRECTORY entry of `info_class` (Directory 1, FullDirectory 2,
// BothDirectory 3, Names 12, IdBoth 37, IdFull 38, IdExtd 60) to `out`, NextEntryOffset 0,
// unpadded; returns its size (0 and nothing written for an unknown class: check
// dir_class_supported() first). The caller links entries (NextEntryOffset, 8-byte alignment)
// and stops at OutputBufferLength. FileIndex is 0 (undefined outside NTFS ordering). The Both
// classes carry short_name() of a name that is not 8.3 (upper case, as FileAlternateNameInformation
// gives it) and an empty ShortName for an 8.3 name, ".", "..", as Samba with `mangled names = yes`.
std::size_t encode_dir_entry(std::uint8_t info_class, const DirEntry&, ByteWriter& out);
bool dir_class_supported(std::uint8_t info_class);

}  // namespace pxe::proto::smb2
