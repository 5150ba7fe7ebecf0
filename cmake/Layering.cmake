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

_glimpse_collect_links(glimpse_core _core_links)
foreach(_lib IN LISTS _core_links)
  if(_lib MATCHES "Widgets" OR _lib MATCHES "glimpse_ui")
    message(FATAL_ERROR "glimpse_core must not link ${_lib}: Widgets belong to glimpse_ui")
  endif()
endforeach()
