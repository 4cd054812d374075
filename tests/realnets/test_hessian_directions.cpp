// Profiles along the Hessian's saved eigenvectors (the hessian-top and hessian-bottom laws): the
// direction is the file's vector, oriented by the weights, and a file that does not fit the
// network is refused with the field and the reason. (The curvature along them against an exact
// Hessian: tests/realnets/client/hessian_test.py.)
// LibTorch first: its glog CHECK would otherwise replace Catch's.
#include <torch/torch.h>
#undef CHECK
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "data_dir.hpp"
#include "valleys/realnets/hessian_spectrum.hpp"
#include "valleys/realnets/probes.hpp"
#include "valleys/realnets/training.hpp"

using namespace valleys::realnets;
namespace fs = std::filesystem;

namespace {

// The file's vector `key` as one float64 vector in the network's parameter order.
torch::Tensor Flat(const c10::impl::GenericDict& vectors, const std::string& key,
                   const std::vector<std::string>& names) {
  const auto v = vectors.at(key).toGenericDict();
  std::vector<torch::Tensor> parts;
  for (const auto& n : names) parts.push_back(v.at(n).toTensor().reshape(-1).to(torch::kFloat64));
  return torch::cat(parts);
}

torch::Tensor FlatDirection(const std::string& bytes, const std::vector<std::string>& names) {
  const auto d = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
  std::vector<torch::Tensor> parts;
  for (const auto& n : names) parts.push_back(d.at(n).toTensor().reshape(-1).to(torch::kFloat64));
  return torch::cat(parts);
}

void Save(const std::string& path, const c10::IValue& value) {
  const std::vector<char> bytes = torch::pickle_save(value);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<long>(bytes.size()));
}

}  // namespace

TEST_CASE("hessian laws: the saved eigenvector, oriented by the weights; a foreign file refused",
          "[realnets][torch][hessian]") {
  TrainOptions o;
  o.data_dir = valleys::cli::FindDataDir("");
  o.train_size = 128;
  o.test_size = 64;
  o.epochs = 1;
  o.out_dir = (fs::temp_directory_path() / ("valleys_hdir_" + std::to_string(::getpid()))).string();
  Train(o);

  HessianSpectrumOptions h;
  h.hessian.base = o;
  h.hessian.sample_size = 64;
  h.top_k = 1;
  h.bottom_k = 1;
  h.lanczos_steps = 12;
  h.save_eigenvectors = (fs::path(o.out_dir) / "vectors.pt").string();
  const HessianSpectrumResult r = HessianSpectrum(h);
  REQUIRE(r.top.size() == 1);
  REQUIRE(r.bottom.size() == 1);
  CHECK(r.top[0].value > r.bottom[0].value);

  std::ifstream in(h.save_eigenvectors, std::ios::binary);
  const std::vector<char> file_bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
  const auto vectors = torch::pickle_load(file_bytes).toGenericDict();
  std::vector<std::string> names;
  for (const auto& e : vectors.at("v1").toGenericDict()) names.push_back(e.key().toStringRef());
  ProfileOptions p;
  p.probe.base = o;
  p.checkpoint = "swa";
  p.law = DirectionLaw::kHessianTop;
  p.eigenvector_file = h.save_eigenvectors;
  p.direction = 0;
  p.points = 5;
  p.range = 0.1;
  CHECK(DirectionLabel(p) == "hessian-top");
  for (const auto& [law, key] : {std::pair{DirectionLaw::kHessianTop, std::string("v1")},
                                 std::pair{DirectionLaw::kHessianBottom, std::string("bottom1")}}) {
    INFO(key);
    p.law = law;
    const torch::Tensor d = FlatDirection(DirectionFileBytes(p), names);
    const torch::Tensor v = Flat(vectors, key, names);
    CHECK(d.norm().item<double>() == Approx(1).epsilon(1e-5));
    CHECK(std::abs((d * v).sum().item<double>()) / v.norm().item<double>() ==
          Approx(1).epsilon(1e-5));
    const ProfileResult pr = Profile(p);
    CHECK(pr.direction_weight_cosine >= 0);
    CHECK(pr.direction_file_sha256.size() == 64);
  }

  // Refusals: a vector the file does not have (the keys listed), a law without its file, a file
  // with another law, a vector of another network.
  p.law = DirectionLaw::kHessianTop;
  p.direction = 1;
  CHECK_THROWS_WITH(DirectionFileBytes(p), Catch::Contains("has no vector 'v2'") &&
                                               Catch::Contains("keys: v1, bottom1") &&
                                               Catch::Contains("ProfileOptions::eigenvector_file"));
  p.direction = 0;
  std::string why;
  ProfileOptions no_file = p;
  no_file.eigenvector_file.clear();
  CHECK_FALSE(no_file.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("hessian-top needs ProfileOptions::eigenvector_file"));
  ProfileOptions other_law = p;
  other_law.law = DirectionLaw::kGaussian;
  CHECK_FALSE(other_law.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("only with hessian-top or hessian-bottom"));
  c10::Dict<std::string, at::Tensor> wrong;
  wrong.insert(names.front(), torch::zeros({1}));
  c10::Dict<std::string, c10::Dict<std::string, at::Tensor>> foreign;
  foreign.insert("v1", wrong);
  const std::string foreign_path = (fs::path(o.out_dir) / "foreign.pt").string();
  Save(foreign_path, c10::IValue(foreign));
  p.eigenvector_file = foreign_path;
  CHECK_THROWS_WITH(DirectionFileBytes(p),
                    Catch::Contains("has shape [1] for parameter '" + names.front() + "'"));
  Save(foreign_path, c10::IValue(torch::zeros({3})));
  CHECK_THROWS_WITH(DirectionFileBytes(p), Catch::Contains("is not a dict"));
  p.eigenvector_file = foreign_path + ".missing";
  CHECK_THROWS_WITH(DirectionFileBytes(p), Catch::Contains("cannot be read"));
  fs::remove_all(o.out_dir);
}
