# The hardening flags Debian builds its packages with (dpkg-buildflags): stack protector, fortified
# libc calls, format-string checks, and full RELRO with immediate binding. The package ships these
# binaries, and lintian checks for them.
option(GLIMPSE_HARDENING "Build with Debian's hardening flags" ON)
if(GLIMPSE_HARDENING)
  add_compile_options(-fstack-protector-strong -fstack-clash-protection -Wformat -Werror=format-security)
  # _FORTIFY_SOURCE needs optimisation, and the sanitizers replace the functions it checks.
  if(NOT GLIMPSE_SANITIZE_ADDRESS AND NOT GLIMPSE_SANITIZE_THREAD AND NOT GLIMPSE_BUILD_FUZZERS)
    add_compile_options("$<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>")
  endif()
  add_link_options(-Wl,-z,relro -Wl,-z,now)
endif()
