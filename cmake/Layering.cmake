# Enforces the layering of docs/architecture.md: glimpse_blip links no Qt, glimpse_core links no
# Qt Widgets. Configuration stops if a target breaks that.
function(_glimpse_collect_links target out)
  get_target_property(_libs ${target} LINK_LIBRARIES)
  get_target_property(_ilibs ${target} INTERFACE_LINK_LIBRARIES)
  set(${out} ${_libs} ${_ilibs} PARENT_SCOPE)
endfunction()

_glimpse_collect_links(glimpse_blip _blip_links)
foreach(_lib IN LISTS _blip_links)
  if(_lib MATCHES "^Qt6?::" OR _lib MATCHES "glimpse_core|glimpse_ui")
    message(FATAL_ERROR "glimpse_blip must not link ${_lib}: it is libtorch + nlohmann-json only")
  endif()
endforeach()

_glimpse_collect_links(glimpse_marian _marian_links)
foreach(_lib IN LISTS _marian_links)
  if(_lib MATCHES "^Qt6?::" OR _lib MATCHES "glimpse_core|glimpse_ui")
    message(FATAL_ERROR "glimpse_marian must not link ${_lib}: it is the engine floor (libtorch, nlohmann-json, sentencepiece)")
  endif()
endforeach()

_glimpse_collect_links(glimpse_core _core_links)
foreach(_lib IN LISTS _core_links)
  if(_lib MATCHES "Widgets" OR _lib MATCHES "glimpse_ui")
    message(FATAL_ERROR "glimpse_core must not link ${_lib}: Widgets belong to glimpse_ui")
  endif()
endforeach()

# Includes too: outside core/blip only the engine's public, torch-free headers are included, no
# header outside core/blip includes torch, ATen or c10 (a .cpp may, as the vector search does),
# and core/ includes no Qt Widgets header.
set(_glimpse_engine_public blip.h configuration_blip.h errors.h generation_config.h image_processing_blip.h precision.h
    tokenization_bert.h checkpoint.h read_ahead.h block_writer.h)
file(GLOB _glimpse_engine_headers RELATIVE ${PROJECT_SOURCE_DIR}/core/blip ${PROJECT_SOURCE_DIR}/core/blip/*.h)
# The Marian engine sits on the same floor: it may use core/blip's internals (weights, layers,
# generate()); everything above it includes only its public, torch-free headers.
list(APPEND _glimpse_engine_public marian.h tokenization_marian.h)
file(GLOB _glimpse_marian_headers RELATIVE ${PROJECT_SOURCE_DIR}/core/marian ${PROJECT_SOURCE_DIR}/core/marian/*.h)
list(APPEND _glimpse_engine_headers ${_glimpse_marian_headers})
file(GLOB_RECURSE _glimpse_layered RELATIVE ${PROJECT_SOURCE_DIR}
     ${PROJECT_SOURCE_DIR}/core/*.h ${PROJECT_SOURCE_DIR}/core/*.cpp ${PROJECT_SOURCE_DIR}/ui/*.h ${PROJECT_SOURCE_DIR}/ui/*.cpp
     ${PROJECT_SOURCE_DIR}/app/*.h ${PROJECT_SOURCE_DIR}/app/*.cpp)
foreach(_file IN LISTS _glimpse_layered)
  if(_file MATCHES "^core/(blip|marian)/")
    continue()
  endif()
  get_filename_component(_dir ${PROJECT_SOURCE_DIR}/${_file} DIRECTORY)
  file(STRINGS ${PROJECT_SOURCE_DIR}/${_file} _includes REGEX "^[ \t]*#[ \t]*include")
  foreach(_line IN LISTS _includes)
    if(_file MATCHES "\\.h$" AND _line MATCHES "[<\"](torch|ATen|c10|caffe2)/")
      message(FATAL_ERROR "${_file} includes a libtorch header (${_line}); only core/blip and core/marian may")
    endif()
    if(_line MATCHES "\"([^\"/]+\\.h)\"")
      set(_header ${CMAKE_MATCH_1})
      if(_header IN_LIST _glimpse_engine_headers AND NOT _header IN_LIST _glimpse_engine_public AND NOT EXISTS ${_dir}/${_header})
        message(FATAL_ERROR "${_file} includes the engine-internal header ${_header}; use blip.h and the other public headers")
      endif()
    endif()
    if(_file MATCHES "^core/" AND _line MATCHES "<Q(Widget|MainWindow|Dialog|Push|Label|Application)")
      message(FATAL_ERROR "${_file} includes a Qt Widgets header (${_line}); widgets belong to ui/")
    endif()
  endforeach()
endforeach()

# libtorch only in the engine module (docs/architecture.md, "The engine module"): the torch-free
# libraries the programs link must not pull it in.
foreach(_target glimpse_blip glimpse_marian glimpse_core)
  _glimpse_collect_links(${_target} _links)
  foreach(_lib IN LISTS _links)
    if(_lib MATCHES "(^|/|::)(torch|torch_cpu|c10|glimpse_engine_impl)($|[.:])" OR _lib IN_LIST TORCH_LIBRARIES)
      message(FATAL_ERROR "${_target} must not link ${_lib}: libtorch belongs to the engine module (glimpse_engine_impl)")
    endif()
  endforeach()
endforeach()
