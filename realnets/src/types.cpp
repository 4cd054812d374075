#include "valleys/realnets/types.hpp"

#include <array>
#include <cstddef>

namespace valleys::realnets {

namespace {

// The names of an enum's values, in the order of its enumerators.
template <typename E, std::size_t N>
struct Names {
  std::array<const char*, N> names;
  const char* ToString(E v) const { return names.at(static_cast<std::size_t>(v)); }
  bool FromString(const std::string& name, E* v) const {
    for (std::size_t i = 0; i < N; ++i)
      if (name == names[i]) {
        *v = static_cast<E>(i);
        return true;
      }
    return false;
  }
  std::string List() const {
    std::string list;
    for (const char* n : names) list += (list.empty() ? "" : ", ") + std::string(n);
    return list;
  }
};

const Names<Arch, 4> kArch{{"preresnet", "vgg16", "wrn", "airbench"}};
const Names<BlockType, 2> kBlock{{"basic", "bottleneck"}};
const Names<Activation, 4> kActivation{{"relu", "sigmoid", "softplus", "gelu"}};
const Names<BnInit, 3> kBnInit{{"ones", "uniform01", "normal01"}};
const Names<Schedule, 3> kSchedule{{"swa", "sgd", "airbench"}};
const Names<Device, 2> kDevice{{"cpu", "cuda"}};
const Names<BnMode, 2> kBnMode{{"recompute", "frozen"}};
const Names<DirectionLaw, 10> kLaw{{"uniform01", "gaussian", "sign", "filter", "ones",
                                    "shifted-gaussian", "sign-agreement", "logit-scale",
                                    "hessian-top", "hessian-bottom"}};
const Names<ParameterMask, 3> kMask{{"all", "exclude-bn", "only-bn"}};
const Names<Subset, 2> kSubset{{"small", "full"}};

}  // namespace

#define VALLEYS_REALNETS_ENUM_NAMES(Type, table)          \
  const char* Type##ToString(Type v) {                    \
    return table.ToString(v);                             \
  }                                                       \
  bool StringTo##Type(const std::string& name, Type* v) { \
    return table.FromString(name, v);                     \
  }                                                       \
  std::string Type##Names() {                             \
    return table.List();                                  \
  }

VALLEYS_REALNETS_ENUM_NAMES(Arch, kArch)
VALLEYS_REALNETS_ENUM_NAMES(BlockType, kBlock)
VALLEYS_REALNETS_ENUM_NAMES(Activation, kActivation)
VALLEYS_REALNETS_ENUM_NAMES(BnInit, kBnInit)
VALLEYS_REALNETS_ENUM_NAMES(Schedule, kSchedule)
VALLEYS_REALNETS_ENUM_NAMES(Device, kDevice)
VALLEYS_REALNETS_ENUM_NAMES(BnMode, kBnMode)
VALLEYS_REALNETS_ENUM_NAMES(DirectionLaw, kLaw)
VALLEYS_REALNETS_ENUM_NAMES(ParameterMask, kMask)
VALLEYS_REALNETS_ENUM_NAMES(Subset, kSubset)

#undef VALLEYS_REALNETS_ENUM_NAMES

}  // namespace valleys::realnets
