# The one script that embeds files in a binary (backends/common/include/accel_common/embedded.h):
# kernel sources for the run-time compilers, the headers they are handed by name, OpenCL C with its
# includes expanded, SPIR-V images with their compiler logs, text for the workloads.
#
#   include(backends/common/cmake/accel_embed.cmake)
#   accel_embed_files(<out_var> TABLE <symbol> FILES <file>...
#                     [BASE <dir>]          entry name: the path under BASE ("hip/hip_fp16.h")
#                     [STRIP_EXTENSION]     entry name: the file name without extension ("gemm")
#                     [NAMES <name>...]     entry names given one per file (overrides the two above)
#                     [ORIGINS <path>...]   what each entry was made from (default: the file itself)
#                     [NOTES <file>...]     a text file per entry read into its note (a compiler log)
#                     [EXPAND_INCLUDES]     replace each #include "x.h" by x.h from the file's folder,
#                                           repeatedly: OpenCL C built from a string has no include path
#                     [DEPENDS <file>...]   more inputs that change the output (included headers)
#                     [TYPE <struct> HEADER <header>])  a struct with accel_embedded_file's five
#                                           fields in the same order, and the header declaring it
# generates <symbol>.c in the caller's binary folder, defining `const <struct> <symbol>[]` and
# `const size_t <symbol>_count`, and sets <out_var> to its path. The file is rewritten only when its
# text changes, so an unchanged set rebuilds nothing. The target compiling it needs the header on
# its include path (link accel_backend_common for the default one).
#
# Script mode (what the build step runs): cmake -DMANIFEST=<file> -P accel_embed.cmake, where the
# manifest, written at configure time, sets OUT, TABLE, TYPE, HEADER, FILES, NAMES, ORIGINS, NOTES
# and EXPAND_INCLUDES.

if(NOT CMAKE_SCRIPT_MODE_FILE)
  set(ACCEL_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_FILE})

  function(accel_embed_files out_var)
    cmake_parse_arguments(E "STRIP_EXTENSION;EXPAND_INCLUDES" "TABLE;BASE;TYPE;HEADER"
                          "FILES;NAMES;ORIGINS;NOTES;DEPENDS" ${ARGN})
    if(NOT E_TABLE)
      message(FATAL_ERROR "accel_embed_files: TABLE is required")
    endif()
    if(NOT E_TYPE)
      set(E_TYPE accel_embedded_file)
      set(E_HEADER accel_common/embedded.h)
    elseif(NOT E_HEADER)
      message(FATAL_ERROR "accel_embed_files(${E_TABLE}): TYPE needs HEADER")
    endif()
    list(LENGTH E_FILES n)
    foreach(list_name NAMES ORIGINS NOTES)
      list(LENGTH E_${list_name} m)
      if(m GREATER 0 AND NOT m EQUAL n)
        message(FATAL_ERROR "accel_embed_files(${E_TABLE}): ${m} ${list_name} for ${n} FILES")
      endif()
    endforeach()
    if(NOT E_NAMES)
      foreach(f IN LISTS E_FILES)
        if(E_BASE)
          file(RELATIVE_PATH name ${E_BASE} ${f})
        elseif(E_STRIP_EXTENSION)
          get_filename_component(name ${f} NAME_WE)
        else()
          get_filename_component(name ${f} NAME)
        endif()
        list(APPEND E_NAMES ${name})
      endforeach()
    endif()
    if(NOT E_ORIGINS)
      foreach(f IN LISTS E_FILES)
        file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${f})
        if(rel MATCHES "^\\.\\./")
          set(rel ${f})
        endif()
        list(APPEND E_ORIGINS ${rel})
      endforeach()
    endif()

    set(out ${CMAKE_CURRENT_BINARY_DIR}/${E_TABLE}.c)
    set(manifest ${CMAKE_CURRENT_BINARY_DIR}/${E_TABLE}.embed.cmake)
    set(text "# Written by accel_embed_files at configure time.\n")
    foreach(var OUT TABLE TYPE HEADER FILES NAMES ORIGINS NOTES EXPAND_INCLUDES)
      if(var STREQUAL "OUT")
        set(value "${out}")
      else()
        set(value "${E_${var}}")
      endif()
      string(REPLACE "\\" "\\\\" value "${value}")
      string(REPLACE "\"" "\\\"" value "${value}")
      string(REPLACE "$" "\\$" value "${value}")
      string(APPEND text "set(${var} \"${value}\")\n")
    endforeach()
    file(CONFIGURE OUTPUT ${manifest} CONTENT "${text}" @ONLY)

    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DMANIFEST=${manifest} -P ${ACCEL_EMBED_SCRIPT}
      DEPENDS ${E_FILES} ${E_NOTES} ${E_DEPENDS} ${manifest} ${ACCEL_EMBED_SCRIPT}
      COMMENT "Embedding ${n} file(s) as ${E_TABLE}"
      VERBATIM)
    set(${out_var} ${out} PARENT_SCOPE)
  endfunction()
  return()
