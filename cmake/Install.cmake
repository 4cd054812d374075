# `cmake --install`: the programs, the libraries without LibTorch with their headers as a CMake
# package (find_package(valleys) gives valleys::theory, valleys::sim, valleys::io, valleys::claims,
# valleys::sweep, valleys::realnets_core), the Python package, bash completion and the man page.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(VALLEYS_EXPORTED theory sim io claims sweep realnets_core)
set(VALLEYS_EXPORTED_TARGETS random123)
foreach(name ${VALLEYS_EXPORTED})
  set_target_properties(valleys_${name} PROPERTIES EXPORT_NAME ${name})
  list(APPEND VALLEYS_EXPORTED_TARGETS valleys_${name})
endforeach()
install(TARGETS ${VALLEYS_EXPORTED_TARGETS} EXPORT valleysTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(dir theory sim io claims sweep realnets)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
set(VALLEYS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/valleys)
install(EXPORT valleysTargets NAMESPACE valleys:: DESTINATION ${VALLEYS_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/valleysConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/valleysConfig.cmake
                              INSTALL_DESTINATION ${VALLEYS_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/valleysConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/valleysConfig.cmake ${CMAKE_BINARY_DIR}/valleysConfigVersion.cmake
        DESTINATION ${VALLEYS_CMAKE_DIR})

install(TARGETS valleys RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET valleys-realnets)  # beside valleys: `valleys realnets train` finds it there
  install(TARGETS valleys-realnets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

if(VALLEYS_HAVE_PYTHON)
  # Debian's interpreter reads /usr/local/lib/python3.X/dist-packages.
  set(VALLEYS_PYTHON_INSTALL_DIR
      ${CMAKE_INSTALL_LIBDIR}/python${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}/dist-packages
      CACHE STRING "Where `cmake --install` puts the Python package, under the prefix")
  install(DIRECTORY ${CMAKE_BINARY_DIR}/python/valleys DESTINATION ${VALLEYS_PYTHON_INSTALL_DIR}
          PATTERN "__pycache__" EXCLUDE)
endif()

install(FILES ${PROJECT_SOURCE_DIR}/scripts/completion/valleys.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME valleys)
find_program(HELP2MAN help2man)
if(HELP2MAN)
  # help2man reads `valleys --help` and `valleys --version`.
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/valleys.1
                     COMMAND ${HELP2MAN} --no-info --no-discard-stderr
                             --name "asymmetric valleys of loss landscapes"
                             --output ${CMAKE_BINARY_DIR}/valleys.1 $<TARGET_FILE:valleys>
                     DEPENDS valleys VERBATIM)
  add_custom_target(valleys_man ALL DEPENDS ${CMAKE_BINARY_DIR}/valleys.1)
  install(FILES ${CMAKE_BINARY_DIR}/valleys.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "valleys: help2man not found: no man page")
endif()
