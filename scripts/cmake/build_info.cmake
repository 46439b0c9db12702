# What the program is built from, written on every build (cheap: two git
# calls) so that a commit without a new configure still shows:
#
#   cmake -DMM_SOURCE_DIR=... -DMM_OUTPUT_DIR=... -DMM_PROJECT_VERSION=0.1.0
#         "-DMM_LIBRARY_VERSIONS=ncurses=6.4|SQLite=3.40.1|..." -P build_info.cmake
#
# writes, each only when its content changes (so nothing is rebuilt for
# nothing):
#   MM_OUTPUT_DIR/build_info.c   the tables of cli/build_info.h
#   MM_OUTPUT_DIR/version.cmake  MM_PACKAGE_VERSION, MM_REVISION and
#                                MM_CHANGELOG_DATE for the package
#                                (scripts/cmake/package.cmake)
#
# The revision is `git rev-parse --short=12 HEAD` of the source tree, with
# "-dirty" when tracked files differ from it; MM_REVISION in the
# environment overrides it (a build from an exported tree). The package
# version is <project version>+git<commits>.<revision>, which sorts the
# way the history goes; outside a git checkout it is the project version.
cmake_minimum_required(VERSION 3.25)

find_program(MM_GIT git)
set(revision "")
set(commits "")
set(date_epoch "")
if(DEFINED ENV{MM_REVISION} AND NOT "$ENV{MM_REVISION}" STREQUAL "")
  set(revision "$ENV{MM_REVISION}")
elseif(MM_GIT)
  execute_process(COMMAND ${MM_GIT} -C ${MM_SOURCE_DIR} rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    execute_process(COMMAND ${MM_GIT} -C ${MM_SOURCE_DIR} rev-list --count HEAD
                    OUTPUT_VARIABLE commits OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND ${MM_GIT} -C ${MM_SOURCE_DIR} log -1 --format=%ct
                    OUTPUT_VARIABLE date_epoch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND ${MM_GIT} -C ${MM_SOURCE_DIR} status --porcelain --untracked-files=no
                    OUTPUT_VARIABLE changes ERROR_QUIET)
    if(NOT "${changes}" STREQUAL "")
      string(APPEND revision "-dirty")
    endif()
  else()
    set(revision "")
  endif()
endif()

if(revision STREQUAL "")
  set(shown_revision "unknown")
  set(package_version "${MM_PROJECT_VERSION}")
else()
  set(shown_revision "${revision}")
  # A Debian version allows letters, digits and .+~ after the upstream part.
  string(REGEX REPLACE "[^A-Za-z0-9.+~]" "." package_revision "${revision}")
  if(commits STREQUAL "")
    set(package_version "${MM_PROJECT_VERSION}+git.${package_revision}")
  else()
    set(package_version "${MM_PROJECT_VERSION}+git${commits}.${package_revision}")
  endif()
endif()

# The changelog's date: the commit's, so that a package built twice from
# one commit is the same (SOURCE_DATE_EPOCH, then now, without git).
if(date_epoch STREQUAL "")
  string(TIMESTAMP date_epoch "%s" UTC)
endif()

function(c_string value out)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

c_string("${shown_revision}" c_revision)
c_string("${package_version}" c_package_version)
set(rows "")
string(REPLACE "|" ";" libraries "${MM_LIBRARY_VERSIONS}")
foreach(entry ${libraries})
  string(FIND "${entry}" "=" eq REVERSE)
  string(SUBSTRING "${entry}" 0 ${eq} name)
  math(EXPR from "${eq} + 1")
  string(SUBSTRING "${entry}" ${from} -1 version)
  c_string("${name}" c_name)
  c_string("${version}" c_version)
  string(APPEND rows "    {${c_name}, ${c_version}},\n")
endforeach()

set(source "/* Written by scripts/cmake/build_info.cmake on every build. */
#include \"cli/build_info.h\"

#include <stddef.h>

const char mm_build_revision[] = ${c_revision};
const char mm_build_package_version[] = ${c_package_version};
const mm_build_library mm_build_libraries[] = {
${rows}    {NULL, NULL},
};
")
set(cmake "set(MM_PACKAGE_VERSION \"${package_version}\")
set(MM_REVISION \"${shown_revision}\")
set(MM_CHANGELOG_EPOCH \"${date_epoch}\")
")

file(MAKE_DIRECTORY ${MM_OUTPUT_DIR})
foreach(pair "build_info.c|source" "version.cmake|cmake")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 name)
  list(GET pair 1 var)
  file(WRITE ${MM_OUTPUT_DIR}/${name}.new "${${var}}")
  file(COPY_FILE ${MM_OUTPUT_DIR}/${name}.new ${MM_OUTPUT_DIR}/${name} ONLY_IF_DIFFERENT)
  file(REMOVE ${MM_OUTPUT_DIR}/${name}.new)
endforeach()