endif()

# ---- script mode ----
include(${MANIFEST})

function(c_string_literal text out)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\n" "\\n\"\n     \"" text "${text}")
  set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()

# The file's text with every #include "x.h" replaced by x.h (found next to the file), repeatedly:
# headers include headers, and their guards keep repeats harmless.
function(expand_includes file out)
  get_filename_component(dir ${file} DIRECTORY)
  file(READ ${file} text)
  foreach(depth RANGE 8)
    string(REGEX MATCHALL "#include \"[^\"]+\"" includes "${text}")
    if(NOT includes)
      break()
    endif()
    list(REMOVE_DUPLICATES includes)
    foreach(inc IN LISTS includes)
      string(REGEX REPLACE "#include \"([^\"]+)\"" "\\1" header "${inc}")
      if(NOT EXISTS ${dir}/${header})
        message(FATAL_ERROR "${file}: ${inc}: no ${dir}/${header}")
      endif()
      file(READ ${dir}/${header} header_text)
      string(REPLACE "${inc}" "${header_text}" text "${text}")
    endforeach()
  endforeach()
  if(includes)
    message(FATAL_ERROR "${file}: includes nested deeper than 8 levels")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(body "/* Generated by backends/common/cmake/accel_embed.cmake: do not edit. */\n")
string(APPEND body "#include \"${HEADER}\"\n\n")
set(entries "")
set(count 0)
foreach(f IN LISTS FILES)
  list(GET NAMES ${count} name)
  list(GET ORIGINS ${count} origin)
  if(EXPAND_INCLUDES)
    expand_includes(${f} expanded)
    set(tmp ${OUT}.${count}.tmp)
    file(WRITE ${tmp} "${expanded}")
    file(READ ${tmp} hex HEX)
    file(REMOVE ${tmp})
  else()
    file(READ ${f} hex HEX)
  endif()
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n    " bytes "${bytes}")
  set(note_literal "\"\"")
  if(NOTES)
    list(GET NOTES ${count} note_file)
    file(READ ${note_file} note_text)
    c_string_literal("${note_text}" note_literal)
  endif()
  c_string_literal("${name}" name_literal)
  c_string_literal("${origin}" origin_literal)
  string(APPEND body "static const unsigned char ${TABLE}_${count}[] = {\n    ${bytes}0x00};\n")
  string(APPEND entries "    {${name_literal}, ${origin_literal}, (const void *)${TABLE}_${count}, ${size}u,\n     ${note_literal}},\n")
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  # C has no empty arrays: one blank entry, which the count leaves out.
  string(APPEND entries "    {\"\", \"\", \"\", 0u, \"\"},\n")
endif()
string(APPEND body "\nconst ${TYPE} ${TABLE}[] = {\n${entries}};\n")
string(APPEND body "const size_t ${TABLE}_count = ${count}u;\n")

if(EXISTS ${OUT})
  file(READ ${OUT} old)
  if(old STREQUAL body)
    return()
  endif()
endif()
file(WRITE ${OUT}.tmp "${body}")
file(RENAME ${OUT}.tmp ${OUT})
