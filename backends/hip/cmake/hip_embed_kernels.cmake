# accel_hip_embed_kernels(<out_var>): glob the shared GPU kernel sources (backends/gpu_common/kernels:
# *.cu compiled by hiprtc, *.h handed to hiprtc as named headers) at configure time and turn them
# into one generated C file at build time. <out_var> receives the generated file's path.
set(ACCEL_HIP_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(ACCEL_HIP_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/hip_embed_files.cmake)

function(accel_hip_embed_kernels out_var)
  get_filename_component(dir ${ACCEL_HIP_CMAKE_DIR}/../../gpu_common/kernels ABSOLUTE)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cu)
  file(GLOB headers CONFIGURE_DEPENDS ${dir}/*.h)
  set(compat_base ${CMAKE_CURRENT_SOURCE_DIR}/kernels/hiprtc5)
  file(GLOB_RECURSE compat CONFIGURE_DEPENDS ${compat_base}/*.h)
  list(SORT sources)
  list(SORT headers)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/hip_kernel_sources.c)
  list(LENGTH sources n)
  message(STATUS "hip backend: embedding ${n} kernel sources from ${dir}")
  # A list cannot pass through add_custom_command unescaped: join with '|'.
  string(REPLACE ";" "|" sources_arg "${sources}")
  string(REPLACE ";" "|" headers_arg "${headers}")
  string(REPLACE ";" "|" compat_arg "${compat}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} "-DSOURCES=${sources_arg}" "-DHEADERS=${headers_arg}"
            "-DCOMPAT=${compat_arg}" -DCOMPAT_BASE=${compat_base} -DOUT=${out}
            -P ${ACCEL_HIP_EMBED_SCRIPT}
    DEPENDS ${sources} ${headers} ${compat} ${ACCEL_HIP_EMBED_SCRIPT}
    COMMENT "Embedding GPU kernel sources for the HIP backend"
    VERBATIM)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
