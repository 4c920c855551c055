/* A stand-in vendor library for dl_test.c, built three times: FAKE_VENDOR_new has every symbol the
 * test's table lists (one only under its legacy name), FAKE_VENDOR_old lacks a required one,
 * FAKE_VENDOR_wrong lacks the bootstrap one. The build hides symbols by default: these are exported
 * as a vendor's are. */
#define FV_EXPORT __attribute__((visibility("default")))
#if defined(FAKE_VENDOR_new) || defined(FAKE_VENDOR_old)
int fv_init(int flags);
FV_EXPORT int fv_init(int flags) { return flags + 1; }
int fv_version(void);
FV_EXPORT int fv_version(void) {
#ifdef FAKE_VENDOR_new
    return 2;
#else
    return 1;
#endif
}
#endif

#ifdef FAKE_VENDOR_new
int fv_compute(int x);
FV_EXPORT int fv_compute(int x) { return 3 * x; }
/* The exported name older releases have; the table asks for fv_elapsed_v2 first. */
double fv_elapsed(void);
FV_EXPORT double fv_elapsed(void) { return 1.5; }
int fv_extra(void);
FV_EXPORT int fv_extra(void) { return 7; }
#endif

#ifdef FAKE_VENDOR_wrong
int something_else(void);
FV_EXPORT int something_else(void) { return 0; }
#endif
