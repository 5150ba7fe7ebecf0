# libtorch does its fp32 GEMM through the system libblas.so.3. The Debian alternative may point to
# the reference BLAS (~50x slower) or to OpenBLAS-pthread (whose threads fight torch's OpenMP
# pool). Every Glimpse executable therefore carries a DT_RPATH (not RUNPATH: RPATH also applies to
# the dependencies of libtorch) to the OpenBLAS-OpenMP directory, and checks at startup which BLAS
# it really got (glimpse::blip::blas_backend()).
set(GLIMPSE_OPENBLAS_DIR "/usr/lib/x86_64-linux-gnu/openblas-openmp" CACHE PATH
    "Directory holding the OpenBLAS-OpenMP libblas.so.3")
if(NOT EXISTS "${GLIMPSE_OPENBLAS_DIR}/libblas.so.3")
  message(WARNING "OpenBLAS-OpenMP not found in ${GLIMPSE_OPENBLAS_DIR}; install libopenblas0-openmp "
                  "(scripts/install-deps.sh) or inference will be very slow")
endif()

function(glimpse_pin_blas target)
  target_link_options(${target} PRIVATE "-Wl,--disable-new-dtags"
                      "-Wl,-rpath,${GLIMPSE_OPENBLAS_DIR}")
endfunction()
