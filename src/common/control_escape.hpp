// Server text made safe to log: control characters written as escapes.
#ifndef BWVOICE_SRC_COMMON_CONTROL_ESCAPE_HPP
#define BWVOICE_SRC_COMMON_CONTROL_ESCAPE_HPP

#include <string>

namespace bwvoice::detail {

/// Rewrites every control character in `text` (bytes below 0x20, and 0x7f)
/// as an escape: `\r`, `\n`, `\t`, else `\xHH`; a backslash already there is
/// left alone. A Diagnostics message quotes the server (an error body's
/// description, an ID it answered with), and callers write the message to
/// line-oriented logs: a CR/LF in it would forge a log line, an ESC would
/// drive the terminal. Text without control characters is not touched (and
/// nothing is allocated).
void escape_control_characters(std::string& text);

}  // namespace bwvoice::detail

#endif
