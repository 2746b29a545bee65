// TREE_CONNECT and TREE_DISCONNECT ([MS-SMB2] 3.3.5.7, 3.3.5.8) — reference section 2.5.
#include "base/text.h"
#include "proto/smb2/dispatch.h"
#include "proto/smb2/file_info.h"
#include "wire/smb2/simple.h"
#include "wire/smb2/status.h"
#include "wire/smb2/tree_connect.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;

// Samba's IPC$ ShareFlags: SMB2_SHAREFLAG_NO_CACHING (0x30).
constexpr std::uint32_t kShareFlagNoCaching = 0x00000030;

}  // namespace

void handle_tree_connect(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_tree_connect_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  Session& s = *rq.session;
  // "\\server\share": the server part is whatever name the client used for us.
  std::string_view path = req->path;
  auto slash = path.find_last_of('\\');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name.empty()) return rp.fail(st::kBadNetworkName);

  const ServerShare* share = nullptr;
  bool ipc = iequals(name, "IPC$");
  if (!ipc) {
    for (const auto& sh : c.ctx->shares)
      if (iequals(sh.name, name)) share = &sh;
    if (!share) {
      emit(rp.after, Event{"tree connect \\\\" + log_safe(name) +
                           ": no such share"});
      return rp.fail(st::kBadNetworkName);
    }
    bool guest = s.identity.guest || s.identity.anonymous;
    if (guest && !share->guest_ok) {
      emit(rp.after, Event{"tree connect \\\\" + share->name +
                           ": guest access refused (guest ok = no)"});
      return rp.fail(st::kAccessDenied);
    }
  }
  if (s.trees.size() >= c.ctx->limits.max_trees_per_session)
    return rp.fail(st::kInsufficientResources);
  std::uint32_t id = s.next_tree_id++;
  if (s.next_tree_id == ~0u) s.next_tree_id = 1;
  Tree& t = s.trees[id];
  t.id = id;
  t.share = share;
  t.name = ipc ? "IPC$" : share->name;
  rp.tree_id = id;

  wire::smb2::TreeConnectResponse m;
  m.share_type = ipc ? wire::smb2::share_type::kPipe : wire::smb2::share_type::kDisk;
  m.share_flags = ipc ? kShareFlagNoCaching : 0;
  m.capabilities = 0;
  m.maximal_access = kReadOnlyAccess;
  wire::smb2::encode_tree_connect_response(m, rp.body());
}

void handle_tree_disconnect(ConnState& c, Request& rq, Reply& rp) {
  c.drop_tree(*rq.session, rq.tree->id, rp.after);
  rq.tree = nullptr;
  wire::smb2::encode_simple_body({}, rp.body());
}

}  // namespace pxe::proto::smb2
