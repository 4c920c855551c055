# Which backends/ folders the build adds (docs/architecture.md, "Building a subset of backends").
#
# A folder backends/<name>/ with a CMakeLists.txt that calls accel_add_plugin() is the plugin <name>;
# a folder whose CMakeLists.txt builds no plugin (backends/common, the kernel families) is support
# code the plugins link. The folders are listed at every configure, and the build checks the list
# again before it builds (CONFIGURE_DEPENDS), so a folder added to a tree that already has a build
# folder is configured and built by the next `cmake --build`, never skipped for an old list.

set(ACCEL_BACKENDS_ONLY "" CACHE STRING
    "Build only these backend plugins (backends/<name> folder names); empty: every one")
set(ACCEL_BACKENDS_EXCLUDE "" CACHE STRING "Backend plugins not to build")

# accel_backend_folders(<support-var> <plugins-var>): the folder names of each kind, backends/common
# first among the support folders (the others may link it), the rest in name order.
function(accel_backend_folders support_var plugins_var)
  file(GLOB _lists CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/backends/*/CMakeLists.txt)
  set(_support)
  set(_plugins)
  foreach(_list IN LISTS _lists)
    get_filename_component(_dir ${_list} DIRECTORY)
    get_filename_component(_name ${_dir} NAME)
    # Only a call at the start of a line counts: a comment that mentions the function does not.
    file(STRINGS ${_list} _calls REGEX "^[ \t]*accel_add_plugin[ \t]*\\(")
    if(NOT "${_calls}" STREQUAL "")
      list(APPEND _plugins ${_name})
    elseif(_name STREQUAL "common")
      list(PREPEND _support ${_name})
    else()
      list(APPEND _support ${_name})
    endif()
  endforeach()
  set(${support_var} ${_support} PARENT_SCOPE)
  set(${plugins_var} ${_plugins} PARENT_SCOPE)
endfunction()

# The list of earlier versions, ACCEL_BACKENDS_ENABLED, was a cached list of names to build: a build
# folder kept it when a backend was added, and skipped the new one without a word. A build folder
# that still holds the list's old default drops it (it meant "all"); any other value is taken as
# ACCEL_BACKENDS_ONLY, with a warning, so a command line written for the old name builds the same.
set(_accel_backends_old_default cpu null opencl cuda hip level_zero pjrt gaudi)
function(_accel_backends_legacy out_var)
  set(${out_var} "${ACCEL_BACKENDS_ONLY}" PARENT_SCOPE)
  if(NOT DEFINED CACHE{ACCEL_BACKENDS_ENABLED})
    return()
  endif()
  set(_old "${ACCEL_BACKENDS_ENABLED}")
  set(_sorted ${_old})
  set(_default ${_accel_backends_old_default})
  list(SORT _sorted)
  list(SORT _default)
  if("${_sorted}" STREQUAL "${_default}")
    unset(ACCEL_BACKENDS_ENABLED CACHE)
    message(STATUS "backends: ACCEL_BACKENDS_ENABLED held the old default list: dropped (every "
                   "backends/<name> folder is built now)")
    return()
  endif()
  if(NOT "${ACCEL_BACKENDS_ONLY}" STREQUAL "" AND NOT "${ACCEL_BACKENDS_ONLY}" STREQUAL "${_old}")
    message(FATAL_ERROR "ACCEL_BACKENDS_ENABLED (${_old}) and ACCEL_BACKENDS_ONLY "
                        "(${ACCEL_BACKENDS_ONLY}) disagree: ACCEL_BACKENDS_ENABLED is the old name "
                        "of ACCEL_BACKENDS_ONLY; remove it (-UACCEL_BACKENDS_ENABLED)")
  endif()
  message(WARNING "ACCEL_BACKENDS_ENABLED is the old name of ACCEL_BACKENDS_ONLY: building only "
                  "${_old}. Use -DACCEL_BACKENDS_ONLY=\"${_old}\" -UACCEL_BACKENDS_ENABLED "
                  "(or ACCEL_BACKENDS_EXCLUDE to leave some out and build every new one).")
  set(${out_var} "${_old}" PARENT_SCOPE)
endfunction()

# accel_backends_chosen(<plugins> <out-var>): the plugins to add, in name order. A name in
# ACCEL_BACKENDS_ONLY or ACCEL_BACKENDS_EXCLUDE that is no plugin folder is an error (a typo would
# otherwise build everything, or nothing, silently); each plugin left out is said.
function(accel_backends_chosen plugins out_var)
  _accel_backends_legacy(_only)
  foreach(_var _only ACCEL_BACKENDS_EXCLUDE)
    foreach(_name IN LISTS ${_var})
      if(NOT _name IN_LIST plugins)
        string(REPLACE ";" ", " _known "${plugins}")
        set(_shown ${_var})
        if(_var STREQUAL "_only")
          set(_shown ACCEL_BACKENDS_ONLY)
        endif()
        message(FATAL_ERROR "${_shown}: '${_name}' is no backend plugin folder (backends/<name> "
                            "whose CMakeLists.txt calls accel_add_plugin); known: ${_known}")
      endif()
    endforeach()
  endforeach()
  set(_chosen)
  foreach(_name IN LISTS plugins)
    if(NOT "${_only}" STREQUAL "" AND NOT _name IN_LIST _only)
      message(STATUS "${_name} backend: not built (not in ACCEL_BACKENDS_ONLY)")
    elseif(_name IN_LIST ACCEL_BACKENDS_EXCLUDE)
      message(STATUS "${_name} backend: not built (ACCEL_BACKENDS_EXCLUDE)")
    else()
      list(APPEND _chosen ${_name})
    endif()
  endforeach()
  set(${out_var} ${_chosen} PARENT_SCOPE)
endfunction()

# accel_add_backends(): adds the support folders, then the chosen plugins (a macro, so the folders
# are added from the calling directory's scope, as add_subdirectory calls written there would be).
macro(accel_add_backends)
  accel_backend_folders(_accel_support_folders _accel_plugin_folders)
  foreach(_accel_folder IN LISTS _accel_support_folders)
    add_subdirectory(${PROJECT_SOURCE_DIR}/backends/${_accel_folder}
                     ${PROJECT_BINARY_DIR}/backends/${_accel_folder})
  endforeach()
  accel_backends_chosen("${_accel_plugin_folders}" _accel_chosen_plugins)
  foreach(_accel_folder IN LISTS _accel_chosen_plugins)
    add_subdirectory(${PROJECT_SOURCE_DIR}/backends/${_accel_folder}
                     ${PROJECT_BINARY_DIR}/backends/${_accel_folder})
  endforeach()
endmacro()
