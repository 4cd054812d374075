// valleys._core: the libraries without LibTorch, for Python. Each function takes the inputs of its
// command-line twin and returns that command's JSON output (the result's keys plus "meta") as text;
// the package (valleys/__init__.py) turns it into a dict with NumPy arrays. Bad input raises
// ValueError with the command line's message (fields named by their flags).
#include <omp.h>
#include <pthread.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "field_flags.hpp"
#include "valleys/claims/claims.hpp"
#include "valleys/io/factories.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/sim_result_json.hpp"
#include "valleys/io/sim_spec.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/table_csv.hpp"
#include "valleys/io/theory_result_json.hpp"
#include "valleys/io/version.hpp"
#include "valleys/realnets/asymmetry_json.hpp"
#include "valleys/realnets/asymmetry_measure.hpp"
#include "valleys/sim/prediction.hpp"
#include "valleys/sim/simulator.hpp"

namespace py = pybind11;
using valleys::cli::FieldsToFlags;
using Json = nlohmann::ordered_json;

namespace {

// The JSON output of a command: its result with "meta" appended.
std::string Output(Json result, const Json& meta) {
  result["meta"] = meta;
  return result.dump();
}

// Runs `f`, turning bad input into ValueError (with flags for fields) and a runtime failure into
// RuntimeError.
template <class F>
std::string Guarded(F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {  // io::InputError included
    throw py::value_error(FieldsToFlags(e.what()));
  }
}

bool g_forked_child = false;  // set in a child of fork() (SingleThreadedAfterFork)

// Runs work(stop) on a thread of its own while the calling (Python) thread, with the GIL released
// (the binding's call_guard), takes the GIL every 50 ms to let Python handle signals: Ctrl-C sets
// `stop`, the work ends early (throwing), and KeyboardInterrupt is raised. Signals are handled by
// Python's main thread only, and an OpenMP run may leave that thread waiting at its barrier while
// a worker runs the only chain, so the wait happens here, outside OpenMP.
template <class Work>
auto Interruptible(Work&& work) {
  using Result = decltype(work(std::declval<const std::atomic<bool>&>()));
  std::atomic<bool> stop{false};
  std::packaged_task<Result()> task([&] {
    if (g_forked_child) omp_set_num_threads(1);  // this thread's own OpenMP setting
    return work(stop);
  });
  std::future<Result> done = task.get_future();
  std::thread runner(std::move(task));
  bool interrupted = false;
  while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (interrupted) continue;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      interrupted = true;
      stop = true;
    }
  }
  runner.join();
  if (interrupted) {
    py::gil_scoped_acquire gil;
    if (PyErr_Occurred() == nullptr) PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  return done.get();  // rethrows the work's exception
}

std::string Risk(const std::string& profile, const std::string& shift,
                 const std::vector<double>& biases) {
  return Guarded([&] {
    const valleys::io::SpecOutput out = valleys::io::SolveRiskSpec({profile, shift, biases});
    return Output(out.result, valleys::io::Metadata("theory risk", out.extra));
  });
}

std::string Sgd(const valleys::io::SgdSpec& spec) {
  return Guarded([&] {
    const valleys::io::SpecOutput out = valleys::io::SolveSgdSpec(spec);
    return Output(out.result, valleys::io::Metadata("theory sgd", out.extra));
  });
}

// fields: SimSpec fields by their command-line names without dashes ("eta", "avg-start"), each as
// text; profiles and noise_per_direction apart (lists).
std::string Sim(const std::vector<std::string>& profiles,
                const std::vector<std::pair<std::string, std::string>>& fields,
                const std::vector<double>& noise_per_direction) {
  return Guarded([&] {
    valleys::io::SimSpec spec;
    spec.profiles = profiles;
    spec.noise_per_direction = noise_per_direction;
    for (const auto& [name, value] : fields)
      if (!valleys::io::SetSimSpecField(spec, name, value, "sim.run(" + name + "=...)"))
        throw valleys::io::InputError("sim.run: '" + name + "' is not a simulator input");
    const valleys::sim::SimOptions options = valleys::io::MakeSimOptions(spec);
    const valleys::sim::SimSummary summary = Interruptible([&](const std::atomic<bool>& stop) {
      valleys::sim::RunControl control;
      control.should_stop = [&stop] { return stop.load(); };
      return valleys::sim::Simulate(options, control);
    });
    return Output(valleys::io::SimResultJson(summary, valleys::sim::PredictIfPossible(options)),
                  valleys::io::Metadata("sim", valleys::io::SimSpecJson(spec)));
  });
}

