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

if(violations)
  message(FATAL_ERROR "includes that climb the layering (allowed: what each library links, see core/CMakeLists.txt):\n${violations}")
endif()
list(LENGTH FMC_LAYER_LIBRARIES count)
message(STATUS "layering: ${count} libraries, no include climbs")
