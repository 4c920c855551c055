/* Compile-time check that every slot of the symbol tables names a function the CUDA headers declare,
 * with the same signature: each header prototype is assigned to its slot inside sizeof(), which
 * type-checks without referencing the (unlinked) symbol. Built with -Werror=incompatible-pointer-types,
 * so a renamed entry point or a changed signature breaks the build. NVML has no header in the
 * toolkit and is not checked here. */
#include "cuda_symbols.h"

#define CHECK_DRIVER(ret, name, params) (void)sizeof(drv.name = name);
#define CHECK_NVRTC(ret, name, params) (void)sizeof(nvrtc.name = name);
#define CHECK_LT(ret, name, params) (void)sizeof(lt.name = name);

int accel_cuda_symbols_check(void) {
    accel_cuda_driver_table drv;
    accel_cuda_nvrtc_table nvrtc;
    accel_cuda_cublaslt_table lt;
    ACCEL_CUDA_DRIVER_BOOTSTRAP(CHECK_DRIVER)
    ACCEL_CUDA_DRIVER_REQUIRED(CHECK_DRIVER)
    ACCEL_CUDA_DRIVER_OPTIONAL(CHECK_DRIVER)
    ACCEL_CUDA_NVRTC_REQUIRED(CHECK_NVRTC)
    ACCEL_CUDA_CUBLASLT_REQUIRED(CHECK_LT)
    (void)drv;
    (void)nvrtc;
    (void)lt;
    return 0;
}
