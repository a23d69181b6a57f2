# fmc_site: a site workspace's SQLite store, the folder importer and the site operations
# (features, local training, prediction). The standard library and the sqlite3 C API only,
# no Qt, so the CLI, the desktop app and services can all use it.
find_package(SQLite3 REQUIRED)

fmc_add_library(fmc_site ${CMAKE_CURRENT_SOURCE_DIR}/site
  PUBLIC_LIBS fmc_sim fmc_dicom
  PRIVATE_LIBS SQLite::SQLite3)
