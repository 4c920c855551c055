# cmake -DIN=<file> -DOUT=<file.c> -DNAME=<symbol> -P embed_text.cmake
# Writes IN into OUT as `const char NAME[]`, NUL-terminated, rewriting OUT only when it changes.
file(READ ${IN} _hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" _bytes "${_bytes}")
get_filename_component(_name ${IN} NAME)
set(_out "/* Generated from ${_name} by workloads/cmake/embed_text.cmake: do not edit. */\nconst char ${NAME}[] = {\n${_bytes}0x00};\n")
if(EXISTS ${OUT})
  file(READ ${OUT} _old)
  if(_old STREQUAL _out)
    return()
  endif()
endif()
file(WRITE ${OUT} "${_out}")
