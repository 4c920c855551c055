/* Stands for a vendor library (libcuda, libze_loader) that a badly built plugin links directly. */
__attribute__((visibility("default"))) int accel_fake_vendor_version(void) { return 0; }
