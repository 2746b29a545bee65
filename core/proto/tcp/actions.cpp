// emit() alone in its file, as in proto/tftp and proto/smb2 (see endpoint.h).
#include "proto/tcp/endpoint.h"

namespace pxe::proto::tcp {

void emit(Actions& out, Action action) { out.push_back(std::move(action)); }

}  // namespace pxe::proto::tcp
