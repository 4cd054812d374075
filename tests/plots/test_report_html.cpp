// The report page: GitHub-flavoured Markdown through cmark-gfm, figures inline, raw HTML escaped.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "valleys/plots/report_html.hpp"

using valleys::plots::MarkdownToHtml;

TEST_CASE("a report page: title, tables, inline figures, no raw HTML", "[plots][html]") {
  const std::string md =
      "# valleys & a < b\n\n"
      "| claim | verdict | figure |\n|---|---|---|\n| C1 | holds | [B](figures/B.png) |\n\n"
      "- **A**: the risk ([png](figures/A.png), data `figures/A.csv`)\n\n"
      "<script>alert(1)</script>\n\n"
      "See [the docs](docs/theory.md) and [C](figures/C.png).\n\n![C](figures/C.png)\n";
  const std::string html = MarkdownToHtml(md);
  INFO(html);
  CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>"));
  CHECK_THAT(html, Catch::Contains("<title>valleys &amp; a &lt; b</title>"));
  CHECK_THAT(html, Catch::Contains("<th>claim</th>"));
  // Links in tables get no image (a table cell takes no line break), nor figures the Markdown
  // already shows.
  CHECK_THAT(html, !Catch::Contains("<img src=\"figures/B.png\""));
  CHECK_THAT(html, Catch::Contains("<img src=\"figures/C.png\""));
  CHECK(html.find("<img src=\"figures/C.png\"") == html.rfind("<img src=\"figures/C.png\""));
  CHECK_THAT(html, Catch::Contains("<td>holds</td>"));
  // The PNG link stays, and the figure follows it as an image.
  CHECK_THAT(html, Catch::Contains("<a href=\"figures/A.png\">png</a>"));
  CHECK_THAT(html, Catch::Contains("<img src=\"figures/A.png\" alt=\"A.png\" class=\"figure\""));
  // A link to anything else gets no image.
  CHECK_THAT(html, Catch::Contains("<a href=\"docs/theory.md\">the docs</a>"));
  CHECK_THAT(html, !Catch::Contains("<img src=\"docs/theory.md\""));
  CHECK_THAT(html, !Catch::Contains("<script>"));
  CHECK_THAT(html, Catch::Contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"));  // as text
  CHECK_THAT(html, Catch::EndsWith("</html>\n"));
}

TEST_CASE("the page is written beside the Markdown file", "[plots][html]") {
  const auto dir = std::filesystem::temp_directory_path() / "valleys_report_html";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "report.md") << "# t\n\ntext\n";
  const std::string out = valleys::plots::WriteReportHtml((dir / "report.md").string());
  CHECK(out == (dir / "report.html").string());
  std::ifstream in(out);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(html, Catch::Contains("<p>text</p>"));
  CHECK_THROWS(valleys::plots::WriteReportHtml((dir / "missing.md").string()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("text a user controls reaches the page as text, never as markup", "[plots][html]") {
  // A path, a profile spec and a model name with a script element, in every place a report puts
  // such text: the title, prose, code, a table cell, a link's address and text, an image.
  const std::string evil = "<script>alert(1)</script>";
  const std::string md =
      "# run " + evil + "\n\nfolder /tmp/" + evil + "\n\nprofile `table:" + evil +
      ".csv`\n\n| model | acc |\n|---|---|\n| " + evil + " | 0.9 |\n\n[" + evil + "](figures/" +
      evil + ".png) [x](javascript:alert(1))\n\n![" + evil + "](figures/" + evil + ".png)\n";
  const std::string html = MarkdownToHtml(md);
  INFO(html);
  CHECK_THAT(html, !Catch::Contains("<script"));
  CHECK_THAT(html, !Catch::Contains("href=\"javascript:"));
  CHECK_THAT(html, Catch::Contains("<title>run &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
  CHECK_THAT(html, Catch::Contains("<code>table:&lt;script&gt;alert(1)&lt;/script&gt;.csv</code>"));
  CHECK_THAT(html, Catch::Contains("folder /tmp/&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(html, Catch::Contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
}
