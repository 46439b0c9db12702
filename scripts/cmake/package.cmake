# The Debian package: `cpack -G DEB` in a build directory (or with
# `--config <build>/CPackConfig.cmake -B <dir>` to write it elsewhere)
# makes milvus-migrate_<version>_<arch>.deb of what install.cmake installs
# under /usr, binary stripped. Its version is the one the build wrote
# (build_info.cmake: <project version>+git<commits>.<revision>), read when
# cpack runs, so it always matches the binary's --version. Depends comes
# from dpkg-shlibdeps on the binary (package_depends.cmake); Node.js, which
# only the demo needs, is recommended at the version the emulator's
# package.json asks for.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME milvus-migrate)
set(CPACK_PACKAGE_VENDOR "the milvus-migrate authors")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "migrate a Milvus 0.9.x-1.x installation into Milvus 2.x")
set(CPACK_PACKAGE_DESCRIPTION
"milvus-migrate reads a Milvus 0.9.x-1.x installation (SQLite or MySQL metadata
and segment files) strictly read-only, works out the exact live entity set of
every collection and partition, dumps it to NumPy files on local disk,
S3-compatible storage or Azure Blob storage, bulk-imports it into Milvus 2.x
exactly once and reconciles the entity counts per partition.

It offers an interactive terminal wizard, headless commands with meaningful
exit codes for scripts, and a demo that migrates a generated 1.x sample into
a local Milvus 2.x emulator (the demo needs Node.js).")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MM_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(mm_emulator_manifest ${CMAKE_SOURCE_DIR}/tests/emulator/package.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${mm_emulator_manifest})
file(READ ${mm_emulator_manifest} mm_manifest)
string(JSON mm_node_engine ERROR_VARIABLE mm_no_engine GET "${mm_manifest}" engines node)
if(NOT mm_no_engine AND mm_node_engine MATCHES "^>= *([0-9]+)")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nodejs (>= ${CMAKE_MATCH_1})")
else()
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nodejs")
endif()

# cpack reads this before it brings the build up to date (its preinstall
# step, which records the revision anew): the revision is recorded here
# first, so that the package is named by the version its program reports.
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/CPackProjectConfig.cmake)
set(mm_build_info_command "")
foreach(arg ${MM_BUILD_INFO_COMMAND})
  string(APPEND mm_build_info_command " [==[${arg}]==]")
endforeach()
file(GENERATE OUTPUT ${CPACK_PROJECT_CONFIG_FILE} CONTENT
"# Written by scripts/cmake/package.cmake, read by cpack: the version of
# the checkout as the build records it, and the Depends of the program.
execute_process(COMMAND${mm_build_info_command} RESULT_VARIABLE mm_build_info_rc)
if(NOT mm_build_info_rc EQUAL 0)
  message(FATAL_ERROR \"package: recording the git revision failed\")
endif()
include(\"${CMAKE_BINARY_DIR}/build_info/version.cmake\")
set(CPACK_PACKAGE_VERSION \"\${MM_PACKAGE_VERSION}\")
set(CPACK_DEBIAN_PACKAGE_VERSION \"\${MM_PACKAGE_VERSION}\")
set(MM_PROGRAM \"$<TARGET_FILE:milvus-migrate>\")
include(\"${CMAKE_SOURCE_DIR}/scripts/cmake/package_depends.cmake\")
")
include(CPack)
