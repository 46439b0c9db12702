# What `cmake --install` (and the Debian package, package.cmake) puts where,
# under the prefix:
#   bin/milvus-migrate
#   share/man/man1/milvus-migrate.1.gz, share/man/man5/migration.yaml.5.gz
#   share/milvus-migrate/themes/          the wizard's colour themes
#   share/milvus-migrate/emulator/        the demo's Milvus 2.x emulator with
#                                         its Node packages as tests/emulator
#                                         has them at install time
#   share/bash-completion/completions/milvus-migrate
#   share/doc/milvus-migrate/copyright, changelog.gz (install_docs.cmake)
# The program finds its data from its own location (engine/base/datadir.c):
# share/milvus-migrate beside its bin/, or, in the build directory,
# share/milvus-migrate with links into the source tree (made below). No
# path of the build machine is compiled in.
include(GNUInstallDirs)

# Names the program is also installed under: each becomes a symbolic link
# next to bin/milvus-migrate and is completed like it. This list is the one
# place to add such an alias. milvus-migration: the reference tool's name,
# which the official migration guide's commands use (the build directory
# has the link too, CMakeLists.txt).
set(MM_PROGRAM_ALIASES milvus-migration)

set(MM_DATA_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/milvus-migrate)
file(RELATIVE_PATH mm_data_from_bindir ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_DATADIR}/milvus-migrate)
set(mm_build_data_dir share/milvus-migrate)
set_property(SOURCE ${CMAKE_SOURCE_DIR}/engine/base/datadir.c APPEND PROPERTY COMPILE_DEFINITIONS
             MM_DATA_FROM_BINDIR="${mm_data_from_bindir}" MM_DATA_IN_BUILD_TREE="${mm_build_data_dir}")

# The data of a binary in the build directory: links to the source tree.
set(MM_DATA_DIRS themes themes emulator tests/emulator)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/${mm_build_data_dir})
list(LENGTH MM_DATA_DIRS mm_data_fields)
math(EXPR mm_data_last "${mm_data_fields} - 2")
foreach(i RANGE 0 ${mm_data_last} 2)
  math(EXPR j "${i} + 1")
  list(GET MM_DATA_DIRS ${i} name)
  list(GET MM_DATA_DIRS ${j} source)
  file(REMOVE ${CMAKE_BINARY_DIR}/${mm_build_data_dir}/${name})
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${source} ${CMAKE_BINARY_DIR}/${mm_build_data_dir}/${name} SYMBOLIC)
endforeach()

# Whatever umask the installing user has.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(mm_file_permissions FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    DIRECTORY_PERMISSIONS ${CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS})

