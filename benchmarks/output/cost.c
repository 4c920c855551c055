/* Cost, carbon and identity columns (cost.h). */
#include "cost.h"

#include "util.h"

void bench_cost_fill(const bench_cost *c, bench_row *r)
{
    bench_row_set(r, BENCH_COL_PROVIDER, c->provider ? c->provider : "");
    bench_row_set(r, BENCH_COL_INSTANCE_TYPE, c->instance_type ? c->instance_type : "");
    if (c->usd_per_hour >= 0) {
        bench_row_set_number(r, BENCH_COL_USD_PER_HOUR, c->usd_per_hour);
        double items_per_s;
        if (bench_parse_double(bench_row_get(r, BENCH_COL_ITEMS_PER_S), &items_per_s) == 0 &&
            items_per_s > 0)
            bench_row_set_number(r, BENCH_COL_USD_PER_MILLION_ITEMS,
                                 c->usd_per_hour / 3600.0 / items_per_s * 1e6);
    }
    if (c->grid_gco2_per_kwh >= 0) {
        bench_row_set_number(r, BENCH_COL_GRID_GCO2_PER_KWH, c->grid_gco2_per_kwh);
        /* J per item x 10^6 items = J per million; / 3.6e6 J per kWh; x g CO2 per kWh. */
        double joules_per_item;
        if (bench_parse_double(bench_row_get(r, BENCH_COL_JOULES_PER_ITEM), &joules_per_item) == 0 &&
            joules_per_item >= 0)
            bench_row_set_number(r, BENCH_COL_GCO2_PER_MILLION_ITEMS,
                                 joules_per_item * 1e6 / 3.6e6 * c->grid_gco2_per_kwh);
    }
}