valleys::realnets::AsymmetryCriterion Criterion(const std::optional<std::vector<double>>& heights,
                                                std::optional<double> kappa,
                                                std::optional<double> min_rise) {
  valleys::realnets::AsymmetryCriterion c;
  if (heights) c.heights = *heights;
  if (kappa) c.kappa = *kappa;
  if (min_rise) c.min_rise = *min_rise;
  std::string why;
  if (!c.IsValid(&why)) throw valleys::io::InputError(why);
  return c;
}

std::string Score(const std::vector<double>& x, const std::vector<double>& loss,
                  const std::string& source, const std::optional<std::vector<double>>& heights,
                  std::optional<double> kappa, std::optional<double> min_rise) {
  return Guarded([&] {
    const auto c = Criterion(heights, kappa, min_rise);
    const auto report = valleys::realnets::MeasureAsymmetry(x, loss, c);
    return Output(valleys::realnets::AsymmetryReportJson(report, c),
                  valleys::io::Metadata("realnets score",
                                        {{"profile", source}, {"criterion", c.Describe()}}));
  });
}

std::string ScoreFile(const std::string& profile, const std::optional<std::vector<double>>& heights,
                      std::optional<double> kappa, std::optional<double> min_rise) {
  return Guarded([&] {
    const valleys::io::TableRef p = valleys::io::ParseTableRef(profile);
    const auto table = valleys::io::ReadTableCsv(p.path, p.x_column, p.loss_column);
    return Score(table.x, table.loss, profile, heights, kappa, min_rise);
  });
}

std::string Check(const std::string& id, const std::string& scale_name, std::uint64_t seed) {
  return Guarded([&] {
    valleys::claims::ClaimScale scale;
    if (!valleys::claims::StringToClaimScale(scale_name, &scale))
      throw valleys::io::InputError("scale = '" + scale_name +
                                    "' (allowed: " + valleys::claims::ClaimScaleNamesText() + ")");
    return valleys::claims::CheckClaim(id, scale, seed).ToJson().dump();
  });
}

}  // namespace

namespace {
// After fork() the child has no OpenMP worker threads, but libgomp's pool still counts the
// parent's: a parallel region would wait for them forever. A child (multiprocessing's default
// start method on Linux) therefore runs single-threaded; its numbers are the same, since no result
// depends on the thread count.
void SingleThreadedAfterFork() {
  g_forked_child = true;
  omp_set_num_threads(1);
}
}  // namespace

PYBIND11_MODULE(_core, m) {
  pthread_atfork(nullptr, nullptr, &SingleThreadedAfterFork);
  m.doc() = "valleys' libraries (theory, simulator, profile scoring, claims) without LibTorch";
  m.attr("version") = std::string(valleys::io::Version());
  m.attr("git") = std::string(valleys::io::GitHash());
  m.def("risk", &Risk, py::arg("profile"), py::arg("shift"), py::arg("biases"));
  m.def(
      "sgd",
      [](const std::string& profile, double eta, const std::string& noise, double wd,
         std::optional<long long> T, double x0, const std::optional<std::string>& shift,
         std::optional<int> cells_per_step, double momentum, bool nesterov, double wd_offset,
         const std::optional<std::string>& noise_sd_table) {
        valleys::io::SgdSpec spec;
        spec.profile = profile, spec.eta = eta, spec.noise = noise, spec.wd = wd, spec.T = T;
        spec.x0 = x0, spec.shift = shift.value_or("");
        if (cells_per_step) spec.cells_per_step = *cells_per_step;
        spec.momentum = momentum, spec.nesterov = nesterov, spec.wd_offset = wd_offset;
        spec.noise_sd_table = noise_sd_table.value_or("");
        return Sgd(spec);
      },
      py::arg("profile"), py::arg("eta"), py::arg("noise"), py::arg("wd"), py::arg("T"),
      py::arg("x0"), py::arg("shift"), py::arg("cells_per_step"), py::arg("momentum"),
      py::arg("nesterov"), py::arg("wd_offset"), py::arg("noise_sd_table"));
  m.def("sim", &Sim, py::arg("profiles"), py::arg("fields"), py::arg("noise_per_direction"),
        py::call_guard<py::gil_scoped_release>());
  m.def("score", &Score, py::arg("x"), py::arg("loss"), py::arg("source"), py::arg("heights"),
        py::arg("kappa"), py::arg("min_rise"));
  m.def("score_file", &ScoreFile, py::arg("profile"), py::arg("heights"), py::arg("kappa"),
        py::arg("min_rise"));
  m.def("check", &Check, py::arg("claim"), py::arg("scale"), py::arg("seed"),
        py::call_guard<py::gil_scoped_release>());
  m.def("claim_ids", &valleys::claims::ClaimIds);
}
