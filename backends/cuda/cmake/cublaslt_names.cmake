# cmake -DHEADER=<cublasLt.h> -DOUT=<file.c> -P cublaslt_names.cmake
# Tile and stage enum names from the cuBLASLt header we build against, so a plan's algorithm string
# reads "tile 256x128 stages 64x4" rather than bare enum numbers.
file(STRINGS ${HEADER} _tiles REGEX "^[ \t]*CUBLASLT_MATMUL_TILE_[0-9]+x[0-9]+ = [0-9]+")
file(STRINGS ${HEADER} _stages REGEX "^[ \t]*CUBLASLT_MATMUL_STAGES_[0-9]+x[0-9A-Za-z_]+ = [0-9]+")
set(_out "/* Generated from cublasLt.h by backends/cuda/cmake/cublaslt_names.cmake. */\n#include <stddef.h>\n")
string(APPEND _out "typedef struct accel_lt_name { int id; const char *name; } accel_lt_name;\n")
foreach(_kind tiles stages)
  string(APPEND _out "static const accel_lt_name accel_lt_${_kind}[] = {\n")
  foreach(_line IN LISTS _${_kind})
    string(REGEX MATCH "CUBLASLT_MATMUL_(TILE|STAGES)_([0-9A-Za-z_]+) = ([0-9]+)" _m "${_line}")
    string(APPEND _out "    {${CMAKE_MATCH_3}, \"${CMAKE_MATCH_2}\"},\n")
  endforeach()
  string(APPEND _out "    {-1, NULL}};\n")
endforeach()
string(APPEND _out "
static const char *accel_lt_find(const accel_lt_name *t, int id) {
    for (; t->name; ++t)
        if (t->id == id) return t->name;
    return \"?\";
}
const char *accel_cuda_lt_tile_name(int id);
const char *accel_cuda_lt_stages_name(int id);
const char *accel_cuda_lt_tile_name(int id) { return accel_lt_find(accel_lt_tiles, id); }
const char *accel_cuda_lt_stages_name(int id) { return accel_lt_find(accel_lt_stages, id); }
")
if(EXISTS ${OUT})
  file(READ ${OUT} _old)
  if(_old STREQUAL _out)
    return()
  endif()
endif()
file(WRITE ${OUT} "${_out}")
