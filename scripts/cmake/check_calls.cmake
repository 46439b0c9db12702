# Import circles between the files of one library, found on its compiled
# objects: a.c calls b.c when a.o uses a symbol b.o defines. A circle
# (a.c -> b.c -> ... -> a.c) means the files are one module in disguise
# and cannot be understood or tested one at a time; the build fails and
# names it. Run after each library is built:
#   cmake -DMM_LIBRARY=<lib.a> -DMM_NM=<nm> -P check_calls.cmake
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND ${MM_NM} -A ${MM_LIBRARY} OUTPUT_VARIABLE listing RESULT_VARIABLE status ERROR_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${MM_NM} -A ${MM_LIBRARY} failed")
endif()
string(REPLACE "\n" ";" lines "${listing}")

# Which object defines each global symbol, and what each object uses.
set(objects "")
foreach(line IN LISTS lines)
  if(line MATCHES "^[^:]+:([^:]+):[0-9a-fA-F]* *([A-Za-z]) ([^ ]+)$")
    set(object ${CMAKE_MATCH_1})
    set(type ${CMAKE_MATCH_2})
    set(symbol ${CMAKE_MATCH_3})
    string(MAKE_C_IDENTIFIER "${object}" id)
    list(APPEND objects ${object})
    if(type STREQUAL "U")
      list(APPEND uses_${id} ${symbol})
    elseif(type MATCHES "^[TDBRCGSV]$")
      set(defined_${symbol} ${object})
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES objects)

set(edges "")
foreach(object ${objects})
  string(MAKE_C_IDENTIFIER "${object}" id)
  foreach(symbol ${uses_${id}})
    if(DEFINED defined_${symbol} AND NOT defined_${symbol} STREQUAL object)
      list(APPEND edges "${object}>${defined_${symbol}}")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES edges)
include(${CMAKE_CURRENT_LIST_DIR}/find_circles.cmake)
mm_find_circles("${edges}" circles)
string(REPLACE ".c.o" ".c" circles "${circles}")

if(circles)
  get_filename_component(name ${MM_LIBRARY} NAME)
  message(FATAL_ERROR "import circles between the files of ${name} (each calls the next):\n${circles}")
endif()
