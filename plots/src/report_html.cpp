#include "valleys/plots/report_html.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::plots {

namespace {

struct ParserDeleter {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct NodeDeleter {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
struct IterDeleter {
  void operator()(cmark_iter* i) const { cmark_iter_free(i); }
};

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The text of a node's inline children (a heading's title).
std::string PlainText(cmark_node* node) {
  std::string text;
  std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(node));
  for (cmark_event_type ev; (ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(it.get());
    if (ev == CMARK_EVENT_ENTER &&
        (cmark_node_get_type(n) == CMARK_NODE_TEXT || cmark_node_get_type(n) == CMARK_NODE_CODE ||
         cmark_node_get_type(n) == CMARK_NODE_HTML_INLINE))
      text += cmark_node_get_literal(n);
  }
  return text;
}

bool InTable(cmark_node* node) {
  for (cmark_node* n = cmark_node_parent(node); n != nullptr; n = cmark_node_parent(n))
    if (std::string(cmark_node_get_type_string(n)) == "table_cell") return true;
  return false;
}

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#1b1b1b}"
    "table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}"
    "th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:left}"
    "th{background:#f0f0f0}tr:nth-child(even) td{background:#fafafa}"
    "code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}"
    "img{max-width:100%}img.figure{display:block;margin:.5rem 0 1rem;border:1px solid #e0e0e0}";

}  // namespace

std::string MarkdownToHtml(const std::string& markdown) {
  cmark_gfm_core_extensions_ensure_registered();
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  for (const char* name : {"table", "autolink", "strikethrough"}) {
    cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
    if (ext == nullptr) throw std::runtime_error(std::string("cmark-gfm: no extension ") + name);
    cmark_parser_attach_syntax_extension(parser.get(), ext);
  }
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, NodeDeleter> doc(cmark_parser_finish(parser.get()));

  // Raw HTML in the Markdown is text a report quoted (a path or a name holding '<'), never markup:
  // each such node becomes a text node (a block one, a paragraph of it), which the renderer
  // escapes, so the page shows exactly what the Markdown says.
  {
    std::vector<cmark_node*> raw;
    std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(doc.get()));
    for (cmark_event_type ev; (ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE;) {
      cmark_node* n = cmark_iter_get_node(it.get());
      if (ev == CMARK_EVENT_ENTER && (cmark_node_get_type(n) == CMARK_NODE_HTML_INLINE ||
                                      cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK))
        raw.push_back(n);
    }
    for (cmark_node* n : raw) {
      const bool block = cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK;
      std::string literal = cmark_node_get_literal(n) ? cmark_node_get_literal(n) : "";
      if (block) literal.erase(literal.find_last_not_of('\n') + 1);
      cmark_node* text = cmark_node_new(CMARK_NODE_TEXT);
      cmark_node_set_literal(text, literal.c_str());
      cmark_node* replacement = text;
      if (block) {
        replacement = cmark_node_new(CMARK_NODE_PARAGRAPH);
        cmark_node_append_child(replacement, text);
      }
      cmark_node_replace(n, replacement);
      cmark_node_free(n);
    }
  }
  std::string title = "report";
  bool have_title = false;
  std::vector<cmark_node*> figure_links;
  std::vector<std::string> images;  // the addresses the Markdown shows as images itself
  {
    std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(doc.get()));
    for (cmark_event_type ev; (ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE;) {
      cmark_node* n = cmark_iter_get_node(it.get());
      if (ev != CMARK_EVENT_ENTER) continue;
      if (!have_title && cmark_node_get_type(n) == CMARK_NODE_HEADING) {
        title = PlainText(n);
        have_title = true;
      }
      const char* url = cmark_node_get_url(n);
      if (cmark_node_get_type(n) == CMARK_NODE_IMAGE && url != nullptr) images.push_back(url);
      if (cmark_node_get_type(n) == CMARK_NODE_LINK && url != nullptr && EndsWith(url, ".png") &&
          !InTable(n))
        figure_links.push_back(n);
    }
  }
  // After each link to a PNG outside tables that the Markdown does not show itself: a line break,
  // then the image (alt text: the file name).
  for (cmark_node* link : figure_links) {
    const std::string url = cmark_node_get_url(link);
    if (std::find(images.begin(), images.end(), url) != images.end()) continue;
    cmark_node* image = cmark_node_new(CMARK_NODE_IMAGE);
    cmark_node_set_url(image, url.c_str());
    cmark_node_set_title(image, "figure");
    cmark_node* alt = cmark_node_new(CMARK_NODE_TEXT);
    cmark_node_set_literal(alt, std::filesystem::path(url).filename().c_str());
    cmark_node_append_child(image, alt);
    cmark_node* brk = cmark_node_new(CMARK_NODE_LINEBREAK);
    if (cmark_node_insert_after(link, brk) == 0) {  // a parent that holds no line break
      cmark_node_free(brk);
      cmark_node_free(image);
      continue;
    }
    if (cmark_node_insert_after(brk, image) == 0) cmark_node_free(image);
  }
  char* body = cmark_render_html(doc.get(), CMARK_OPT_DEFAULT,
                                 cmark_parser_get_syntax_extensions(parser.get()));
  std::string rendered(body);
  std::free(body);
  // The inline figures get their own style (cmark writes title="figure" on them).
  std::string html;
  const std::string marker = "title=\"figure\"";
  for (std::size_t pos = 0;;) {
    const std::size_t hit = rendered.find(marker, pos);
    if (hit == std::string::npos) {
      html += rendered.substr(pos);
      break;
    }
    html += rendered.substr(pos, hit - pos) + "class=\"figure\"";
    pos = hit + marker.size();
  }
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         Escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + html +
         "</body>\n</html>\n";
}

std::string WriteReportHtml(const std::string& markdown_path) {
  const std::string markdown = io::ReadFile(markdown_path);
  const std::string out = std::filesystem::path(markdown_path).replace_extension(".html").string();
  io::WriteFileAtomically(out, MarkdownToHtml(markdown));
  return out;
}

}  // namespace valleys::plots
