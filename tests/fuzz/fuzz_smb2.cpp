// libFuzzer harness: one NBSS payload through the SMB2/SMB1 parsers, every body decoder, the
// encoders (re-encoding whatever decoded) and both printers. Seeds: tests/fuzz/corpus/smb2/.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/json_writer.h"
#include "print/smb2/smb2_print.h"
#include "wire/smb2/message.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/smb1.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pxe::wire::smb2;
  pxe::ByteSpan in(data, size);
  (void)parse_nbss(in);
  (void)parse_smb1(in);
  (void)parse_transform_header(in);
  Chain chain = split_chain(in);
  for (const auto& e : chain.elements) {
    auto h = parse_header(e.pdu);
    if (!h) continue;
    auto body = parse_body(*h, e.pdu);
    if (body) (void)encode_pdu(*h, *body);
  }
  std::string text;
  pxe::print::smb2_text(in, text);
  std::string json;
  pxe::JsonWriter w(json);
  w.begin_array();
  pxe::print::smb2_json(in, w);
  w.end_array();
  return 0;
}
