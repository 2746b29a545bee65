// Turning a requested file name into an open file that is certainly under the TFTP root.
//
// Names are normalised first (Windows boot managers send `\`; tftp-lowercase folds case), any
// `..` component is refused outright, and an absolute name is accepted only when it lies under the
// root. The open itself uses openat2(RESOLVE_BENEATH), so a symlink that leaves the root fails in
// the kernel; where openat2 is missing, the opened file's real path is checked instead.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "base/result.h"
#include "base/unique_fd.h"
#include "proto/tftp/file_source.h"
#include "wire/tftp/tftp.h"

namespace pxe::server::tftp {

struct NameRules {
  bool lowercase = false;         // tftp-lowercase
  bool case_insensitive = false;  // find "BOOTMGR.EXE" as "bootmgr.exe" when the exact name is missing
};

// The path relative to the root, or an error saying why the name is refused.
Result<std::string> normalize_name(std::string_view requested, std::string_view root, const NameRules& rules);

// Why an open failed, as the TFTP ERROR the client gets.
struct OpenError {
  wire::tftp::ErrorCode code;
  std::string message;  // for the ERROR packet
  std::string detail;   // for the log
};

class FdSource final : public proto::tftp::FileSource {
 public:
  FdSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  std::optional<std::uint64_t> size() const override { return size_; }
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override;
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::uint64_t size_;
};

// An upload being written: a hidden temporary file next to its final name, renamed into place
// when the transfer completes (so a failed or aborted upload never leaves a partial file, and an
// existing file is replaced only once the new one is whole).
class FdSink final : public proto::tftp::FileSink {
 public:
  FdSink(int dirfd, std::string tmp, std::string name, int fd, bool overwrite)
      : dirfd_(dirfd), tmp_(std::move(tmp)), name_(std::move(name)), fd_(fd), overwrite_(overwrite) {}
  ~FdSink() override;  // removes the temporary file unless committed
  Result<void> write(ByteSpan data) override;
  // Puts the file in place (renameat2; RENAME_NOREPLACE unless overwriting).
  Result<void> commit();

 private:
  UniqueFd dirfd_;
  std::string tmp_, name_;
  UniqueFd fd_;
  bool overwrite_;
  bool committed_ = false;
};

class TftpRoot {
 public:
  static Result<TftpRoot> open(const std::string& root);

  const std::string& path() const { return real_; }
  // Opens a regular file (relative path from normalize_name) read-only, beneath the root. With
  // `secure`, the file must belong to the user the server runs as (tftp-secure).
  struct Opened {
    std::unique_ptr<FdSource> file;
    std::string path;  // the full path, for logs
  };
  std::variant<Opened, OpenError> open_file(const std::string& relative, const NameRules& rules, bool secure) const;

  // Starts an upload of `relative` (from normalize_name), which must lie inside `upload_dir`
  // (relative to the root too). No component of the path may be a symlink (RESOLVE_NO_SYMLINKS,
  // so neither the upload directory nor a subdirectory can point elsewhere); subdirectories must
  // exist already. An existing file is refused with ERROR 6 unless `overwrite`.
  // The upload directory (`dir` relative to the root, or absolute under it) as a path relative to
  // the root, checked to be a directory reached without symlinks.
  Result<std::string> upload_dir(const std::string& dir) const;
  struct Created {
    std::unique_ptr<FdSink> file;
    std::string path;  // the full final path, for logs
  };
  std::variant<Created, OpenError> create_upload(const std::string& relative, const std::string& upload_dir,
                                                 bool overwrite) const;

 private:
  TftpRoot(int fd, std::string real) : fd_(fd), real_(std::move(real)) {}
  int open_beneath(const std::string& relative) const;  // fd or -errno
  std::optional<std::string> find_case_insensitive(const std::string& relative) const;
  UniqueFd fd_;
  std::string real_;
};

}  // namespace pxe::server::tftp
