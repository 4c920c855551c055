/* CLBlast's C API, resolved from libclblast.so.1 at run time (optional: GEMM with library="clblast").
 * The few enums and signatures are restated here from CLBlast's documented C API (clblast_c.h) so the
 * plugin builds without CLBlast's headers. */
#ifndef OCL_CLBLAST_H
#define OCL_CLBLAST_H

#include "ocl_api.h"

#define OCL_CLBLAST_ROW_MAJOR 101
#define OCL_CLBLAST_TRANS_NO 111
#define OCL_CLBLAST_TRANS_YES 112

typedef int (*ocl_clblast_sgemm_fn)(int layout, int ta, int tb, size_t m, size_t n, size_t k,
                                    float alpha, cl_mem a, size_t a_off, size_t lda, cl_mem b,
                                    size_t b_off, size_t ldb, float beta, cl_mem c, size_t c_off,
                                    size_t ldc, cl_command_queue *queue, cl_event *event);
typedef int (*ocl_clblast_hgemm_fn)(int layout, int ta, int tb, size_t m, size_t n, size_t k,
                                    cl_half alpha, cl_mem a, size_t a_off, size_t lda, cl_mem b,
                                    size_t b_off, size_t ldb, cl_half beta, cl_mem c, size_t c_off,
                                    size_t ldc, cl_command_queue *queue, cl_event *event);
typedef int (*ocl_clblast_sgemm_strided_fn)(int layout, int ta, int tb, size_t m, size_t n, size_t k,
                                            float alpha, cl_mem a, size_t a_off, size_t lda,
                                            size_t a_stride, cl_mem b, size_t b_off, size_t ldb,
                                            size_t b_stride, float beta, cl_mem c, size_t c_off,
                                            size_t ldc, size_t c_stride, size_t batch,
                                            cl_command_queue *queue, cl_event *event);
typedef int (*ocl_clblast_hgemm_strided_fn)(int layout, int ta, int tb, size_t m, size_t n,
                                            size_t k, cl_half alpha, cl_mem a, size_t a_off,
                                            size_t lda, size_t a_stride, cl_mem b, size_t b_off,
                                            size_t ldb, size_t b_stride, cl_half beta, cl_mem c,
                                            size_t c_off, size_t ldc, size_t c_stride, size_t batch,
                                            cl_command_queue *queue, cl_event *event);

#define OCL_CLBLAST_LIST(X, O)                                                                     \
    X(CLBlastSgemm, ocl_clblast_sgemm_fn, sgemm)                                                   \
    X(CLBlastSgemmStridedBatched, ocl_clblast_sgemm_strided_fn, sgemm_strided)                     \
    O(CLBlastHgemm, ocl_clblast_hgemm_fn, hgemm)                                                   \
    O(CLBlastHgemmStridedBatched, ocl_clblast_hgemm_strided_fn, hgemm_strided)

typedef struct ocl_clblast_api {
    void *lib;
#define OCL_CLBLAST_FIELD(sym, type, field) type field;
    OCL_CLBLAST_LIST(OCL_CLBLAST_FIELD, OCL_CLBLAST_FIELD)
#undef OCL_CLBLAST_FIELD
} ocl_clblast_api;

/* 0 when CLBlast loaded with every required symbol; otherwise api->lib stays NULL and why says why.
 * Each dlopen is traced through log. */
int ocl_clblast_open(ocl_clblast_api *api, const accel_dl_log *log, char *why, size_t why_len);
void ocl_clblast_close(ocl_clblast_api *api);

#endif
