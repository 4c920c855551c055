# OpenCL C -> SPIR-V at build time, embedded as byte arrays.
#
# A .cl file that fails to compile does not fail the build (it belongs to another engineer and would
# break everyone's build): its image is embedded empty together with the compiler's message, ops
# needing it answer UNIMPLEMENTED with that message, and the ctest level_zero_spirv_<name> fails.
# spirv-val runs as a ctest for the same reason.

option(ACCEL_LEVEL_ZERO_KERNELS "Compile the OpenCL C kernels to SPIR-V into the level_zero plugin" ON)
find_program(ACCEL_ZE_CLANG NAMES clang-14 DOC "clang used to compile OpenCL C to LLVM IR")
find_program(ACCEL_ZE_LLVM_SPIRV NAMES llvm-spirv-14 DOC "LLVM IR -> SPIR-V translator")
if(NOT ACCEL_ZE_CLANG OR NOT ACCEL_ZE_LLVM_SPIRV)
  # The translator must match clang's LLVM version, so unversioned names are taken only as a pair.
  find_program(ACCEL_ZE_CLANG_ANY NAMES clang)
  find_program(ACCEL_ZE_LLVM_SPIRV_ANY NAMES llvm-spirv)
  if(ACCEL_ZE_CLANG_ANY AND ACCEL_ZE_LLVM_SPIRV_ANY)
    set(ACCEL_ZE_CLANG ${ACCEL_ZE_CLANG_ANY})
    set(ACCEL_ZE_LLVM_SPIRV ${ACCEL_ZE_LLVM_SPIRV_ANY})
  endif()
endif()
find_program(ACCEL_ZE_SPIRV_VAL NAMES spirv-val DOC "SPIR-V validator (spirv-tools)")
find_program(ACCEL_ZE_OPT NAMES opt-14 DOC "LLVM optimizer matching clang-14")

# clang-14 at -O2 runs DivRemPairs, which emits `freeze` instructions that llvm-spirv-14 cannot
# translate ("InvalidInstruction: Can't translate llvm instruction: freeze"). So the front end runs
# at -O2 without LLVM passes, and opt-14 runs the default O2 pipeline minus div-rem-pairs.
set(ACCEL_ZE_OPT_PIPELINE "")
if(ACCEL_ZE_OPT AND ACCEL_ZE_CLANG)
  file(WRITE ${CMAKE_BINARY_DIR}/ze_empty.ll "")
  execute_process(COMMAND ${ACCEL_ZE_OPT} -passes=default<O2> -print-pipeline-passes
                          ${CMAKE_BINARY_DIR}/ze_empty.ll -o /dev/null
                  OUTPUT_VARIABLE pipeline RESULT_VARIABLE rc ERROR_QUIET
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc EQUAL 0 AND pipeline MATCHES "div-rem-pairs")
    string(REPLACE ",div-rem-pairs" "" pipeline "${pipeline}")
    string(REPLACE ",BitcodeWriterPass" "" pipeline "${pipeline}")
    string(REPLACE "BitcodeWriterPass," "" pipeline "${pipeline}")
    # Pass parameters use ';' (simple-loop-unswitch<no-nontrivial;trivial>), CMake's list separator:
    # carried as '@' through the custom command, restored by ze_compile_cl.cmake.
    string(REPLACE ";" "@" pipeline "${pipeline}")
    set(ACCEL_ZE_OPT_PIPELINE "${pipeline}")
  endif()
endif()

set(ACCEL_ZE_OPENCL_KERNEL_DIR ${ACCEL_CL_KERNEL_DIR})
set(ACCEL_ZE_OWN_KERNEL_DIR ${CMAKE_CURRENT_LIST_DIR}/../kernels)
set(ACCEL_ZE_VARIANTS_FILE ${CMAKE_CURRENT_LIST_DIR}/ze_kernel_variants.cmake)
include(${ACCEL_ZE_VARIANTS_FILE})

# The images (each with the .cl it came from and the compiler's log) as ze_kernel_images.h's table.
function(accel_ze_embed_images out_var)
  accel_embed_files(out TABLE accel_ze_kernel_images COUNT accel_ze_kernel_image_count
                    TYPE accel_ze_kernel_image HEADER ze_kernel_images.h ${ARGN})
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()

