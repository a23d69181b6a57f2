# fmc_dicom: DICOM decoding with DCMTK (its JPEG, JPEG-LS and RLE decoders) and JPEG 2000
# through OpenJPEG, which DCMTK's open-source build lacks. Both stay private: the public
# header speaks in fmc::RgbImage and plain structs only.
find_package(DCMTK REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(OPENJPEG REQUIRED IMPORTED_TARGET libopenjp2)

fmc_add_library(fmc_dicom ${CMAKE_CURRENT_SOURCE_DIR}/dicom
  PUBLIC_LIBS fmc_imaging
  PRIVATE_LIBS DCMTK::dcmimage DCMTK::dcmimgle DCMTK::dcmjpeg DCMTK::dcmjpls DCMTK::dcmdata
               DCMTK::oflog DCMTK::ofstd PkgConfig::OPENJPEG)
