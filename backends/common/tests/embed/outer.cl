// outer
#include "inner.h"
kernel void k(global float *x) { x[0] = INNER; }
