#include "wire/smb2/spnego.h"

namespace pxe::wire::spnego {

Result<NegTokenInit> parse_init(ByteSpan) { return make_error("spnego: not implemented yet"); }
Result<NegTokenResp> parse_resp(ByteSpan) { return make_error("spnego: not implemented yet"); }
Result<Token> parse(ByteSpan) { return make_error("spnego: not implemented yet"); }
Bytes encode_init2(const std::vector<Bytes>&, std::string_view) { return {}; }
Bytes encode_init(const NegTokenInit&) { return {}; }
Bytes encode_resp(const NegTokenResp&) { return {}; }

}  // namespace pxe::wire::spnego
