# The layer rules, checked on every build before anything compiles
# (cmake -DMM_SOURCE_DIR=... -DMM_STAMP=... -P check_layers.cmake). A
# broken rule fails the build with the file, the include (or the line) and
# the rule. The layers, with the arrows they may follow (down only):
#
#   cli/        -> engine/job, engine/base, screens/wizard.h, model headers
#   screens/    -> engine/job, engine/base, tui/, model headers
#   engine/job  -> engine modules, engine/base
#   engine/<m>  -> other engine modules, engine/base   (no import circle)
#   engine/base -> engine/base
#   tui/        -> engine/base
#
# "Model headers" are the engine headers of data and pure functions a
# front end may use directly: the configuration model, the inventory and
# its rendering, 2.x names, the plan, the verification report, the 1.x
# sample for the demo. Everything that does work (source readers, storage,
# the Milvus client, dump, load, journal) is reached through engine/job.
#
# Also refused: curses outside tui/; printing to stdout/stderr and exit()
# in engine/; and an import circle between engine modules (a module is a
# folder of engine/, or a file at its top level). Circles between the files
# of one library are found on the compiled objects (check_calls.cmake).
cmake_minimum_required(VERSION 3.25)

set(src ${MM_SOURCE_DIR})
set(model_headers
  config/config.h plan.h verify.h
  source/inventory.h source/inventory_render.h source/names.h source/target_names.h)
set(cli_only_headers sample/sample_install.h)

set(problems "")
macro(refuse file what rule)
  string(APPEND problems "${file}: ${what}: ${rule}\n")
endmacro()

# The layer of a path relative to the source tree, and its module (the
# unit import circles are looked for between).
function(layer_of rel out_layer out_module)
  if(rel MATCHES "^engine/base/")
    set(layer base)
    set(module base)
  elseif(rel MATCHES "^engine/job/")
    set(layer job)
    set(module job)
  elseif(rel MATCHES "^engine/([^/]+)/")
    set(layer engine)
    set(module ${CMAKE_MATCH_1})
  elseif(rel MATCHES "^engine/([^/.]+)\\.[ch]$")
    # A top-level module's internal header belongs to it (journal_internal.h).
    set(layer engine)
    string(REGEX REPLACE "_internal$" "" module ${CMAKE_MATCH_1})
  elseif(rel MATCHES "^(tui|screens|cli)/")
    set(layer ${CMAKE_MATCH_1})
    set(module ${CMAKE_MATCH_1})
  else()
    set(layer other)
    set(module other)
  endif()
  set(${out_layer} ${layer} PARENT_SCOPE)
  set(${out_module} ${module} PARENT_SCOPE)
endfunction()

