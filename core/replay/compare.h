// Recorded vs. replayed server answers, field by field, per conversation (replay/script.h).
//
// DHCP (and 4011): answers are grouped by message type; a type on one side only is a difference;
// for a type on both sides the first answers are compared: yiaddr (a note unless strict: another
// pool policy is not a failure), siaddr, boot file (option 67, else `file`), TFTP server name
// (option 66, else `sname`), option 43 (the PXE menu, decoded). A different number of answers of one type is a note.
// TFTP: the answers' opcode sequence (runs collapsed: "OACK DATA"), the first ERROR's code (its
// text is a note: servers word it differently), the OACK's options (a note unless strict) and the
// data bytes (size + FNV-1a digest, and the first block that differs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "replay/script.h"

namespace pxe::replay {

struct Difference {
  std::size_t conversation = 0;  // index into Script::conversations
  std::string label;             // Conversation::label()
  std::string field;             // "message type", "yiaddr", "siaddr", "boot file", "option 43", ...
  std::string recorded, replayed;
  bool note = false;             // reported, not a failure
};

struct CompareOptions {
  bool strict = false;  // notes become failures
};

struct Comparison {
  std::vector<Difference> differences;
  std::size_t conversations = 0;
  std::size_t recorded_answers = 0, replayed_answers = 0;
  bool matches() const;  // no difference that is not a note
  std::size_t failures() const;
};

// Compares one conversation's recorded answers with the replayed ones; appends to `out`.
void compare_conversation(const Conversation& c, std::size_t index, const std::vector<Datagram>& replayed,
                          const CompareOptions& options, Comparison& out);
// `replayed[i]` holds the new answers of conversation i (missing entries: none).
Comparison compare(const Script& script, const std::vector<std::vector<Datagram>>& replayed,
                   const CompareOptions& options = {});

std::string to_text(const Comparison& c);
std::string to_json(const Comparison& c);

// The pieces, exposed for tests and for `pxekit replay -v`.
std::string describe_pxe_options(ByteSpan option43);  // "menu: 0x8000 \"...\"; prompt 0 \"...\"; ..."
std::uint64_t fnv1a64(ByteSpan data, std::uint64_t seed = 0xcbf29ce484222325ull);

}  // namespace pxe::replay
