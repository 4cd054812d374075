#!/usr/bin/env bash
# The installed package, as a user meets it: `cmake --install BUILD --prefix WORK/prefix`, then an
# outside CMake project built against it (find_package(valleys)), the installed program, and the
# installed Python package (when the build has one, with its interpreter PYTHON).
# Usage: check_install.sh BUILD_DIR WORK_DIR [PYTHON]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$1
work=$2
python=${3:-}
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
cmake -S "$here/outside" -B "$work/outside" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release > "$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/outside" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
out=$("$work/outside/outside")
echo "outside project: $out"
[[ $out == "zeta_star 0.5" ]] || { echo "expected 'zeta_star 0.5'"; exit 1; }
"$prefix/bin/valleys" --version
[[ -f $prefix/share/bash-completion/completions/valleys ]] || { echo "no bash completion"; exit 1; }
site=$(find "$prefix" -type d -name valleys -path "*-packages/valleys" | head -1)
if [[ -n $python ]]; then
  [[ -n $site ]] || { echo "the Python package was not installed"; exit 1; }
  got=$(PYTHONPATH=$(dirname "$site") "$python" -c "import valleys; \
print(valleys.theory.risk(profile='quadratic:hplus=1,hminus=9', shift='uniform:a=1')['zeta_star'])")
  echo "python package ($site): zeta_star $got"
  [[ $got == "0.5" ]] || { echo "expected 0.5 from the installed Python package"; exit 1; }
fi
echo "install: ok"