install(TARGETS milvus-migrate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(alias ${MM_PROGRAM_ALIASES})
  install(CODE "file(CREATE_LINK milvus-migrate \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/${alias}\" SYMBOLIC)")
endforeach()

# Man pages, compressed as Debian keeps them (gzip -9n: no name, no time).
find_program(MM_GZIP gzip REQUIRED)
set(mm_man_outputs)
foreach(page milvus-migrate.1 migration.yaml.5)
  set(out ${CMAKE_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND sh -c "\"$0\" -9nc \"$1\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2\"" ${MM_GZIP} ${CMAKE_SOURCE_DIR}/man/${page} ${out}
    DEPENDS ${CMAKE_SOURCE_DIR}/man/${page}
    COMMENT "Compressing man/${page}" VERBATIM)
  string(REGEX MATCH "[0-9]$" section ${page})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  list(APPEND mm_man_outputs ${out})
endforeach()
add_custom_target(man_pages ALL DEPENDS ${mm_man_outputs})

# Bash completion, written by the program from its own tables.
set(mm_completion ${CMAKE_BINARY_DIR}/completion/milvus-migrate)
string(JOIN "," mm_completion_names milvus-migrate ${MM_PROGRAM_ALIASES})
file(GLOB mm_theme_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/themes/*.theme)
add_custom_command(OUTPUT ${mm_completion}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/completion
  COMMAND sh -c "\"$0\" --bash-completion \"$1\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
          $<TARGET_FILE:milvus-migrate> ${mm_completion_names} ${mm_completion}
  DEPENDS milvus-migrate ${mm_theme_files}
  COMMENT "Writing the bash completion" VERBATIM)
add_custom_target(bash_completion ALL DEPENDS ${mm_completion})
set(mm_completions_dir ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${mm_completion} DESTINATION ${mm_completions_dir})
# bash-completion loads a command's completion from a file of its name.
foreach(alias ${MM_PROGRAM_ALIASES})
  install(CODE "file(CREATE_LINK milvus-migrate \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${mm_completions_dir}/${alias}\" SYMBOLIC)")
endforeach()

install(DIRECTORY ${CMAKE_SOURCE_DIR}/themes/ DESTINATION ${MM_DATA_INSTALL_DIR}/themes ${mm_file_permissions}
        FILES_MATCHING PATTERN "*.theme")

# The emulator as it is now, Node packages included; not its test data,
# hidden files (npm's command shims and records, the packages' linter, git
# and npm settings), nor TypeScript declarations and source maps: Node
# loads none of them.
set(mm_emulator ${CMAKE_SOURCE_DIR}/tests/emulator)
install(CODE "
if(NOT IS_DIRECTORY \"${mm_emulator}/node_modules\")
  message(FATAL_ERROR \"install: ${mm_emulator}/node_modules is missing, so the demo's Milvus 2.x emulator \"
    \"would be installed without its Node packages; run 'bash scripts/install-deps.sh' (npm ci in \"
    \"tests/emulator) first\")
endif()")
install(DIRECTORY ${mm_emulator}/ DESTINATION ${MM_DATA_INSTALL_DIR}/emulator ${mm_file_permissions}
        REGEX "/tests/emulator/testdata$" EXCLUDE
        REGEX "/\\.[^/]+$" EXCLUDE
        REGEX "\\.([mc]?ts|map)$" EXCLUDE)
# The files above are installed 0644; the packages' scripts (a "#!" line,
# such as the code generators npm links as commands) stay executable.
install(CODE "
file(GLOB_RECURSE mm_emulator_files \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${MM_DATA_INSTALL_DIR}/emulator/*\")
foreach(f IN LISTS mm_emulator_files)
  file(READ \"\${f}\" head LIMIT 2)
  if(head MATCHES \"^#!\")
    file(CHMOD \"\${f}\" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endif()
endforeach()")

# copyright (with every Node package's license) and changelog.gz, written
# at install time from what is installed. The maintainer is the package's
# and the changelog's.
set(MM_PACKAGE_MAINTAINER "milvus-migrate maintainers <maintainers@users.noreply.b-seed-2571aec8.example>"
    CACHE STRING "Maintainer of the Debian package: Name <address>")
if(IS_ABSOLUTE ${CMAKE_INSTALL_DOCDIR})
  set(mm_doc_dir ${CMAKE_INSTALL_DOCDIR})
else()
  set(mm_doc_dir "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}")
endif()
install(CODE "
set(MM_DOC_DIR \"\$ENV{DESTDIR}${mm_doc_dir}\")
set(MM_EMULATOR_DIR \"${mm_emulator}\")
string(REGEX REPLACE \"^/\" \"\" MM_EMULATOR_INSTALL_DIR \"\${CMAKE_INSTALL_PREFIX}/${MM_DATA_INSTALL_DIR}/emulator\")
set(MM_VERSION_FILE \"${CMAKE_BINARY_DIR}/build_info/version.cmake\")
set(MM_PACKAGE_MAINTAINER \"${MM_PACKAGE_MAINTAINER}\")
set(MM_GZIP \"${MM_GZIP}\")
include(\"${CMAKE_SOURCE_DIR}/scripts/cmake/install_docs.cmake\")")
