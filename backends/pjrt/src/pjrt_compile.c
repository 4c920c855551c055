#include "pjrt_compile.h"

#include <string.h>

/* Protocol buffer wire format: a key is (field << 3 | wire type); varints are 0, length-delimited
 * messages 2. Small non-negative values fit in one byte each. */
#define PB_KEY(field, wire) (unsigned char)(((field) << 3) | (wire))

size_t pj_compile_options(unsigned char *out, size_t out_len) {
    const unsigned char build_options[] = {
        PB_KEY(4, 0), 1, /* num_replicas */
        PB_KEY(5, 0), 1, /* num_partitions */
    };
    const unsigned char head[] = {PB_KEY(3, 2), (unsigned char)sizeof build_options};
    /* compile_portable_executable: runs on whichever device Execute names (pjrt:1 as well as 0) */
    const unsigned char tail[] = {PB_KEY(4, 0), 1};
    const size_t n = sizeof head + sizeof build_options + sizeof tail;
    if (out_len < n) return 0;
    memcpy(out, head, sizeof head);
    memcpy(out + sizeof head, build_options, sizeof build_options);
    memcpy(out + sizeof head + sizeof build_options, tail, sizeof tail);
    return n;
}

pjrt_error *pj_compile_mlir(const pjrt_api *api, pjrt_client *client, const char *text, size_t len,
                            pjrt_loaded_executable **out) {
    unsigned char options[16];
    size_t noptions = pj_compile_options(options, sizeof options);
    static const char format[] = "mlir";
    pjrt_program program = {.struct_size = sizeof program,
                            .code = (char *)text, /* read only: the API's field is not const */
                            .code_size = len,
                            .format = format,
                            .format_size = sizeof format - 1};
    pjrt_client_compile_args a = {.struct_size = sizeof a,
                                  .client = client,
                                  .program = &program,
                                  .compile_options = (const char *)options,
                                  .compile_options_size = noptions};
    pjrt_error *err = api->client_compile(&a);
    *out = err ? NULL : a.executable;
    return err;
}
