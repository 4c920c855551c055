/* Level Zero backend helpers (ours; the op kernels come from backends/kernels_cl/kernels).
 *
 * fill_pattern: dst[i] = pattern byte (i mod pattern_size) for i < bytes. Used when the compute
 *   queue group's maxMemoryFillPatternSize is smaller than the pattern asked for.
 *   args: (global uchar *dst, uint4 pattern, uint pattern_size, ulong bytes); 1-D, any group size.
 */
__kernel void fill_pattern(__global uchar *dst, uint4 pattern, uint pattern_size, ulong bytes) {
    size_t i = get_global_id(0);
    if (i >= bytes) return;
    /* Straight-line selects: branches here come out of llvm-spirv-14 in an order spirv-val refuses
     * when opt has not run (blocks before their dominator). */
    uint byte_index = (uint)(i % pattern_size);
    uint lo = select(pattern.x, pattern.y, (uint)(byte_index >= 4u));
    uint hi = select(pattern.z, pattern.w, (uint)(byte_index >= 12u));
    uint word = select(lo, hi, (uint)(byte_index >= 8u));
    dst[i] = (uchar)(word >> (8u * (byte_index & 3u)));
}
