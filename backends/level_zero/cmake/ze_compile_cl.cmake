# Script mode: SRC (.cl) -> SPV via CLANG (LLVM IR), OPT with PIPELINE when given, and LLVM_SPIRV.
# Never fails the build: on error SPV is left empty and LOG holds the tool's message (see
# ze_spirv_kernels.cmake for why). The language flags are the ones the OpenCL kernel authors keep
# their files compilable with.
set(bc "${SPV}.bc")
set(opt_bc "${SPV}.opt.bc")
# DEFINES: "A=1,B=2" -> -DA=1 -DB=2 (the variant's compile-time options)
set(define_flags "")
if(DEFINED DEFINES AND NOT DEFINES STREQUAL "")
  string(REPLACE "," ";" define_list "${DEFINES}")
  foreach(d IN LISTS define_list)
    list(APPEND define_flags "-D${d}")
  endforeach()
endif()
set(optimize_flags -O2)
if(PIPELINE)
  set(optimize_flags -O2 -Xclang -disable-llvm-passes)
endif()

function(fail what)
  file(WRITE ${SPV} "")
  file(WRITE ${LOG} "${what}")
  file(REMOVE ${bc} ${opt_bc})
endfunction()

execute_process(
  COMMAND ${CLANG} -cl-std=CL2.0 -target spir64 -Xclang -finclude-default-header ${optimize_flags}
          ${define_flags} -I ${INCLUDE_DIR} -c -emit-llvm ${SRC} -o ${bc}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("clang failed (exit ${rc}) on ${SRC} ${define_flags}:\n${out}${err}")
  return()
endif()
set(translate_input ${bc})
if(PIPELINE)
  string(REPLACE "@" ";" passes "${PIPELINE}")
  execute_process(COMMAND ${OPT} "-passes=${passes}" ${bc} -o ${opt_bc}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("opt failed (exit ${rc}) on ${SRC} ${define_flags}:\n${out}${err}")
    return()
  endif()
  set(translate_input ${opt_bc})
endif()
# SPIR-V 1.0: what OpenCL 2.0 devices and Level Zero all accept, and what spirv-val checks against.
execute_process(COMMAND ${LLVM_SPIRV} --spirv-max-version=1.0 ${translate_input} -o ${SPV}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("llvm-spirv failed (exit ${rc}) on ${SRC} ${define_flags}:\n${out}${err}")
  return()
endif()
file(REMOVE ${bc} ${opt_bc})
file(WRITE ${LOG} "")
