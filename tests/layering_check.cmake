# cmake -DLAYERING=<build>/layering.cmake -P layering_check.cmake
# Fails when a library's source includes a header of an fmc library it does not build on
# (one above it, or beside it): every `#include "<prefix>/..."` whose prefix is another
# library's folder must name a library in the includer's FMC_LAYER_<lib>_ALLOWED, which
# fmc_write_layering() derives from the libraries' PUBLIC/PRIVATE link dependencies.
cmake_minimum_required(VERSION 3.25)
include("${LAYERING}")

foreach(library ${FMC_LAYER_LIBRARIES})
  foreach(prefix ${FMC_LAYER_${library}_PREFIXES})
    set(owner_of_${prefix} ${library})
  endforeach()
endforeach()

set(violations "")
foreach(library ${FMC_LAYER_LIBRARIES})
  file(GLOB_RECURSE sources "${FMC_LAYER_${library}_FOLDER}/*.h" "${FMC_LAYER_${library}_FOLDER}/*.cpp")
  foreach(source ${sources})
    file(STRINGS "${source}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"[A-Za-z0-9_]+/")
    foreach(line ${includes})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([A-Za-z0-9_]+)/([^\"]*)\".*" "\\1;\\2" parts "${line}")
      list(GET parts 0 prefix)
      list(GET parts 1 header)
      if(NOT DEFINED owner_of_${prefix})
        continue()
      endif()
      set(owner ${owner_of_${prefix}})
      if(NOT owner IN_LIST FMC_LAYER_${library}_ALLOWED)
        file(RELATIVE_PATH shown "${FMC_SOURCE_DIR}" "${source}")
        string(APPEND violations "  ${shown} includes ${prefix}/${header}: ${library} does not build on ${owner}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

# The engine's tests are built by the engine-only preset too (tools/gpu-check.sh), where only
# what fmc_engine builds on exists: another library's header must sit inside an
# `#ifdef FMC_TEST_WITH_...` block, which only the full build defines.
file(GLOB engine_tests "${FMC_SOURCE_DIR}/tests/engine/*.cpp" "${FMC_SOURCE_DIR}/tests/engine/*.h")
foreach(source ${engine_tests})
  file(STRINGS "${source}" lines REGEX "^[ \t]*#[ \t]*(if|else|elif|endif|include[ \t]*\"[A-Za-z0-9_]+/)")
  set(guards "")  # one entry per open #if: 1 when it is a FMC_TEST_WITH_ block (its #if branch)
  foreach(line ${lines})
    if(line MATCHES "^[ \t]*#[ \t]*ifdef[ \t]+FMC_TEST_WITH_")
      list(APPEND guards 1)
    elseif(line MATCHES "^[ \t]*#[ \t]*if")
      list(APPEND guards 0)
    elseif(line MATCHES "^[ \t]*#[ \t]*(else|elif)" AND guards)
      list(POP_BACK guards)
      list(APPEND guards 0)
    elseif(line MATCHES "^[ \t]*#[ \t]*endif" AND guards)
      list(POP_BACK guards)
    elseif(line MATCHES "include[ \t]*\"([A-Za-z0-9_]+)/([^\"]*)\"")
      set(prefix ${CMAKE_MATCH_1})
      set(header ${CMAKE_MATCH_2})
      if(DEFINED owner_of_${prefix} AND NOT owner_of_${prefix} IN_LIST FMC_LAYER_fmc_engine_ALLOWED
         AND NOT "1" IN_LIST guards)
        file(RELATIVE_PATH shown "${FMC_SOURCE_DIR}" "${source}")
        string(APPEND violations "  ${shown} includes ${prefix}/${header} outside an #ifdef FMC_TEST_WITH_... block: "
                                 "the engine-only build has no ${owner_of_${prefix}}\n")
      endif()
    endif()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "includes that climb the layering (allowed: what each library links, see core/CMakeLists.txt):\n${violations}")
endif()
list(LENGTH FMC_LAYER_LIBRARIES count)
message(STATUS "layering: ${count} libraries, no include climbs")
