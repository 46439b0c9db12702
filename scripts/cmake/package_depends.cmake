# Depends of the Debian package, computed by dpkg-shlibdeps from the
# program, as CPack's CPACK_DEBIAN_PACKAGE_SHLIBDEPS does; that option
# would first run `file` on each of the ~1500 installed files (the
# emulator's Node packages) to find the one ELF binary, which costs half a
# minute. Included by the CPack project config (package.cmake) with
# MM_PROGRAM set; sets CPACK_DEBIAN_PACKAGE_DEPENDS.
find_program(MM_SHLIBDEPS dpkg-shlibdeps)
if(NOT MM_SHLIBDEPS)
  message(FATAL_ERROR "package: dpkg-shlibdeps is missing (package dpkg-dev): it computes the package's Depends")
endif()
# It wants to run at the top of a source package.
set(mm_shlibdeps_dir "${CPACK_PACKAGE_DIRECTORY}/_shlibdeps")
file(MAKE_DIRECTORY "${mm_shlibdeps_dir}/debian")
file(WRITE "${mm_shlibdeps_dir}/debian/control" "")
execute_process(COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C ${MM_SHLIBDEPS} -O "${MM_PROGRAM}"
                WORKING_DIRECTORY "${mm_shlibdeps_dir}"
                OUTPUT_VARIABLE mm_shlibdeps_out ERROR_VARIABLE mm_shlibdeps_err RESULT_VARIABLE mm_shlibdeps_rc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
file(REMOVE_RECURSE "${mm_shlibdeps_dir}")
if(NOT mm_shlibdeps_rc EQUAL 0 OR NOT mm_shlibdeps_out MATCHES "shlibs:Depends=([^\n]+)")
  message(FATAL_ERROR "package: dpkg-shlibdeps -O ${MM_PROGRAM} failed (${mm_shlibdeps_rc}): ${mm_shlibdeps_err}")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${CMAKE_MATCH_1}")
