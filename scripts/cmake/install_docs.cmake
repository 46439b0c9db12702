# Writes share/doc/milvus-migrate/copyright and changelog.gz while
# installing (install.cmake passes the MM_* variables), so that they
# describe what is installed: the emulator's Node packages are listed from
# npm's record of what it installed (node_modules/.package-lock.json, else
# the emulator's package-lock.json), each with the license npm names (else
# its package.json's, else the one its LICENSE file spells out) and the
# copyright lines of its license file.
#
# The copyright file follows the machine-readable format; a license Debian
# ships in /usr/share/common-licenses is referred to, any other is given
# in full, as one of the packages under it words it.

cmake_policy(PUSH)
cmake_policy(VERSION 3.25)

set(mm_common_licenses Apache-2.0 MPL-2.0 CC0-1.0 GPL-2 GPL-3 LGPL-2.1 LGPL-3 Artistic)

function(mm_json_get json out)
  string(JSON value ERROR_VARIABLE error GET "${json}" ${ARGN})
  if(error)
    set(value "")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# A license file of a package directory, or "".
function(mm_license_file dir out)
  file(GLOB candidates LIST_DIRECTORIES false "${dir}/LICEN[CS]E*" "${dir}/licen[cs]e*" "${dir}/License*")
  list(SORT candidates)
  list(LENGTH candidates n)
  if(n GREATER 0)
    list(GET candidates 0 first)
    set(${out} "${first}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# The SPDX expression of a package: npm's, its package.json's, or read
# from its license text.
function(mm_package_license name dir lock_entry out)
  mm_json_get("${lock_entry}" license license)
  if(license STREQUAL "" AND EXISTS "${dir}/package.json")
    file(READ "${dir}/package.json" manifest)
    mm_json_get("${manifest}" license license)
    if(license MATCHES "^{")
      mm_json_get("${license}" license type)
    endif()
  endif()
  if(license STREQUAL "")
    mm_license_file("${dir}" text_file)
    if(text_file)
      file(READ "${text_file}" text LIMIT 4096)
      if(text MATCHES "Apache License" AND text MATCHES "Version 2\\.0")
        set(license Apache-2.0)
      elseif(text MATCHES "Permission is hereby granted, free of charge")
        set(license MIT)
      endif()
    endif()
  endif()
  if(license STREQUAL "")
    string(REGEX REPLACE "[^A-Za-z0-9]+" "-" id "${name}")
    set(license "X-${id}")
  endif()
  set(${out} "${license}" PARENT_SCOPE)
endfunction()

# "Copyright ..." lines of its license file, else its author. Built as a
# string: a holder may hold ";" or "[", which a CMake list would split on.
function(mm_package_copyright name dir out)
  set(holders "")
  mm_license_file("${dir}" text_file)
  if(text_file)
    file(STRINGS "${text_file}" lines REGEX "^[ \t]*Copyright[ \t]+(\\([cC]\\)|©|[0-9]|[A-Z])")
    foreach(line IN LISTS lines)
      string(STRIP "${line}" line)
      string(REGEX REPLACE "[ \t]*All rights reserved\\.?$" "" line "${line}")
      string(REGEX REPLACE "^Copyright[ \t]+" "" line "${line}")
      string(FIND "\n${holders}\n" "\n${line}\n" seen)
      if(seen EQUAL -1)
        string(APPEND holders "\n${line}")
      endif()
    endforeach()
  endif()
  if(holders STREQUAL "" AND EXISTS "${dir}/package.json")
    file(READ "${dir}/package.json" manifest)
    mm_json_get("${manifest}" author author)
    if(author MATCHES "^{")
      mm_json_get("${author}" author name)
    endif()
    if(NOT author STREQUAL "")
      set(holders "\n${author}")
    endif()
  endif()
  if(holders STREQUAL "")
    set(holders "\nthe authors of ${name}")
  endif()
  string(SUBSTRING "${holders}" 1 -1 holders)
  string(REPLACE "\n" "\n " holders "${holders}")
  set(${out} "${holders}" PARENT_SCOPE)
endfunction()

# A license text as a paragraph body: each line indented, blank lines " .".
# The text is split into a list of lines, so the characters a CMake list
# treats specially stand in as tokens meanwhile.
function(mm_indent text out)
  string(REPLACE "\r" "" text "${text}")
  string(REGEX REPLACE "\n+$" "" text "${text}")
  string(REPLACE "\t" "    " text "${text}")
  string(REPLACE ";" "@MM_SEMICOLON@" text "${text}")
  string(REPLACE "[" "@MM_OPEN@" text "${text}")
  string(REPLACE "]" "@MM_CLOSE@" text "${text}")
  string(REPLACE "\\" "@MM_BACKSLASH@" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(body "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE " +$" "" line "${line}")
    if(line STREQUAL "")
      string(APPEND body " .\n")
    else()
      string(APPEND body " ${line}\n")
    endif()
  endforeach()
  string(REPLACE "@MM_SEMICOLON@" ";" body "${body}")
  string(REPLACE "@MM_OPEN@" "[" body "${body}")
  string(REPLACE "@MM_CLOSE@" "]" body "${body}")
  string(REPLACE "@MM_BACKSLASH@" "\\" body "${body}")
  set(${out} "${body}" PARENT_SCOPE)
endfunction()

# ---- the Node packages -------------------------------------------------------------
set(lock "${MM_EMULATOR_DIR}/node_modules/.package-lock.json")
if(NOT EXISTS "${lock}")
  set(lock "${MM_EMULATOR_DIR}/package-lock.json")
endif()
if(NOT EXISTS "${lock}")
  message(FATAL_ERROR "install: neither ${MM_EMULATOR_DIR}/node_modules/.package-lock.json nor package-lock.json "
    "says which Node packages the emulator has; run 'bash scripts/install-deps.sh' first")
endif()
file(READ "${lock}" lock_json)
string(JSON count LENGTH "${lock_json}" packages)
math(EXPR last "${count} - 1")
set(stanzas "")
set(license_ids "")
foreach(i RANGE 0 ${last})
  string(JSON key MEMBER "${lock_json}" packages ${i})
  if(NOT key MATCHES "node_modules/")
    continue()  # "" is the emulator itself
  endif()
  set(dir "${MM_EMULATOR_DIR}/${key}")
  if(NOT IS_DIRECTORY "${dir}")
    continue()  # recorded but not installed (another platform's optional package)
  endif()
  string(JSON entry GET "${lock_json}" packages "${key}")
  string(REGEX REPLACE "^.*node_modules/" "" name "${key}")
  mm_json_get("${entry}" version version)
  mm_package_license("${name}" "${dir}" "${entry}" license)
  mm_package_copyright("${name}" "${dir}" holders)
  # SPDX "A OR B" is "A or B" here; each name needs its license paragraph.
  string(REGEX REPLACE "[()]" "" license "${license}")
  string(REPLACE " OR " " or " license "${license}")
  string(REPLACE " AND " " and " license "${license}")
  string(APPEND stanzas "Files: ${MM_EMULATOR_INSTALL_DIR}/${key}/*\n"
                        "Copyright: ${holders}\n"
                        "License: ${license}\n"
                        "Comment: ${name} ${version}\n\n")
  string(REGEX REPLACE " (or|and) " ";" ids "${license}")
  foreach(id ${ids})
    if(NOT id IN_LIST license_ids)
      list(APPEND license_ids "${id}")
      set(license_text_${id} "")
    endif()
    if(license_text_${id} STREQUAL "")
      mm_license_file("${dir}" text_file)
      if(text_file)
        set(license_text_${id} "${text_file}")
      endif()
    endif()
  endforeach()
endforeach()

set(paragraphs "")
list(SORT license_ids)
foreach(id ${license_ids})
  if(id IN_LIST mm_common_licenses)
    string(APPEND paragraphs "License: ${id}\n On Debian systems the full text of this license is in\n"
                             " /usr/share/common-licenses/${id}.\n\n")
  elseif(NOT license_text_${id} STREQUAL "")
    file(READ "${license_text_${id}}" text)
    mm_indent("${text}" body)
    string(APPEND paragraphs "License: ${id}\n${body}\n")
  else()
    string(APPEND paragraphs "License: ${id}\n No license file came with the packages under this license; see\n"
                             " https://spdx.org/licenses/${id}.html\n\n")
  endif()
endforeach()

include("${MM_VERSION_FILE}")
file(MAKE_DIRECTORY "${MM_DOC_DIR}")
file(WRITE "${MM_DOC_DIR}/copyright"
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: milvus-migrate
Comment: The demo's Milvus 2.x emulator runs on the Node packages in
 /${MM_EMULATOR_INSTALL_DIR}/node_modules, listed below as npm
 installed them for this build.

Files: *
Copyright: the milvus-migrate authors
License: UNLICENSED

${stanzas}License: UNLICENSED
 No license has been published for milvus-migrate yet: its authors keep
 all rights to it, as the \"UNLICENSED\" of its emulator's package.json
 says. Ask them before redistributing it.

${paragraphs}")
file(CHMOD "${MM_DOC_DIR}/copyright" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# changelog.gz: one entry for this build, dated by its commit.
set(ENV{SOURCE_DATE_EPOCH} "${MM_CHANGELOG_EPOCH}")
string(TIMESTAMP date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(WRITE "${MM_DOC_DIR}/changelog"
"milvus-migrate (${MM_PACKAGE_VERSION}) unstable; urgency=medium

  * Built from git revision ${MM_REVISION}.

 -- ${MM_PACKAGE_MAINTAINER}  ${date}
")
execute_process(COMMAND "${MM_GZIP}" -9nf "${MM_DOC_DIR}/changelog" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install: gzip ${MM_DOC_DIR}/changelog failed")
endif()
file(CHMOD "${MM_DOC_DIR}/changelog.gz" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

cmake_policy(POP)
