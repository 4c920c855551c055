# Compile-time variants of the OpenCL kernel files, one SPIR-V image each ("<stem>__<suffix>").
# The OpenCL backend builds these -D combinations from source at run time; SPIR-V is built here, so
# each combination an op plan of ours launches must be listed. Entries are "suffix:A=1,B=2".
# Keep in step with the macro lists documented at the top of each backends/kernels_cl/kernels/*.cl.

function(accel_ze_kernel_variants stem out_var)
  set(v "")
  if(stem STREQUAL "gemm")
    # TRANS_A, TRANS_B x storage (AB_TYPE, CD_TYPE: 0 f32, 1 f16, 2 bf16): same type in and out, and
    # f16/bf16 inputs with f32 output.
    foreach(ta 0 1)
      foreach(tb 0 1)
        foreach(types "0,0" "1,1" "2,2" "1,0" "2,0")
          string(REPLACE "," ";" t "${types}")
          list(GET t 0 ab)
          list(GET t 1 cd)
          list(APPEND v "t${ta}${tb}_ab${ab}_cd${cd}:TRANS_A=${ta},TRANS_B=${tb},AB_TYPE=${ab},CD_TYPE=${cd}")
        endforeach()
      endforeach()
    endforeach()
  elseif(stem STREQUAL "conv2d")
    # LAYOUT (0 NCHW/KCRS, 1 NHWC/KRSC) x DTYPE; default tiles (64x64x16, 4x4 per work-item).
    foreach(layout 0 1)
      foreach(dt 0 1 2)
        list(APPEND v "l${layout}_dt${dt}:LAYOUT=${layout},DTYPE=${dt}")
      endforeach()
    endforeach()
  elseif(stem STREQUAL "layernorm" OR stem STREQUAL "softmax" OR stem STREQUAL "attention")
    # WG (one work-group per row: 64 for short rows, 256 otherwise) x DTYPE.
    foreach(wg 64 256)
      foreach(dt 0 1 2)
        list(APPEND v "wg${wg}_dt${dt}:WG=${wg},DTYPE=${dt}")
      endforeach()
    endforeach()
  elseif(stem STREQUAL "eltwise")
    foreach(dt 0 1 2)
      list(APPEND v "dt${dt}:DTYPE=${dt}")
    endforeach()
  elseif(stem STREQUAL "permute")
    foreach(bytes 2 4 8)
      list(APPEND v "e${bytes}:ELEM_BYTES=${bytes}")
    endforeach()
  endif()
  set(${out_var} "${v}" PARENT_SCOPE)
endfunction()
