// Where the CIFAR-10 files are: the folder the user names, else $VALLEYS_DATA, else data/cifar10
// in the checkout, else the shared data folder beside the checkout (../shared/data/cifar10).
#pragma once

#include <string>

namespace valleys::cli {

// `flag` (--data) when given: it must be a folder. Otherwise the first of the places above that
// holds a test split. Throws std::runtime_error listing every place searched.
std::string FindDataDir(const std::string& flag);

}  // namespace valleys::cli
