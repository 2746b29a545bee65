// libFuzzer harness: a SESSION_SETUP security buffer (SPNEGO or raw NTLMSSP) through the
// NTLMSSP finder, parser, encoders and the SPNEGO negResult reader.
#include <cstddef>
#include <cstdint>

#include "wire/smb2/ntlmssp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pxe::wire::ntlmssp;
  pxe::ByteSpan in(data, size);
  (void)spnego_neg_result(in);
  auto blob = find_in_spnego(in);
  if (!blob) return 0;
  auto m = parse(*blob);
  if (!m) return 0;
  switch (m->type) {
    case MessageType::Negotiate: (void)encode(m->negotiate); break;
    case MessageType::Challenge: (void)encode(m->challenge); (void)m->challenge.timestamp(); break;
    case MessageType::Authenticate: (void)encode(m->authenticate); (void)m->authenticate.anonymous(); break;
  }
  return 0;
}
