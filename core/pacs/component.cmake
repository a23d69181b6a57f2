# fmc_pacs: the site's PACS connection: DICOMweb (QIDO-RS, WADO-RS, STOW-RS over Qt Network)
# and DIMSE (C-ECHO, C-FIND, C-GET, C-STORE with DCMTK's dcmnet), the import of retrieved
# series into a site workspace, DICOM SR export of predictions (dcmsr) and the credential
# store (QtKeychain when Debian's qtkeychain-qt6-dev is installed, else a private file).
# DCMTK stays in the .cpp files.
find_package(Qt6 REQUIRED COMPONENTS Core Network)
find_package(DCMTK REQUIRED)
find_package(Qt6Keychain QUIET)

fmc_add_library(fmc_pacs ${CMAKE_CURRENT_SOURCE_DIR}/pacs
  PUBLIC_LIBS fmc_site Qt6::Core Qt6::Network
  PRIVATE_LIBS DCMTK::dcmsr DCMTK::dcmnet DCMTK::dcmdata DCMTK::oflog DCMTK::ofstd)
if(Qt6Keychain_FOUND)
  target_link_libraries(fmc_pacs PRIVATE Qt6Keychain::Qt6Keychain)
  target_compile_definitions(fmc_pacs PRIVATE FMC_PACS_WITH_QTKEYCHAIN)
endif()

# tst_pacscommands runs the real fedmedclip-cli: it is built first and its path compiled in.
function(fmc_pacs_wire_targets)
  if(TARGET tst_pacscommands AND TARGET fedmedclip-cli)
    add_dependencies(tst_pacscommands fedmedclip-cli)
    target_compile_definitions(tst_pacscommands PRIVATE "FMC_FEDMEDCLIP_CLI_PATH=\"$<TARGET_FILE:fedmedclip-cli>\"")
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL fmc_pacs_wire_targets)
