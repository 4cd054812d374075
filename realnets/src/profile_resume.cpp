#include "profile_resume.hpp"

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "valleys/io/atomic_file.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::realnets::detail {

namespace {

// The sidecar's fields that say when, where and by which build a file was written: they may
// differ between a job's first run and its resumption (the eigenvector file's path too: its
// SHA-256, eigenvector_file_sha256, says whether it is the same).
bool Volatile(const std::string& key) {
  return key == "created" || key == "git" || key == "host" || key == "processor" ||
         key == "command_line" || key == "version" || key == "eigenvector_file";
}

bool SameProfile(const Json& written, const Json& expected) {
  if (!written.is_object()) return false;
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    if (Volatile(it.key())) continue;
    if (!written.contains(it.key()) || written.at(it.key()) != it.value()) return false;
  }
  return true;
}

}  // namespace

ProbeCurve ParseCurveCsv(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  if (!std::getline(in, line) || line != "t,train_loss,train_acc,test_loss,test_acc")
    throw std::invalid_argument(
        "curve CSV: the header is not t,train_loss,train_acc,test_loss,"
        "test_acc");
  ProbeCurve c;
  std::vector<double>* columns[] = {&c.t, &c.train_loss, &c.train_acc, &c.test_loss, &c.test_acc};
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string field;
    int k = 0;
    for (; k < 5 && std::getline(row, field, ','); ++k) {
      std::size_t used = 0;
      columns[k]->push_back(std::stod(field, &used));
      if (used != field.size())
        throw std::invalid_argument(fmt::format("curve CSV: '{}' is not a number", field));
    }
    if (k != 5 || std::getline(row, field, ','))
      throw std::invalid_argument(fmt::format("curve CSV: '{}' does not have 5 fields", line));
  }
  return c;
}

ProfileResult ProfileOrResume(const std::string& dir, const ProfileOptions& o) {
  const std::filesystem::path base = std::filesystem::path(dir) / ProfileStem(o);
  const std::filesystem::path csv = base.string() + ".csv", meta = base.string() + ".csv.json";
  std::error_code ec;
  if (std::filesystem::is_regular_file(csv, ec) && std::filesystem::is_regular_file(meta, ec)) {
    try {
      ProfileResult r = ProfileFromCurve(o, ParseCurveCsv(io::ReadFile(csv)));
      if (SameProfile(Json::parse(io::ReadFile(meta)), ProfileMeta(o, r))) return r;
    } catch (const std::invalid_argument&) {
      // An unreadable or foreign curve: evaluated again below, and overwritten by the caller.
    } catch (const std::out_of_range&) {
    } catch (const nlohmann::json::exception&) {
    }
  }
  return Profile(o);
}

}  // namespace valleys::realnets::detail
