// A SQLite VFS shim for tests: wraps the default (unix) VFS, counts xSync calls per kind of
// file (main database, WAL) and, when told, fails every write with SQLITE_FULL, as a full disk
// does. Installed as the default VFS, so every connection the code under test opens goes
// through it. One per process (static state); install() is idempotent.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace pxe::test {

class FaultVfs {
 public:
  static inline std::atomic<int> wal_syncs{0};
  static inline std::atomic<int> db_syncs{0};
  static inline std::atomic<bool> disk_full{false};

  static void install() {
    static bool done = [] {
      base() = sqlite3_vfs_find(nullptr);
      static sqlite3_vfs vfs = *base();
      vfs.zName = "pxkt-fault";
      vfs.szOsFile = int(sizeof(File)) + base()->szOsFile;
      vfs.xOpen = &open;
      sqlite3_vfs_register(&vfs, 1);
      return true;
    }();
    (void)done;
  }

 private:
  struct File {
    sqlite3_file head;    // io methods: ours
    sqlite3_file* real;   // the unix VFS's file, right after this struct
    int flags;
  };
  static sqlite3_vfs*& base() {
    static sqlite3_vfs* v = nullptr;
    return v;
  }
  static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

  static int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    auto* file = reinterpret_cast<File*>(f);
    file->real = reinterpret_cast<sqlite3_file*>(file + 1);
    file->flags = flags;
    file->head.pMethods = nullptr;
    int rc = base()->xOpen(base(), name, file->real, flags, out_flags);
    if (rc != SQLITE_OK || !file->real->pMethods) return rc;
    static const sqlite3_io_methods methods = make_methods();
    file->head.pMethods = &methods;
    return rc;
  }

  static sqlite3_io_methods make_methods() {
    sqlite3_io_methods m{};
    m.iVersion = 3;
    m.xClose = [](sqlite3_file* f) {
      int rc = real(f)->pMethods->xClose(real(f));
      return rc;
    };
    m.xRead = [](sqlite3_file* f, void* p, int n, sqlite3_int64 off) { return real(f)->pMethods->xRead(real(f), p, n, off); };
    m.xWrite = [](sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
      if (disk_full.load()) return SQLITE_FULL;
      return real(f)->pMethods->xWrite(real(f), p, n, off);
    };
    m.xTruncate = [](sqlite3_file* f, sqlite3_int64 size) { return real(f)->pMethods->xTruncate(real(f), size); };
    m.xSync = [](sqlite3_file* f, int flags) {
      int kind = reinterpret_cast<File*>(f)->flags;
      if (kind & SQLITE_OPEN_WAL) ++wal_syncs;
      if (kind & SQLITE_OPEN_MAIN_DB) ++db_syncs;
      return real(f)->pMethods->xSync(real(f), flags);
    };
    m.xFileSize = [](sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); };
    m.xLock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); };
    m.xUnlock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); };
    m.xCheckReservedLock = [](sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); };
    m.xFileControl = [](sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); };
    m.xSectorSize = [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); };
    m.xDeviceCharacteristics = [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); };
    m.xShmMap = [](sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
      return real(f)->pMethods->xShmMap(real(f), pg, sz, extend, p);
    };
    m.xShmLock = [](sqlite3_file* f, int off, int n, int flags) { return real(f)->pMethods->xShmLock(real(f), off, n, flags); };
    m.xShmBarrier = [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); };
    m.xShmUnmap = [](sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); };
    // No memory-mapped reads: every read goes through xRead.
    m.xFetch = [](sqlite3_file*, sqlite3_int64, int, void** p) {
      *p = nullptr;
      return SQLITE_OK;
    };
    m.xUnfetch = [](sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; };
    return m;
  }
};

}  // namespace pxe::test
