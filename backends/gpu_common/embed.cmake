# accel_gpu_embed_sources(<out_var>): embeds backends/gpu_common/kernels (*.cu sources and the *.h
# headers handed to NVRTC/hipRTC by name) with backends/common/cmake/accel_embed.cmake, as the
# tables of accel_gpu_sources.h; <out_var> gets the generated files. Add them to a target that
# links accel_backend_common and has ${ACCEL_GPU_COMMON_INCLUDE_DIR} on its include path.
set(ACCEL_GPU_COMMON_DIR ${CMAKE_CURRENT_LIST_DIR})
set(ACCEL_GPU_COMMON_INCLUDE_DIR ${CMAKE_CURRENT_LIST_DIR}/include)

function(accel_gpu_embed_sources out_var)
  file(GLOB _sources CONFIGURE_DEPENDS ${ACCEL_GPU_COMMON_DIR}/kernels/*.cu)
  file(GLOB _headers CONFIGURE_DEPENDS ${ACCEL_GPU_COMMON_DIR}/kernels/*.h)
  list(SORT _sources)
  list(SORT _headers)
  accel_embed_files(_src_c TABLE accel_gpu_kernel_sources COUNT accel_gpu_kernel_source_count
                    TYPE accel_gpu_source HEADER accel_gpu_sources.h FILES ${_sources})
  accel_embed_files(_hdr_c TABLE accel_gpu_kernel_headers COUNT accel_gpu_kernel_header_count
                    TYPE accel_gpu_source HEADER accel_gpu_sources.h FILES ${_headers})
  set(${out_var} ${_src_c} ${_hdr_c} PARENT_SCOPE)
endfunction()
