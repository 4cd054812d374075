// Build identity written into every output.
#pragma once

namespace valleys::io {
const char* Version();  // project version, e.g. "0.1.0"
const char* GitHash();  // `git describe --always --dirty` at build time, or "unknown"
}  // namespace valleys::io