# Where `#include "name"` of a file in dir leads (relative path), or "".
function(resolve dir name out)
  set(found "")
  if(EXISTS ${src}/${dir}/${name} AND NOT IS_DIRECTORY ${src}/${dir}/${name})
    file(RELATIVE_PATH found ${src} ${src}/${dir}/${name})
  elseif(name MATCHES "^(tui|screens|cli)/" AND EXISTS ${src}/${name})
    set(found ${name})
  elseif(EXISTS ${src}/engine/${name} AND NOT IS_DIRECTORY ${src}/engine/${name})
    set(found engine/${name})
  endif()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE ${src} ${src}/engine/*.[ch] ${src}/tui/*.[ch] ${src}/screens/*.[ch]
     ${src}/cli/*.[ch])
list(SORT files)
set(module_edges "")

foreach(rel ${files})
  get_filename_component(dir ${rel} DIRECTORY)
  get_filename_component(stem ${rel} NAME_WE)
  layer_of(${rel} from from_module)
  file(STRINGS ${src}/${rel} lines)
  set(lineno 0)
  foreach(line IN LISTS lines)
    math(EXPR lineno "${lineno} + 1")
    # Curses belongs to the toolkit.
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*<((n?curses|ncursesw?/|term\\.h)[^>]*)>" AND NOT from STREQUAL "tui")
      refuse(${rel}:${lineno} "#include <${CMAKE_MATCH_1}>" "only tui/ may include curses")
    endif()
    if(from MATCHES "^(base|engine|job)$")
      # The engine reports through return values, errors and the job's sink.
      string(REGEX REPLACE "//.*$" "" code "${line}")
      set(printer "")
      if(code MATCHES "(^|[^A-Za-z0-9_])(printf|vprintf|puts|perror|putchar)[ \t]*\\(")
        set(printer ${CMAKE_MATCH_2})
      elseif(code MATCHES "(^|[^A-Za-z0-9_])(f(printf|puts|putc|write))[ \t]*\\(.*(stdout|stderr)")
        set(printer "${CMAKE_MATCH_2} to ${CMAKE_MATCH_4}")
      elseif(code MATCHES "(^|[^A-Za-z0-9_])(v?fprintf|vdprintf|dprintf)[ \t]*\\([ \t]*(stdout|stderr|[12][ \t]*,)")
        set(printer "${CMAKE_MATCH_2} to ${CMAKE_MATCH_3}")
      endif()
      if(printer)
        refuse(${rel}:${lineno} "${printer}" "the engine never prints; report through the job's sink")
      endif()
      if(code MATCHES "(^|[^A-Za-z0-9_.>])(_?exit|quick_exit)[ \t]*\\(")
        refuse(${rel}:${lineno} "${CMAKE_MATCH_2}()" "the engine never ends the process; return an error")
      endif()
    endif()
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      continue()
    endif()
    set(name ${CMAKE_MATCH_1})
    resolve(${dir} ${name} target)
    if("${target}" STREQUAL "")
      if(NOT (name MATCHES "\\.pb-c\\.h$" AND rel MATCHES "^engine/milvus2/"))
        refuse(${rel}:${lineno} "#include \"${name}\"" "no such header in the source tree")
      endif()
      continue()
    endif()
    layer_of(${target} to to_module)
    set(what "#include \"${name}\"")
    if(from STREQUAL "base" AND NOT to STREQUAL "base")
      refuse(${rel}:${lineno} "${what}" "engine/base includes nothing above it")
    elseif(from STREQUAL "engine" AND NOT to MATCHES "^(base|engine)$")
      refuse(${rel}:${lineno} "${what}" "engine modules include engine modules and engine/base only")
    elseif(from STREQUAL "job" AND NOT to MATCHES "^(base|engine|job)$")
      refuse(${rel}:${lineno} "${what}" "engine/job never includes cli/, tui/ or screens/")
    elseif(from STREQUAL "tui" AND NOT to MATCHES "^(base|tui)$")
      refuse(${rel}:${lineno} "${what}" "tui/ is the toolkit: it includes engine/base only (no screens/, no engine/config)")
    elseif(from STREQUAL "screens")
      string(REGEX REPLACE "^engine/" "" engine_name "${target}")
      if(to STREQUAL "cli")
        refuse(${rel}:${lineno} "${what}" "screens/ never include cli/")
      elseif(to STREQUAL "engine" AND NOT engine_name IN_LIST model_headers)
        refuse(${rel}:${lineno} "${what}" "screens/ reach the engine through engine/job (or a model header)")
      endif()
    elseif(from STREQUAL "cli")
      string(REGEX REPLACE "^engine/" "" engine_name "${target}")
      if(to STREQUAL "tui")
        refuse(${rel}:${lineno} "${what}" "cli/ starts the wizard through screens/wizard.h, not the toolkit")
      elseif(to STREQUAL "screens" AND NOT target STREQUAL "screens/wizard.h")
        refuse(${rel}:${lineno} "${what}" "cli/ sees only screens/wizard.h of the wizard")
      elseif(to STREQUAL "engine" AND NOT engine_name IN_LIST model_headers
             AND NOT engine_name IN_LIST cli_only_headers)
        refuse(${rel}:${lineno} "${what}" "cli/ reaches the engine through engine/job (or a model header)")
      endif()
    endif()
    if(NOT from_module STREQUAL to_module AND from MATCHES "^(engine|job|base)$")
      list(APPEND module_edges "${from_module}>${to_module}")
    endif()
  endforeach()
endforeach()

# An import circle between engine modules.
list(REMOVE_DUPLICATES module_edges)
include(${CMAKE_CURRENT_LIST_DIR}/find_circles.cmake)
mm_find_circles("${module_edges}" circles)
string(REPLACE "\n" ";" circles "${circles}")
foreach(circle ${circles})
  refuse(engine "${circle}" "import circle between engine modules")
endforeach()

if(problems)
  message(FATAL_ERROR "layer rules broken:\n${problems}")
endif()
file(WRITE ${MM_STAMP} "ok\n")
