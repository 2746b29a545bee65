// libFuzzer: the TFTP codec and printers on arbitrary bytes; a parsed packet must re-encode to
// the same bytes.
#include <cstdlib>
#include <string>

#include "base/json_writer.h"
#include "print/tftp/tftp_print.h"
#include "wire/tftp/tftp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pxe::ByteSpan in(data, size);
  auto p = pxe::wire::tftp::parse(in);
  if (p) {
    auto out = pxe::wire::tftp::encode(*p);
    if (out.size() != size || !std::equal(out.begin(), out.end(), data)) std::abort();
  }
  std::string text, json;
  pxe::print::tftp_text(in, text);
  pxe::JsonWriter w(json);
  pxe::print::tftp_json(in, w);
  return 0;
}
