// SMB servers for interop tests on loopback (127.0.0.1, a free high port): pxekit serve (the
// built binary, from an smb.conf) and a reference Samba smbd started as in
// ../shared/reference/smb2-server.md section 5.2 (its own private/lock/state dirs under a temp
// dir, its own session, never port 445). Both serve the same two shares from the same
// directories with the same accounts, so one test runs against either and Samba validates the
// test's expectations:
//   [GUEST]   guest ok = yes   the share tree (setup.exe, sources/*.wim, a dot file)
//   [PRIVATE] guest ok = no    a second tree
//   map to guest = Bad User; account user / pass.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "support/samba_conf.h"
#include "support/test_paths.h"

namespace pxe::server::smb::test {

namespace fs = std::filesystem;

inline const char* kSetupSize = "3000000";

// A port nobody listens on now (the kernel's pick, released again).
inline int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

// True once something accepts TCP connections on 127.0.0.1:port (up to `timeout`).
inline bool wait_listening(int port, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

inline void write_bytes(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

inline std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 g(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(g());
  return s;
}

// The trees both servers serve. Readable by everyone: Samba reads as the mapped Unix user, pxekit
// (started as root) as nobody.
class ShareTrees {
 public:
  ShareTrees() : dir_("pxe-smb-interop") {
    fs::create_directories(guest() / "sources");
    fs::create_directories(priv());
    write_bytes(guest() / "setup.exe", random_bytes(3000000, 1));
    write_bytes(guest() / "sources" / "install.wim", random_bytes(100000, 2));
    write_bytes(guest() / "sources" / "boot.wim", random_bytes(5000, 3));
    write_bytes(guest() / "sources" / "readme.txt", "read me\n");
    write_bytes(guest() / ".hidden", "x\n");
    write_bytes(priv() / "private.txt", "private\n");
    pxe::test::run("chmod -R a+rX " + dir_.path().string());
  }
  fs::path root() const { return dir_.path(); }
  fs::path guest() const { return dir_ / "guest"; }
  fs::path priv() const { return dir_ / "private"; }

 private:
  pxe::test::TempDir dir_;
};

// A server process started in its own session; killed (its whole group) when this goes away.
class Daemon {
 public:
  Daemon() = default;
  ~Daemon() { stop(); }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  bool spawn(const std::string& command, const std::string& log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setsid();
      execl("/bin/sh", "sh", "-c", ("exec " + command + " >" + log + " 2>&1 </dev/null").c_str(), nullptr);
      ::_exit(127);
    }
    return pid_ > 0;
  }
  // SIGTERM, then SIGKILL after 5 s; returns the exit status (or -1).
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(-pid_, SIGTERM);
    int status = -1;
    for (int i = 0; i < 250; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

enum class Peer { Pxekit, Samba };
inline const char* peer_name(Peer p) { return p == Peer::Pxekit ? "Pxekit" : "Samba"; }

// Why this peer cannot run here, or "".
inline std::string peer_unavailable(Peer p) {
  if (!pxe::test::have_program("smbclient")) return "smbclient is not installed (apt-get install smbclient)";
  if (p == Peer::Samba) {
    if (::geteuid() != 0) return "the reference Samba needs root (smbpasswd, smbd's user switch)";
    if (!pxe::test::have_program("smbd") && ::access("/usr/sbin/smbd", X_OK) != 0) return "smbd is not installed";
  }
  if (p == Peer::Pxekit && ::access(pxe::test::pxekit_binary().c_str(), X_OK) != 0) return "pxekit is not built";
  return "";
}

// One running server on 127.0.0.1:port() serving the trees.
class SmbPeer {
 public:
  SmbPeer(Peer peer, const ShareTrees& trees, const std::string& extra_global = "")
      : peer_(peer), work_("pxe-smb-peer"), port_(free_tcp_port()) {
    pxe::test::run("chmod a+rx " + work_.path().string());
    if (peer == Peer::Samba) start_samba(trees, extra_global);
    else start_pxekit(trees, extra_global);
  }
  ~SmbPeer() { daemon_.stop(); }

  bool ready() const { return ready_; }
  int port() const { return port_; }
  std::string log() const { return pxe::test::read_file(log_); }
  fs::path dir() const { return work_.path(); }
  // Stops the server: its exit status.
  int stop() { return daemon_.stop(); }

  // Runs smbclient against //127.0.0.1/<share>; stdout and stderr in *out; the exit status.
  int smbclient(const std::string& share, const std::string& auth, const std::string& options,
                const std::string& commands, std::string* out) const {
    std::string cmd = "timeout 120 smbclient //127.0.0.1/" + share + " -p " + std::to_string(port_) + " " + auth +
                      " " + options + " -c '" + commands + "' 2>&1";
    return pxe::test::run(cmd, out);
  }

 private:
  std::string shares_conf(const ShareTrees& t) const {
    return "[GUEST]\n  path = " + t.guest().string() + "\n  guest ok = yes\n  read only = yes\n" +
           "[PRIVATE]\n  path = " + t.priv().string() + "\n  guest ok = no\n  read only = yes\n";
  }

  void start_pxekit(const ShareTrees& t, const std::string& extra_global) {
    auto conf = work_ / "smb.conf";
    write_bytes(conf, "[global]\n  map to guest = Bad User\n" + extra_global + shares_conf(t));
    log_ = (work_ / "pxekit.log").string();
    std::string cmd = pxe::test::pxekit_binary() + " serve --smb-conf " + conf.string() +
                      " --smb-user user:pass --smb-port " + std::to_string(port_) +
                      " --listen-address 127.0.0.1 --log-level debug";
    ready_ = daemon_.spawn(cmd, log_) && wait_listening(port_);
  }

  void start_samba(const ShareTrees& t, const std::string& extra_global) {
    auto w = work_.path();
    std::string g = pxe::test::samba_conf(w,
                                          "  smb ports = " + std::to_string(port_) +
                                              "\n  interfaces = 127.0.0.1\n  bind interfaces only = yes\n",
                                          "");
    g += "  username map = " + (w / "users.map").string() + "\n" + extra_global;
    write_bytes(w / "smb.conf", g + shares_conf(t));
    write_bytes(w / "users.map", "daemon = user\n");
    std::string conf = (w / "smb.conf").string();
    if (pxe::test::run("(echo pass; echo pass) | smbpasswd -c " + conf + " -s -a daemon >/dev/null 2>&1") != 0) return;
    log_ = (w / "logs" / "smbd.out").string();
    ready_ = daemon_.spawn("smbd -F --no-process-group -s " + conf + " --debug-stdout -d 1", log_) &&
             wait_listening(port_);
  }

  Peer peer_;
  pxe::test::TempDir work_;
  int port_;
  std::string log_;
  Daemon daemon_;
  bool ready_ = false;
};

}  // namespace pxe::server::smb::test
