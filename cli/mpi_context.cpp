#include "mpi_context.hpp"

#include <cstdlib>
#include <stdexcept>

#ifdef VALLEYS_HAVE_MPI
#include <mpi.h>
#endif

namespace valleys::cli {

namespace {
bool LaunchedByMpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
}
constexpr int kRowTag = 7;
}  // namespace

#ifdef VALLEYS_HAVE_MPI
MpiContext::MpiContext() {
  if (!LaunchedByMpirun()) return;
  MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  active_ = true;
}

MpiContext::~MpiContext() {
  if (active_) MPI_Finalize();
}

void MpiContext::SendRow(long long index, const std::string& row) {
  if (!active_) throw std::logic_error("SendRow without MPI");
  std::string msg = std::to_string(index) + "\n" + row;
  MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_CHAR, 0, kRowTag, MPI_COMM_WORLD);
}

namespace {
void Decode(const std::string& msg, long long* index, std::string* row) {
  const auto nl = msg.find('\n');
  *index = std::stoll(msg.substr(0, nl));
  *row = msg.substr(nl + 1);
}
}  // namespace

bool MpiContext::TryReceiveRow(long long* index, std::string* row) {
  if (!active_) return false;
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, kRowTag, MPI_COMM_WORLD, &flag, &status);
  if (!flag) return false;
  ReceiveRow(index, row);
  return true;
}

void MpiContext::ReceiveRow(long long* index, std::string* row) {
  if (!active_) throw std::logic_error("ReceiveRow without MPI");
  MPI_Status status;
  MPI_Probe(MPI_ANY_SOURCE, kRowTag, MPI_COMM_WORLD, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string msg(static_cast<std::size_t>(count), '\0');
  MPI_Recv(msg.data(), count, MPI_CHAR, status.MPI_SOURCE, kRowTag, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  Decode(msg, index, row);
}

void MpiContext::Barrier() {
  if (active_) MPI_Barrier(MPI_COMM_WORLD);
}
#else
MpiContext::MpiContext() {
  if (LaunchedByMpirun() && std::getenv("OMPI_COMM_WORLD_RANK") != nullptr &&
      std::string(std::getenv("OMPI_COMM_WORLD_SIZE")) != "1")
    throw std::runtime_error(
        "this valleys was built without MPI (configure with libopenmpi-dev installed)");
}
MpiContext::~MpiContext() = default;
void MpiContext::SendRow(long long, const std::string&) {}
bool MpiContext::TryReceiveRow(long long*, std::string*) {
  return false;
}
void MpiContext::ReceiveRow(long long*, std::string*) {}
void MpiContext::Barrier() {}
#endif

}  // namespace valleys::cli
