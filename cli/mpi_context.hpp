// The sweep's row transport over MPI when the program was started by mpirun (OpenMPI/PMI
// environment) and the build has MPI; otherwise a single rank. Only `valleys sweep` uses it.
#pragma once

#include <string>

#include "valleys/sweep/sweep.hpp"

namespace valleys::cli {

class MpiContext final : public sweep::RowTransport {
 public:
  MpiContext();
  ~MpiContext() override;
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;
  int Rank() const override { return rank_; }
  int Size() const override { return size_; }

  // Ranks > 0 send finished rows (index, text) to rank 0; rank 0 polls them without blocking, or
  // blocks for the next one.
  void SendRow(long long index, const std::string& row) override;
  bool TryReceiveRow(long long* index, std::string* row) override;
  void ReceiveRow(long long* index, std::string* row) override;
  void Barrier() override;

 private:
  int rank_ = 0, size_ = 1;
  bool active_ = false;
};

}  // namespace valleys::cli
