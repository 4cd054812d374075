// MPI when the program was started by mpirun (OpenMPI/PMI environment) and the build has MPI;
// otherwise a single rank. Only `valleys sweep` uses it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace valleys::cli {

class MpiContext {
 public:
  MpiContext();
  ~MpiContext();
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool active() const { return active_; }

  // Ranks > 0 send finished rows (index, text) to rank 0; rank 0 polls them without blocking, or
  // blocks for the next one.
  void SendRow(long long index, const std::string& row);
  bool TryReceiveRow(long long* index, std::string* row);
  void ReceiveRow(long long* index, std::string* row);
  void Barrier();
  void AbortAll(int code);
  static bool Built();

 private:
  int rank_ = 0, size_ = 1;
  bool active_ = false;
};

}  // namespace valleys::cli
