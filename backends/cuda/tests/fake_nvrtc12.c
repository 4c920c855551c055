/* A stand-in libnvrtc.so.12 for the old-driver tests: it reports itself as NVRTC 12.4 and hands the
 * real work to the toolkit's NVRTC (ACCEL_REAL_NVRTC, a path fixed at configure time), so kernels
 * still really compile. Together with fake_cublaslt12.c and the 12.4 fake driver it lets a test
 * check that the plugin picks CUDA 12 libraries for a 12.x driver and works with them.
 * Signatures come from nvrtc.h. Test-only; never installed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <nvrtc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define FAKE_EXPORT __attribute__((visibility("default")))

static void *real;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void open_real(void) { real = dlopen(ACCEL_REAL_NVRTC, RTLD_NOW | RTLD_LOCAL); }

/* The real entry point of the same name, or NULL (then the call fails like a broken install). */
static void *fwd(const char *name) {
    pthread_once(&once, open_real);
    return real ? dlsym(real, name) : NULL;
}

#define FORWARD(ret, fail, name, params, args)                \
    FAKE_EXPORT ret name params {                             \
        ret(*f) params;                                       \
        void *p = fwd(#name);                                 \
        if (!p) return fail;                                  \
        memcpy(&f, &p, sizeof p);                             \
        return f args;                                        \
    }

FAKE_EXPORT nvrtcResult nvrtcVersion(int *major, int *minor) {
    *major = 12;
    *minor = 4;
    return NVRTC_SUCCESS;
}
FORWARD(const char *, "NVRTC_ERROR_INTERNAL_ERROR", nvrtcGetErrorString, (nvrtcResult r), (r))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcGetNumSupportedArchs, (int *n), (n))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcGetSupportedArchs, (int *archs), (archs))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcCreateProgram,
        (nvrtcProgram * prog, const char *src, const char *name, int nh, const char *const *h, const char *const *hn),
        (prog, src, name, nh, h, hn))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcDestroyProgram, (nvrtcProgram * prog), (prog))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcCompileProgram,
        (nvrtcProgram prog, int n, const char *const *opts), (prog, n, opts))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcGetPTXSize, (nvrtcProgram prog, size_t *n), (prog, n))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcGetPTX, (nvrtcProgram prog, char *out), (prog, out))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcGetCUBINSize, (nvrtcProgram prog, size_t *n), (prog, n))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcGetCUBIN, (nvrtcProgram prog, char *out), (prog, out))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcGetProgramLogSize, (nvrtcProgram prog, size_t *n), (prog, n))
FORWARD(nvrtcResult, NVRTC_ERROR_INTERNAL_ERROR, nvrtcGetProgramLog, (nvrtcProgram prog, char *out), (prog, out))
