# Run at build time (cmake -DSRC=<source dir> -DOUT=<header> -P git_sha.cmake): writes the commit the
# binary is built from, with "-dirty" when tracked files differ from it, so every CSV row names the
# code that produced it even when nobody re-ran cmake. OUT is rewritten only when its text changes:
# an unchanged tree rebuilds nothing.
execute_process(COMMAND git rev-parse --short HEAD
  WORKING_DIRECTORY "${SRC}" OUTPUT_VARIABLE sha OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR sha STREQUAL "")
  set(sha "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD --
    WORKING_DIRECTORY "${SRC}" RESULT_VARIABLE dirty OUTPUT_QUIET ERROR_QUIET)
  if(dirty EQUAL 1)
    string(APPEND sha "-dirty")
  endif()
endif()
set(text "/* Generated at build time by benchmarks/cmake/git_sha.cmake. */\n#define ACCELBENCH_GIT_SHA \"${sha}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
