# Interface target carrying the project's warning flags; every Glimpse target links it.
add_library(glimpse_warnings INTERFACE)
target_compile_options(glimpse_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-align -Wformat=2
  -Wimplicit-fallthrough -Wno-unused-parameter)
if(GLIMPSE_WARNINGS_AS_ERRORS)
  target_compile_options(glimpse_warnings INTERFACE -Werror)
endif()
