/* dladdr() locates the loaded libnvrtc so the matching toolkit headers can be found next to it. */
#define _GNU_SOURCE
#include "cuda_nvrtc.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel_gpu_sources.h"
#include "accel_common/dl.h"
#include "cuda_libsearch.h"

#define NVRTC_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_cuda_nvrtc_table, ret, name, params)
static const accel_dl_symbol nvrtc_symbols[] = {ACCEL_CUDA_NVRTC_REQUIRED(NVRTC_SYM)};
static const accel_dl_tier nvrtc_tier = ACCEL_DL_TIER(nvrtc_symbols);

static int dir_has_fp16_header(const char *dir) {
    char path[PATH_MAX + 16];
    if (snprintf(path, sizeof path, "%s/cuda_fp16.h", dir) >= (int)sizeof path) return 0;
    return dir[0] && access(path, R_OK) == 0;
}

/* cuda_fp16.h/cuda_bf16.h are not built into NVRTC, so compiles need a toolkit include folder, and
 * it must be of NVRTC's own major: CUDA 13 headers use builtins NVRTC 12 does not know. Candidates,
 * in order: next to the loaded libnvrtc (toolkit lib64 -> ../include; a wheel's
 * nvidia/cuda_nvrtc/lib -> nvidia/cuda_runtime/include; nvidia/cu13/lib -> ../include), $CUDA_HOME,
 * $CUDA_PATH, the folder the plugin was built against, /usr/local/cuda. The first of NVRTC's major
 * wins; failing that, the first with the headers at all, and the mismatch is noted. */
static void find_include_dir(accel_cuda_nvrtc *nv) {
    char cand[24][PATH_MAX];
    int n = 0;
    Dl_info info;
    void *sym;
    memcpy(&sym, &nv->fn.nvrtcCompileProgram, sizeof sym);
    char real[PATH_MAX];
    if (dladdr(sym, &info) && info.dli_fname && realpath(info.dli_fname, real)) {
        char *slash = strrchr(real, '/');
        if (slash) *slash = '\0';
        const char *rel[] = {"/../include", "/../../include", "/../../../include", "/../../cuda_runtime/include"};
        for (size_t i = 0; i < 4; ++i) snprintf(cand[n++], PATH_MAX, "%.*s%s", PATH_MAX - 32, real, rel[i]);
    }
    const char *envs[] = {"CUDA_HOME", "CUDA_PATH"};
    for (size_t i = 0; i < 2; ++i) {
        const char *root = getenv(envs[i]);
        if (root && root[0]) snprintf(cand[n++], PATH_MAX, "%.*s/include", PATH_MAX - 16, root);
    }
#ifdef ACCEL_CUDA_BUILD_INCLUDE_DIR
    snprintf(cand[n++], PATH_MAX, "%s", ACCEL_CUDA_BUILD_INCLUDE_DIR);
#endif
    snprintf(cand[n++], PATH_MAX, "/usr/local/cuda/include");
    nv->include_dir[0] = '\0';
    nv->include_major = 0;
    for (int pass = 0; pass < 2 && !nv->include_dir[0]; ++pass)
        for (int i = 0; i < n; ++i) {
            if (!dir_has_fp16_header(cand[i])) continue;
            const int major = accel_cuda_header_major(cand[i]);
            if (pass == 0 && major != nv->major) continue;
            /* A truncated path would name the wrong directory: skip it instead. */
            char resolved[PATH_MAX];
            const char *use = realpath(cand[i], resolved) ? resolved : cand[i];
            if (snprintf(nv->include_dir, sizeof nv->include_dir, "%s", use) >= (int)sizeof nv->include_dir) {
                nv->include_dir[0] = '\0';
                continue;
            }
            nv->include_major = major;
            break;
        }
}

/* Usable when every entry point resolves and NVRTC's own major is one the driver runs (a
 * mislabelled file, or an override path, must not slip a CUDA 13 compiler past a 12.x driver). */
static int accept_nvrtc(void *lib, void *user, char *why, size_t why_len) {
    accel_cuda_nvrtc *nv = user;
    char missing[96];
    if (accel_dl_resolve(lib, &nvrtc_tier, &nv->fn, missing, sizeof missing)) {
        snprintf(why, why_len, "lacks %s", missing);
        return -1;
    }
    int major = 0, minor = 0;
    nv->fn.nvrtcVersion(&major, &minor);
    if (major > nv->driver_major) {
        snprintf(why, why_len, "NVRTC %d.%d, the driver runs CUDA %d", major, minor, nv->driver_major);
        return -1;
    }
    nv->major = major;
    nv->minor = minor;
    return 0;
}

int accel_cuda_nvrtc_load(accel_cuda_nvrtc *nv, accel_cuda_search *search, char *err, size_t err_len) {
    static const int majors[] = {13, 12};
    memset(nv, 0, sizeof *nv);
    nv->driver_major = search->driver_major;
    nv->lib = accel_cuda_search_open(search, "libnvrtc.so", majors, 2, accept_nvrtc, nv, nv->lib_path,
                                     sizeof nv->lib_path);
    if (!nv->lib) {
        snprintf(err, err_len, "no libnvrtc.so.%d or .%d the driver can run (searched %s)", majors[0], majors[1],
                 search->searched);
        memset(&nv->fn, 0, sizeof nv->fn);
        return -1;
    }
    int n = 0;
    if (nv->fn.nvrtcGetNumSupportedArchs(&n) == NVRTC_SUCCESS && n > 0 &&
        n <= (int)(sizeof nv->archs / sizeof nv->archs[0])) {
        nv->fn.nvrtcGetSupportedArchs(nv->archs);
        nv->narchs = n;
    }
    find_include_dir(nv);
    return 0;
}

