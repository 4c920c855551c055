# Script mode (ctest): one embedded image compiled (LOG empty, SPV non-empty) and valid under
# spirv-val for the OpenCL 2.0 environment the sources are written for. Exits non-zero with the
# precise message otherwise; prints SKIP_NO_SPIRV_VAL (a skip) when the validator is absent.
file(READ ${LOG} log_text)
if(NOT log_text STREQUAL "")
  message(FATAL_ERROR "${NAME}: did not compile to SPIR-V:\n${log_text}")
endif()
file(SIZE ${SPV} size)
if(size EQUAL 0)
  message(FATAL_ERROR "${NAME}: ${SPV} is empty")
endif()
if(NOT SPIRV_VAL)
  message("SKIP_NO_SPIRV_VAL: spirv-val not found (install spirv-tools); ${NAME}.spv not validated")
  return()
endif()
execute_process(COMMAND ${SPIRV_VAL} --target-env opencl2.0 ${SPV}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NAME}: spirv-val --target-env opencl2.0 ${SPV} failed (exit ${rc}):\n${out}${err}")
endif()
message("${NAME}: ${size} bytes of SPIR-V, spirv-val ok")
