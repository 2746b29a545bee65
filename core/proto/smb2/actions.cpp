// emit() alone in its file: GCC 12 inlines the variant's move into every push_back of a caller in
// the same translation unit and then warns (-Wmaybe-uninitialized) about alternatives that are
// not there (the TFTP machines met the same).
#include "proto/smb2/state.h"

namespace pxe::proto::smb2 {

void emit(Actions& out, Action action) { out.push_back(std::move(action)); }

}  // namespace pxe::proto::smb2
