// A Markdown report as one HTML page (cmark-gfm: GitHub-flavoured tables, autolinks,
// strikethrough), with every linked PNG figure shown inline below its link.
#pragma once

#include <string>

namespace valleys::plots {

// The page: a <title> from the first heading, a small embedded style sheet, the rendered body.
// Raw HTML in the Markdown is escaped (cmark's safe mode). Links and images keep their relative
// addresses, so a folder holding the report and its figures is self-contained.
std::string MarkdownToHtml(const std::string& markdown);

// Reads `markdown_path` (report.md) and writes its page beside it, same stem, .html, atomically.
// Returns the page's path. Throws std::runtime_error when the file cannot be read or written.
std::string WriteReportHtml(const std::string& markdown_path);

}  // namespace valleys::plots
