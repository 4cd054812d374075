# Generates version.cpp at every build from `git describe`, so outputs always carry the hash of the
# tree they were built from ("unknown" outside a git checkout; "-dirty" for uncommitted changes).
set(VALLEYS_VERSION_CPP ${CMAKE_BINARY_DIR}/generated/version.cpp)
add_custom_target(valleys_version_gen
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${VALLEYS_VERSION_CPP}
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${VALLEYS_VERSION_CPP}
  COMMENT "valleys: stamping git hash")
