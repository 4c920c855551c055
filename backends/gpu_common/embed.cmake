# accel_gpu_embed_sources(<out_var>): generates accel_gpu_kernels_embedded.c in the caller's binary
# dir from backends/gpu_common/kernels and returns its path; add it to the target's sources and add
# ${ACCEL_GPU_COMMON_INCLUDE_DIR} to its include directories.
set(ACCEL_GPU_COMMON_DIR ${CMAKE_CURRENT_LIST_DIR})
set(ACCEL_GPU_COMMON_INCLUDE_DIR ${CMAKE_CURRENT_LIST_DIR}/include)

function(accel_gpu_embed_sources out_var)
  set(_kdir ${ACCEL_GPU_COMMON_DIR}/kernels)
  file(GLOB _kfiles CONFIGURE_DEPENDS ${_kdir}/*.cu ${_kdir}/*.h)
  set(_out ${CMAKE_CURRENT_BINARY_DIR}/accel_gpu_kernels_embedded.c)
  add_custom_command(OUTPUT ${_out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${_out} -DKERNEL_DIR=${_kdir}
            -P ${ACCEL_GPU_COMMON_DIR}/cmake/embed_sources.cmake
    DEPENDS ${_kfiles} ${ACCEL_GPU_COMMON_DIR}/cmake/embed_sources.cmake
    COMMENT "Embedding GPU kernel sources"
    VERBATIM)
  set(${out_var} ${_out} PARENT_SCOPE)
endfunction()