void accel_cuda_nvrtc_unload(accel_cuda_nvrtc *nv) {
    /* libnvrtc stays mapped: it carries its own C++ runtime, whose static state does not survive
     * dlclose cleanly, and a resident library keeps its allocations attributable (LSan). */
    memset(nv, 0, sizeof *nv);
}

int accel_cuda_nvrtc_pick_arch(const accel_cuda_nvrtc *nv, int sm, char *arch_option, size_t len,
                               int *is_cubin) {
    int best = 0;
    for (int i = 0; i < nv->narchs; ++i) {
        if (nv->archs[i] == sm) {
            snprintf(arch_option, len, "--gpu-architecture=sm_%d", sm);
            *is_cubin = 1;
            return 1;
        }
        if (nv->archs[i] < sm && nv->archs[i] > best) best = nv->archs[i];
    }
    if (!best) return 0;
    snprintf(arch_option, len, "--gpu-architecture=compute_%d", best);
    *is_cubin = 0;
    return 1;
}

static char *dup_printf2(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", a, b);
    return s;
}

int accel_cuda_nvrtc_compile(const accel_cuda_nvrtc *nv, const char *name, const char *source,
                             const char *arch_option, int want_cubin, const char *extra_options,
                             char **out, size_t *out_size, char **log) {
    *out = NULL;
    *out_size = 0;
    *log = NULL;
    const char *hdr_text[16], *hdr_name[16];
    int nhdr = 0;
    for (size_t i = 0; i < accel_gpu_kernel_header_count && nhdr < 16; ++i, ++nhdr) {
        hdr_text[nhdr] = accel_gpu_kernel_headers[i].text;
        hdr_name[nhdr] = accel_gpu_kernel_headers[i].name;
    }
    nvrtcProgram prog;
    nvrtcResult r = nv->fn.nvrtcCreateProgram(&prog, source, name, nhdr, hdr_text, hdr_name);
    if (r != NVRTC_SUCCESS) {
        char msg[160];
        snprintf(msg, sizeof msg, "nvrtcCreateProgram(%s): %s (%d)", name,
                 nv->fn.nvrtcGetErrorString(r), (int)r);
        *log = dup_printf2(msg, "");
        return (int)r;
    }

    /* Options: arch, C++17, toolkit headers, then the caller's (split on spaces). */
    char include_opt[600];
    char *extra = extra_options ? dup_printf2(extra_options, "") : NULL;
    const char *opts[40];
    int nopts = 0;
    opts[nopts++] = arch_option;
    opts[nopts++] = "--std=c++17";
    if (nv->include_dir[0]) {
        snprintf(include_opt, sizeof include_opt, "--include-path=%s", nv->include_dir);
        opts[nopts++] = include_opt;
    }
    if (extra) {
        char *save = NULL;
        for (char *tok = strtok_r(extra, " ", &save); tok && nopts < 40; tok = strtok_r(NULL, " ", &save))
            opts[nopts++] = tok;
    }
    r = nv->fn.nvrtcCompileProgram(prog, nopts, opts);

    size_t log_size = 0;
    nv->fn.nvrtcGetProgramLogSize(prog, &log_size);
    if (r != NVRTC_SUCCESS) {
        char head[256];
        snprintf(head, sizeof head, "nvrtcCompileProgram(%s, %s): %s (%d)%s\n", name, arch_option,
                 nv->fn.nvrtcGetErrorString(r), (int)r,
                 nv->include_dir[0] ? "" : " [cuda_fp16.h not found: set CUDA_HOME]");
        char *text = calloc(log_size + 1, 1);
        if (text && log_size) nv->fn.nvrtcGetProgramLog(prog, text);
        *log = dup_printf2(head, text ? text : "");
        free(text);
        free(extra);
        nv->fn.nvrtcDestroyProgram(&prog);
        return (int)r;
    }
    free(extra);

    size_t size = 0;
    r = want_cubin ? nv->fn.nvrtcGetCUBINSize(prog, &size) : nv->fn.nvrtcGetPTXSize(prog, &size);
    char *bin = r == NVRTC_SUCCESS ? malloc(size ? size : 1) : NULL;
    if (bin) r = want_cubin ? nv->fn.nvrtcGetCUBIN(prog, bin) : nv->fn.nvrtcGetPTX(prog, bin);
    if (r != NVRTC_SUCCESS || !bin) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s(%s): %s (%d)", want_cubin ? "nvrtcGetCUBIN" : "nvrtcGetPTX",
                 name, nv->fn.nvrtcGetErrorString(r), (int)r);
        *log = dup_printf2(msg, "");
        free(bin);
        nv->fn.nvrtcDestroyProgram(&prog);
        return r != NVRTC_SUCCESS ? (int)r : (int)NVRTC_ERROR_OUT_OF_MEMORY;
    }
    nv->fn.nvrtcDestroyProgram(&prog);
    *out = bin;
    *out_size = size;
    return 0;
}
