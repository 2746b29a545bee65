// Turning a requested file name into an open file that is certainly under the TFTP root.
//
// Names are normalised first (Windows boot managers send `\`; tftp-lowercase folds case), any
// `..` component is refused outright, and an absolute name is accepted only when it lies under the
// root. The open itself uses openat2(RESOLVE_BENEATH), so a symlink that leaves the root fails in
// the kernel; where openat2 is missing, the opened file's real path is checked instead.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
// existing file is replaced only once the new one is whole). finish() (before the last ACK) makes
// it durable: the file is fsync()ed, renamed, and its directory fsync()ed, so an acknowledged
// upload survives a power cut. More than `max_bytes` ends the upload with ERROR 3 (allocation
// exceeded) and removes the temporary at once.
class FdSink final : public proto::tftp::FileSink {
 public:
  using SyncFn = int (*)(int fd);
  FdSink(int dirfd, std::string tmp, std::string name, int fd, bool overwrite, std::uint64_t max_bytes,
         SyncFn sync, bool dir_syncable)
      : dirfd_(dirfd), tmp_(std::move(tmp)), name_(std::move(name)), fd_(fd), overwrite_(overwrite),
        max_bytes_(max_bytes), sync_(sync), dir_syncable_(dir_syncable) {}
  ~FdSink() override;  // removes the temporary file unless committed
  Result<void> write(ByteSpan data) override;
  Result<void> finish() override { return commit(); }
  // Puts the file in place (fsync, renameat2 (RENAME_NOREPLACE unless overwriting), fsync of the
  // directory). Once done, later calls do nothing.
  Result<void> commit();

 private:
  void discard();
  UniqueFd dirfd_;
  std::string tmp_, name_;
  UniqueFd fd_;
  bool overwrite_;
  std::uint64_t max_bytes_;
  std::uint64_t written_ = 0;
  SyncFn sync_;
  bool dir_syncable_;  // the directory could be opened for reading (a write-only drop box cannot)
  bool committed_ = false;
  bool discarded_ = false;
};

// The hidden name an upload is written under until it is whole: ".NAME.pxekit-upload-PID-N".
std::string upload_temporary_name(std::string_view base, long pid, unsigned n);
// Whether `name` has that shape (what remove_stale_uploads may delete, and nothing else).
bool is_upload_temporary(std::string_view name);

// What an upload may be: the limits of tftp-max-upload-size and the WRQ's own tsize.
struct UploadRules {
  bool overwrite = false;                     // tftp-upload-overwrite
  std::uint64_t max_bytes = 4ull << 30;       // tftp-max-upload-size
  std::optional<std::uint64_t> announced;     // the WRQ's tsize (RFC 2349), when it sent one
};

class TftpRoot {
 public:
  static Result<TftpRoot> open(const std::string& root);

  const std::string& path() const { return real_; }
  // Opens a regular file (relative path from normalize_name) read-only, beneath the root.
  // dnsmasq's rule: a server that could read any file (euid 0, or CAP_DAC_OVERRIDE /
  // CAP_DAC_READ_SEARCH) serves only world-readable files; with `secure` (tftp-secure) a server
  // that is not root serves only files owned by its own user (as root, `secure` adds nothing).
  struct Opened {
    std::unique_ptr<FdSource> file;
    std::string path;  // the full path, made log-safe (it holds the client's name)
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
    std::string path;  // the full final path, made log-safe (it holds the client's name)
  };
  // An upload announced (tsize) larger than rules.max_bytes or than the free space is refused
  // with ERROR 3 before any byte is written.
  std::variant<Created, OpenError> create_upload(const std::string& relative, const std::string& upload_dir,
                                                 const UploadRules& rules) const;
  std::variant<Created, OpenError> create_upload(const std::string& relative, const std::string& upload_dir,
                                                 bool overwrite) const {
    UploadRules rules;
    rules.overwrite = overwrite;
    return create_upload(relative, upload_dir, rules);
  }

  // Deletes the upload temporaries a crash left in the upload directory and its subdirectories
  // (regular files whose names pass is_upload_temporary; symlinks are neither followed nor
  // removed). Called at start, before any upload can run. Returns how many were removed.
  Result<std::size_t> remove_stale_uploads(const std::string& upload_dir) const;

  // How uploads reach stable storage: fsync, or a recorder in tests.
  void set_upload_sync(FdSink::SyncFn sync) { sync_ = sync; }
 private:
  TftpRoot(int fd, std::string real) : fd_(fd), real_(std::move(real)) {}
  int open_beneath(const std::string& relative) const;  // fd or -errno
  std::optional<std::string> find_case_insensitive(const std::string& relative) const;
  UniqueFd fd_;
  std::string real_;
  FdSink::SyncFn sync_ = ::fsync;
};

}  // namespace pxe::server::tftp
