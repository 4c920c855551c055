# accel_hip_embed_kernels(<out_var>): the shared GPU kernel sources (backends/gpu_common/kernels:
# *.cu compiled by hiprtc, *.h handed to hiprtc as named headers) and the hiprtc5 stand-in headers
# (kernels/hiprtc5, named by their path under it: "hip/hip_fp16.h"), embedded with
# backends/common/cmake/accel_embed.cmake as the tables of src/hip_kernel_sources.h. <out_var>
# receives the generated files.
set(ACCEL_HIP_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})

function(accel_hip_embed_kernels out_var)
  get_filename_component(dir ${ACCEL_HIP_CMAKE_DIR}/../../gpu_common/kernels ABSOLUTE)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cu)
  file(GLOB headers CONFIGURE_DEPENDS ${dir}/*.h)
  set(compat_base ${CMAKE_CURRENT_SOURCE_DIR}/kernels/hiprtc5)
  file(GLOB_RECURSE compat CONFIGURE_DEPENDS ${compat_base}/*.h)
  list(SORT sources)
  list(SORT headers)
  list(SORT compat)
  list(LENGTH sources n)
  message(STATUS "hip backend: embedding ${n} kernel sources from ${dir}")
  set(common TYPE hip_source HEADER hip_kernel_sources.h)
  accel_embed_files(src_c TABLE hip_kernel_sources FILES ${sources} ${common})
  accel_embed_files(hdr_c TABLE hip_kernel_headers FILES ${headers} ${common})
  accel_embed_files(compat_c TABLE hip_rtc5_compat_headers FILES ${compat} BASE ${compat_base} ${common})
  set(${out_var} ${src_c} ${hdr_c} ${compat_c} PARENT_SCOPE)
endfunction()
