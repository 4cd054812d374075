#include "valleys/io/metadata.hpp"

#include <unistd.h>

#include <array>
#include <ctime>
#include <fstream>
#include <iterator>

#include "valleys/io/version.hpp"

namespace valleys::io {

namespace {
std::string FormatUtc(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 64> buf{};
  std::strftime(buf.data(), buf.size(), format, &tm);
  return buf.data();
}
}  // namespace

std::string ProcessCommandLine() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string line, word;
  auto flush = [&] {
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789_-+=:,./@%") == std::string::npos;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    // The first word is the program as it names itself ("valleys realnets" after the hand-over).
    line += line.empty() ? word : " " + (plain ? word : quoted);
    word.clear();
  };
  for (char c : raw) {
    if (c == '\0')
      flush();
    else
      word += c;
  }
  if (!word.empty()) flush();
  return line;
}

std::string ProcessorModel() {  // /proc/cpuinfo's first "model name"
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
    }
  return "unknown";
}

std::string UtcTimestamp() {
  return FormatUtc("%Y-%m-%dT%H:%M:%SZ");
}
std::string CompactTimestamp() {
  return FormatUtc("%Y%m%d-%H%M%S");
}

std::string ReportHeader(const std::string& title, const nlohmann::json& meta) {
  return "# " + title + "\n\n- version: " + meta.value("version", "?") + " (git " +
         meta.value("git", "?") + ")\n- created: " + meta.value("created", "?") +
         "\n- host: " + meta.value("host", "?") + "\n";
}

nlohmann::json Metadata(const std::string& command, const nlohmann::json& extra) {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  nlohmann::json meta = {{"tool", "valleys"},
                         {"version", Version()},
                         {"git", GitHash()},
                         {"command", command},
                         {"command_line", ProcessCommandLine()},
                         {"created", UtcTimestamp()},
                         {"host", host.data()},
                         {"processor", ProcessorModel()}};
  for (auto it = extra.begin(); it != extra.end(); ++it) meta[it.key()] = it.value();
  return meta;
}

}  // namespace valleys::io
