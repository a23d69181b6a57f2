# fmc_federation: the coordinator (HTTPS API over Qt HttpServer, state in SQL, validation,
# aggregation, audit log) and the site's protocol side (Qt Network client over TLS,
# retries, the resumable round loop). Qt and fmc_common only, so the coordinator does not
# depend on LibTorch.
find_package(Qt6 REQUIRED COMPONENTS Core Network HttpServer Sql)

fmc_add_library(fmc_federation ${CMAKE_CURRENT_SOURCE_DIR}/federation
  PUBLIC_LIBS fmc_common Qt6::Core Qt6::Network Qt6::Sql
  PRIVATE_LIBS Qt6::HttpServer)
set_target_properties(fmc_federation PROPERTIES AUTOMOC ON)

# fmc_federation_site: what a site runs on top of that: the FedMedCLIP engine as the site's
# trainer and, with the site store in the build, recording rounds and global FAMs in the
# site's workspace.
fmc_add_library(fmc_federation_site ${CMAKE_CURRENT_SOURCE_DIR}/federation/site
  PUBLIC_LIBS fmc_federation fmc_sim)
if(TARGET fmc_site)
  get_target_property(_fmc_site_type fmc_site TYPE)
  if(_fmc_site_type STREQUAL "STATIC_LIBRARY")
    target_link_libraries(fmc_federation_site PUBLIC fmc_site)
    target_compile_definitions(fmc_federation_site PUBLIC FMC_FEDERATION_WITH_SITE_STORE)
  endif()
endif()

# Wiring for targets defined after core/ (deferred to the end of the top-level directory):
# fedmedclip-cli's site commands need fmc_federation_site; the federation tests start the
# real executables, so those are built first and their paths compiled into the tests.
function(fmc_federation_wire_targets)
  if(TARGET fedmedclip-cli)
    target_link_libraries(fedmedclip-cli PRIVATE fmc_federation_site)
  endif()
  file(GLOB federation_tests CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/federation/tst_*.cpp")
  foreach(source ${federation_tests})
    get_filename_component(test_name ${source} NAME_WE)
    if(NOT TARGET ${test_name})
      continue()
    endif()
    target_link_libraries(${test_name} PRIVATE fmc_federation_site)
    foreach(executable fedmedclip-cli fedmedclip-coordinator)
      if(TARGET ${executable})
        add_dependencies(${test_name} ${executable})
        string(MAKE_C_IDENTIFIER "FMC_${executable}_PATH" definition)
        string(TOUPPER "${definition}" definition)
        target_compile_definitions(${test_name} PRIVATE "${definition}=\"$<TARGET_FILE:${executable}>\"")
      endif()
    endforeach()
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL fmc_federation_wire_targets)
