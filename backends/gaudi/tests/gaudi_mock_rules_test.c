/* The mock SynapseAI refuses what the real runtime refuses: driven directly (no plugin), each
 * broken rule must fail and be counted, and the same sequence done right must pass and compute.
 * This is what lets the conformance run on the mock stand for "the real runtime would accept the
 * plugin's calls".   gaudi_mock_rules_test PATH/TO/libSynapse.so (the mock) */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "gaudi_symbols.h"
#include "mock_control.h"

static int failures;
static accel_gaudi_synapse_table syn;
static const mock_synapse_report *stats;

#define SYM(ret, name, params) syn.name = (ret(*) params)(uintptr_t)dlsym(lib, #name);

/* A call that must fail and add exactly one violation. */
#define REFUSED(call)                                                                              \
    do {                                                                                           \
        const int before_ = stats->violations;                                                     \
        const synapse_status s_ = syn.call;                                                        \
        if (s_ == SYNAPSE_SUCCESS || stats->violations != before_ + 1) {                           \
            printf("FAIL %s:%d: %s answered %d with %d new violation(s)\n", __FILE__, __LINE__,    \
                   #call, s_, stats->violations - before_);                                        \
            ++failures;                                                                            \
        } else {                                                                                   \
            printf("refused as it should be: %s -> %d (%s)\n", #call, s_, stats->last_violation);  \
        }                                                                                          \
    } while (0)

#define ACCEPTED(call)                                                                             \
    do {                                                                                           \
        const int before_ = stats->violations;                                                     \
        const synapse_status s_ = syn.call;                                                        \
        if (s_ != SYNAPSE_SUCCESS || stats->violations != before_) {                               \
            printf("FAIL %s:%d: %s answered %d (%s)\n", __FILE__, __LINE__, #call, s_,             \
                   stats->last_violation);                                                         \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

static synapse_tensor tensor(synapse_graph g, const char *name, synapse_dtype t, uint64_t n, synapse_section sec) {
    synapse_tensor x = NULL;
    synapse_tensor_geometry geometry;
    memset(&geometry, 0, sizeof geometry);
    geometry.dims = 1;
    geometry.sizes[0] = n;
    synapse_tensor_layout layout;
    memset(&layout, 0, sizeof layout);
    layout.device_dtype = t;
    ACCEPTED(synTensorHandleCreate(&x, g, SYNAPSE_DATA_TENSOR, name));
    if (sec) ACCEPTED(synTensorAssignToSection(x, sec, 0));
    ACCEPTED(synTensorSetGeometry(x, &geometry, SYNAPSE_GEOMETRY_SIZES));
    ACCEPTED(synTensorSetDeviceFullLayout(x, &layout));
    return x;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s MOCK_LIBSYNAPSE\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    mock_synapse_stats_fn stats_fn = lib ? (mock_synapse_stats_fn)(uintptr_t)dlsym(lib, "mock_synapse_stats") : NULL;
    if (!stats_fn) {
        printf("FAIL: %s is not the mock: %s\n", argv[1], dlerror());
        return 1;
    }
    stats = stats_fn();
    ACCEL_GAUDI_SYNAPSE_BOOTSTRAP(SYM)
    ACCEL_GAUDI_SYNAPSE_REQUIRED(SYM)

    synapse_device_id dev = 0;
    uint64_t buffer = 0;
    /* Nothing before synInitialize, memory only on an acquired device, modules are not indices. */
    REFUSED(synDeviceAcquireByModuleId(&dev, 2));
    ACCEPTED(synInitialize());
    REFUSED(synDeviceMalloc(100, 4096, 0, 0, &buffer));
    REFUSED(synDeviceAcquireByModuleId(&dev, 0));
    ACCEPTED(synDeviceAcquireByModuleId(&dev, 2));

    synapse_stream stream = NULL;
    void *pinned = NULL;
    float host[256];
    for (int i = 0; i < 256; ++i) host[i] = (float)(i - 128);
    ACCEPTED(synStreamCreateGeneric(&stream, dev, 0));
    ACCEPTED(synDeviceMalloc(dev, sizeof host, 0, 0, &buffer));
    ACCEPTED(synHostMalloc(dev, sizeof host, 0, &pinned));
    /* DMA only from host memory SynapseAI mapped, only within live device allocations. */
    REFUSED(synMemCopyAsync(stream, (uint64_t)(uintptr_t)host, sizeof host, buffer, SYNAPSE_HOST_TO_DRAM));
    memcpy(pinned, host, sizeof host);
    REFUSED(synMemCopyAsync(stream, (uint64_t)(uintptr_t)pinned, sizeof host, buffer + 4, SYNAPSE_HOST_TO_DRAM));
    ACCEPTED(synMemCopyAsync(stream, (uint64_t)(uintptr_t)pinned, sizeof host, buffer, SYNAPSE_HOST_TO_DRAM));
    REFUSED(synMemsetD32Async(buffer + 2, 0, 4, stream));

    /* A graph: y = relu(relu(x)) through an intermediate in the workspace. */
    synapse_graph g = NULL;
    synapse_section sx = NULL, sy = NULL;
    ACCEPTED(synGraphCreate(&g, SYNAPSE_DEVICE_GAUDI2));
    ACCEPTED(synSectionCreate(&sx, 0, g));
    ACCEPTED(synSectionCreate(&sy, 0, g));
    synapse_tensor x = tensor(g, "x", SYNAPSE_DTYPE_F32, 256, sx);
    synapse_tensor y = tensor(g, "y", SYNAPSE_DTYPE_F32, 256, sy);
    synapse_tensor mid = tensor(g, "mid", SYNAPSE_DTYPE_F32, 256, NULL);
    synapse_tensor wide = tensor(g, "bf", SYNAPSE_DTYPE_BF16, 256, NULL);
    synapse_tensor strided = NULL;
    synapse_tensor_layout layout;
    memset(&layout, 0, sizeof layout);
    layout.strides[1] = 512;
    layout.device_dtype = SYNAPSE_DTYPE_F32;
    ACCEPTED(synTensorHandleCreate(&strided, g, SYNAPSE_DATA_TENSOR, "strided"));
    REFUSED(synTensorSetDeviceFullLayout(strided, &layout));
    REFUSED(synNodeCreate(g, &x, &mid, 1, 1, NULL, 0, "relu_fwd_f64", "no such type", NULL, NULL));
    REFUSED(synNodeCreate(g, &x, &mid, 1, 1, NULL, 0, "no_such_kernel_f32", "unknown", NULL, NULL));
    const synapse_softmax_params dim0 = {0};
    REFUSED(synNodeCreate(g, &x, &mid, 1, 1, &dim0, sizeof dim0, "relu_fwd_f32", "params of another kernel", NULL, NULL));
    ACCEPTED(synNodeCreate(g, &mid, &y, 1, 1, NULL, 0, "relu_fwd_f32", "second", NULL, NULL));
    /* The intermediate is read but nothing writes it yet: no recipe. */
    synapse_recipe recipe = NULL;
    REFUSED(synGraphCompile(&recipe, g, "unwritten", NULL));
    ACCEPTED(synNodeCreate(g, &x, &mid, 1, 1, NULL, 0, "relu_fwd_f32", "first", NULL, NULL));
    ACCEPTED(synGraphCompile(&recipe, g, "relu2", NULL));
    /* A node whose tensors are not of the GUID's type fails the compile. */
    synapse_graph g2 = NULL;
    synapse_recipe bad = NULL;
    ACCEPTED(synGraphCreate(&g2, SYNAPSE_DEVICE_GAUDI2));
    synapse_tensor bx = tensor(g2, "bx", SYNAPSE_DTYPE_BF16, 8, NULL), by = tensor(g2, "by", SYNAPSE_DTYPE_BF16, 8, NULL);
    synapse_tensor bz = tensor(g2, "bz", SYNAPSE_DTYPE_F32, 8, NULL);
    ACCEPTED(synNodeCreate(g2, NULL, &bx, 0, 1, &(synapse_constant_params){1.0f}, sizeof(synapse_constant_params),
                           "constant_f32", "typed f32, bf16 tensor", NULL, NULL));
    ACCEPTED(synNodeCreate(g2, &bx, &by, 1, 1, NULL, 0, "relu_fwd_bf16", "ok", NULL, NULL));
    ACCEPTED(synNodeCreate(g2, &by, &bz, 1, 1, NULL, 0, "relu_fwd_bf16", "f32 output", NULL, NULL));
    REFUSED(synGraphCompile(&bad, g2, "mistyped", NULL));
    ACCEPTED(synGraphDestroy(g2));
    (void)wide;

    const char *names[2] = {"x", "y"};
    uint64_t ids[2] = {0, 0}, ws_size = 0, ws = 0, out = 0;
    ACCEPTED(synTensorRetrieveIds(recipe, names, ids, 2));
    ACCEPTED(synWorkspaceGetSize(&ws_size, recipe));
    if (ws_size < 256 * sizeof(float)) {
        printf("FAIL: workspace of %llu bytes cannot hold the intermediate\n", (unsigned long long)ws_size);
        ++failures;
    }
    ACCEPTED(synDeviceMalloc(dev, sizeof host, 0, 0, &out));
    synapse_launch_tensor launch[2];
    memset(launch, 0, sizeof launch);
    launch[0] = (synapse_launch_tensor){"x", buffer, SYNAPSE_DATA_TENSOR, {0}, ids[0]};
    launch[1] = (synapse_launch_tensor){"y", out, SYNAPSE_DATA_TENSOR, {0}, ids[1]};
    /* The workspace must be a device range of the recipe's size. */
    REFUSED(synLaunchExt(stream, launch, 2, 0, recipe, 0));
    uint64_t small = 0;
    ACCEPTED(synDeviceMalloc(dev, ws_size / 2, 0, 0, &small));
    REFUSED(synLaunchExt(stream, launch, 2, small, recipe, 0));
    ACCEPTED(synDeviceMalloc(dev, ws_size, 0, 0, &ws));
    REFUSED(synLaunchExt(stream, launch, 1, ws, recipe, 0)); /* y unbound */
    ACCEPTED(synLaunchExt(stream, launch, 2, ws, recipe, 0));
    ACCEPTED(synMemCopyAsync(stream, out, sizeof host, (uint64_t)(uintptr_t)pinned, SYNAPSE_DRAM_TO_HOST));
    ACCEPTED(synStreamSynchronize(stream));
    for (int i = 0; i < 256; ++i)
        if (((const float *)pinned)[i] != (host[i] > 0 ? host[i] : 0)) {
            printf("FAIL: y[%d] = %g, relu(relu(%g)) expected\n", i, ((const float *)pinned)[i], host[i]);
            ++failures;
            break;
        }
    ACCEPTED(synRecipeDestroy(recipe));
    REFUSED(synLaunchExt(stream, launch, 2, ws, recipe, 0)); /* a destroyed recipe */

    /* Timing needs events created to collect time; a stream waits on another stream's event. */
    synapse_event plain = NULL, timed = NULL;
    uint64_t ns = 0;
    ACCEPTED(synEventCreate(&plain, dev, 0));
    ACCEPTED(synEventCreate(&timed, dev, SYNAPSE_EVENT_COLLECT_TIME));
    ACCEPTED(synEventRecord(plain, stream));
    ACCEPTED(synEventRecord(timed, stream));
    REFUSED(synEventElapsedTime(&ns, plain, timed));
    REFUSED(synStreamWaitEvent(stream, plain, 0));

    /* Sections go before their graph: after it, they are gone with it. */
    ACCEPTED(synSectionDestroy(sx));
    ACCEPTED(synGraphDestroy(g));
    REFUSED(synSectionDestroy(sy));
    ACCEPTED(synEventDestroy(plain));
    ACCEPTED(synEventDestroy(timed));
    ACCEPTED(synHostFree(dev, pinned, 0));
    REFUSED(synDeviceFree(dev, buffer + 128, 0));
    ACCEPTED(synDeviceFree(dev, buffer, 0));
    ACCEPTED(synDeviceFree(dev, out, 0));
    ACCEPTED(synDeviceFree(dev, small, 0));
    ACCEPTED(synDeviceFree(dev, ws, 0));
    ACCEPTED(synStreamDestroy(stream));
    ACCEPTED(synDeviceRelease(dev));
    ACCEPTED(synDestroy());
    if (stats->live_device_allocations || stats->live_host_allocations || stats->live_streams || stats->live_events ||
        stats->live_graphs || stats->live_sections || stats->live_recipes || stats->acquired_devices) {
        printf("FAIL: objects left: %d device, %d host allocations, %d streams, %d events, %d graphs, %d sections, "
               "%d recipes, %d devices\n",
               stats->live_device_allocations, stats->live_host_allocations, stats->live_streams, stats->live_events,
               stats->live_graphs, stats->live_sections, stats->live_recipes, stats->acquired_devices);
        ++failures;
    }
    if (!failures) printf("ok: %d violations caught, each where expected\n", stats->violations);
    return failures ? 1 : 0;
}
