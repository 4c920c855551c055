/* The HIP plugin loads through libaccel on any machine and either lists devices or says why it has
 * none. Run under a ctest timeout: a hang in hipInit is a failure too. On a machine with an AMD GPU
 * it also checks the device description and a buffer round trip. */
#include "accel/accel.h"

#include <stdio.h>
#include <string.h>

static int check_device(accel_runtime *rt) {
    accel_device *dev = NULL;
    if (accel_device_open(rt, "hip:0", &dev) != ACCEL_OK) {
        printf("FAIL accel_device_open(hip:0): %s\n", accel_last_error());
        return 1;
    }
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    int bad = 0;
    if (accel_device_info_get(dev, &info) != ACCEL_OK) {
        printf("FAIL device info: %s\n", accel_last_error());
        bad = 1;
    } else {
        printf("hip:0 %s isa %s, %d CUs, %llu bytes, libraries %s, peak source '%s'; %s\n",
               info.name, info.isa, info.compute_units, (unsigned long long)info.memory_bytes,
               info.op_libraries, info.vendor_peak.source, info.notes);
        bad |= info.compute_units <= 0 || info.memory_bytes == 0 || strcmp(info.vendor, "AMD") != 0;
    }
    accel_stream *s = NULL;
    accel_buffer *b = NULL;
    unsigned char in[256], out[256];
    for (int i = 0; i < 256; ++i)
        in[i] = (unsigned char)i;
    memset(out, 0, sizeof out);
    if (accel_stream_create(dev, &s) != ACCEL_OK ||
        accel_buffer_alloc(dev, sizeof in, ACCEL_MEMORY_DEVICE, &b) != ACCEL_OK ||
        accel_buffer_write(s, b, 0, in, sizeof in) != ACCEL_OK ||
        accel_buffer_read(s, b, 0, out, sizeof out) != ACCEL_OK ||
        accel_stream_synchronize(s) != ACCEL_OK || memcmp(in, out, sizeof in) != 0) {
        printf("FAIL buffer round trip: %s\n", accel_last_error());
        bad = 1;
    }
    accel_buffer_free(b);
    accel_stream_destroy(s);
    accel_device_close(dev);
    return bad;
}

int main(void) {
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "hip";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(&opts, &rt) != ACCEL_OK) {
        printf("FAIL accel_runtime_open: %s\n", accel_last_error());
        return 1;
    }
    const accel_backend_report *reports = NULL;
    size_t count = 0;
    accel_runtime_backends(rt, &reports, &count);
    const accel_backend_report *hip = NULL;
    for (size_t i = 0; i < count; ++i)
        if (strcmp(reports[i].name, "hip") == 0)
            hip = &reports[i];
    if (!hip) {
        printf("FAIL the hip plugin was not found next to this test (lib/accel)\n");
        accel_runtime_close(rt);
        return 1;
    }
    printf("hip backend: %s (%s), %d devices, reason '%s', version '%s', path %s\n",
           accel_status_str(hip->status), hip->status == ACCEL_OK ? "loaded" : "refused",
           hip->device_count, hip->reason, hip->version, hip->path);
    int bad = 0;
    if (hip->status == ACCEL_OK && hip->device_count == 0) {
        /* No GPU: the reason must say so, naming the HIP error where hipInit failed. */
        bad = strstr(hip->reason, "no devices") == NULL;
    } else if (hip->status == ACCEL_ERR_UNAVAILABLE || hip->status == ACCEL_ERR_INCOMPATIBLE) {
        bad = hip->reason[0] == '\0'; /* no ROCm at all, or a driver too old: must say why */
    } else if (hip->status == ACCEL_OK) {
        bad = check_device(rt);
    } else {
        bad = 1;
    }
    accel_runtime_close(rt);
    printf(bad ? "FAIL\n" : "ok\n");
    return bad;
}