# out_var: the generated C file holding every image. Sets ACCEL_ZE_TOOLCHAIN_NOTE: why there are no
# images at all ("" when there are).
function(accel_ze_spirv_kernels out_var)
  set(gen_dir ${CMAKE_CURRENT_BINARY_DIR}/spirv)
  file(MAKE_DIRECTORY ${gen_dir})
  set(compile_script ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ze_compile_cl.cmake)
  set(check_script ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ze_check_spirv.cmake)

  if(NOT ACCEL_LEVEL_ZERO_KERNELS OR NOT ACCEL_ZE_CLANG OR NOT ACCEL_ZE_LLVM_SPIRV)
    if(NOT ACCEL_LEVEL_ZERO_KERNELS)
      set(note "built without embedded kernels: ACCEL_LEVEL_ZERO_KERNELS=OFF")
    else()
      set(note "built without embedded kernels: clang-14 and llvm-spirv-14 were not found at configure time")
    endif()
    message(STATUS "level_zero backend: ${note} (module loading works; ops answer UNIMPLEMENTED)")
    accel_ze_embed_images(out_c)
    set(${out_var} ${out_c} PARENT_SCOPE)
    set(ACCEL_ZE_TOOLCHAIN_NOTE "${note}" PARENT_SCOPE)
    set_property(GLOBAL PROPERTY ACCEL_ZE_SPIRV_IMAGES "")
    return()
  endif()

  file(GLOB opencl_sources CONFIGURE_DEPENDS ${ACCEL_ZE_OPENCL_KERNEL_DIR}/*.cl)
  file(GLOB own_sources CONFIGURE_DEPENDS ${ACCEL_ZE_OWN_KERNEL_DIR}/*.cl)
  file(GLOB opencl_headers CONFIGURE_DEPENDS ${ACCEL_ZE_OPENCL_KERNEL_DIR}/*.h)
  # attention.cl includes the limits its hosts check, from the GPU kernels' folder
  list(APPEND opencl_headers ${PROJECT_SOURCE_DIR}/backends/gpu_common/kernels/accel_attention_limits.h)
  list(LENGTH opencl_sources n_opencl)
  list(LENGTH own_sources n_own)
  message(STATUS "level_zero backend: SPIR-V kernels from ${n_opencl} OpenCL file(s) and ${n_own} "
                 "own file(s) with ${ACCEL_ZE_CLANG} + ${ACCEL_ZE_LLVM_SPIRV}")
  if(NOT ACCEL_ZE_OPT_PIPELINE)
    message(STATUS "level_zero backend: opt-14 not found: kernels compiled with plain -O2; files whose "
                   "IR has `freeze` will fail llvm-spirv-14 (their ctests say so)")
  endif()
  if(NOT ACCEL_ZE_SPIRV_VAL)
    message(STATUS "level_zero backend: spirv-val not found (install spirv-tools): SPIR-V validation tests skip")
  endif()

  set(names "")
  set(spvs "")
  set(logs "")
  set(srcs "")
  set(all_defines "")
  foreach(src IN LISTS opencl_sources own_sources)
    get_filename_component(stem ${src} NAME_WE)
    if(src IN_LIST own_sources)
      set(base "ze_${stem}")
    else()
      set(base "${stem}")
    endif()
    get_filename_component(src_dir ${src} DIRECTORY)
    # The file as written (its macro defaults), then the variants our op plans launch: SPIR-V is
    # compiled once, so every -D combination the OpenCL backend passes at run time is built here.
    accel_ze_kernel_variants(${stem} variants)
    foreach(variant IN ITEMS "-" LISTS variants)
      if(variant STREQUAL "-")
        set(name ${base})
        set(defines "")
      else()
        string(REPLACE ":" ";" parts "${variant}")
        list(GET parts 0 suffix)
        list(GET parts 1 defines)
        set(name "${base}__${suffix}")
      endif()
      set(spv ${gen_dir}/${name}.spv)
      set(log ${gen_dir}/${name}.log)
      add_custom_command(OUTPUT ${spv} ${log}
        COMMAND ${CMAKE_COMMAND} -DCLANG=${ACCEL_ZE_CLANG} -DLLVM_SPIRV=${ACCEL_ZE_LLVM_SPIRV}
                -DOPT=${ACCEL_ZE_OPT} "-DPIPELINE=${ACCEL_ZE_OPT_PIPELINE}"
                -DSRC=${src} -DINCLUDE_DIR=${src_dir} -DSPV=${spv} -DLOG=${log}
                "-DDEFINES=${defines}" -P ${compile_script}
        DEPENDS ${src} ${opencl_headers} ${compile_script} ${ACCEL_ZE_VARIANTS_FILE}
        COMMENT "SPIR-V: ${name}"
        VERBATIM)
      list(APPEND names ${name})
      list(APPEND spvs ${spv})
      list(APPEND logs ${log})
      list(APPEND srcs ${src})
      if(defines STREQUAL "")
        list(APPEND all_defines "-") # an empty element would vanish from the list
      else()
        list(APPEND all_defines "${defines}")
      endif()
    endforeach()
  endforeach()
  accel_ze_embed_images(out_c NAMES ${names} FILES ${spvs} ORIGINS ${srcs} NOTES ${logs})
  set(${out_var} ${out_c} PARENT_SCOPE)
  set(ACCEL_ZE_TOOLCHAIN_NOTE "" PARENT_SCOPE)

  set(pairs "")
  # name|spv|log|source|defines ("-" defines: the file's own defaults)
  foreach(name spv log src defines IN ZIP_LISTS names spvs logs srcs all_defines)
    list(APPEND pairs "${name}|${spv}|${log}|${src}|${defines}")
  endforeach()
  set_property(GLOBAL PROPERTY ACCEL_ZE_SPIRV_IMAGES "${pairs}")
  set_property(GLOBAL PROPERTY ACCEL_ZE_SPIRV_CHECK_SCRIPT "${check_script}")
endfunction()
