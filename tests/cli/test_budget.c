/* --budget: durations, the cost model against the sampling policy, and the planner with made-up
 * costs (priority order, learning from measured rows, rows dropping out and coming back). */
#include <stdio.h>
#include <string.h>

#include "budget.h"
#include "cli_check.h"
#include "duration.h"

static void durations(void)
{
    double s = 0;
    CHECK(bench_parse_duration("10m", &s) == 0);
    CHECK_NEAR(s, 600, 1e-9);
    CHECK(bench_parse_duration("90s", &s) == 0);
    CHECK_NEAR(s, 90, 1e-9);
    CHECK(bench_parse_duration("1.5h", &s) == 0);
    CHECK_NEAR(s, 5400, 1e-9);
    CHECK(bench_parse_duration("45", &s) == 0);
    CHECK_NEAR(s, 45, 1e-9);
    CHECK(bench_parse_duration(".5m", &s) == 0);
    CHECK_NEAR(s, 30, 1e-9);
    const char *bad[] = {"", "m", "10x", "-5m", "+5m", "10 m", "10mm", "abc", "10m ", "inf", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(bench_parse_duration(bad[i], &s) == -1 || bench_parse_duration(bad[i], &s) == -2);
    CHECK(bench_parse_duration("0", &s) == -2);
    CHECK(bench_parse_duration("0s", &s) == -2);
    CHECK(bench_parse_duration("8d", &s) == -1);
    CHECK(bench_parse_duration("169h", &s) == -2);
    CHECK(bench_parse_duration("168h", &s) == 0);
    char buf[32];
    bench_format_duration(0.42, buf, sizeof buf);
    CHECK_STR(buf, "0.4 s");
    bench_format_duration(42, buf, sizeof buf);
    CHECK_STR(buf, "42 s");
    bench_format_duration(190, buf, sizeof buf);
    CHECK_STR(buf, "3 m 10 s");
    bench_format_duration(3900, buf, sizeof buf);
    CHECK_STR(buf, "1 h 05 m");
}

static bench_row_cost_inputs policy(double flop, double peak_flops)
{
    bench_row_cost_inputs in;
    memset(&in, 0, sizeof in);
    in.flop = flop;
    in.peak_flops = peak_flops;
    in.warmup_ms = 200;
    in.min_time_ms = 500;
    in.max_samples = 200;
    in.overhead_s = 0.5;
    return in;
}

static void cost_model(void)
{
    /* Unknown size: overhead + warm-up + 1.5 x min-time of sampling. */
    bench_row_cost_inputs in = policy(0, 0);
    CHECK_NEAR(bench_budget_row_cost(&in), 0.5 + 0.2 + 0.75, 1e-9);
    /* A run of 4 s at the assumed efficiency: 2 warm-up runs, 10 samples (the cap stops it right
     * after the minimum), one verification run. */
    in = policy(4.0 * BENCH_BUDGET_FLOP_EFFICIENCY * 1e12, 1e12);
    CHECK_NEAR(bench_budget_row_cost(&in), 0.5 + 8 + 40 + 4, 1e-6);
    /* 100 ms runs: 10 samples (1 s) > min-time, under the 5 s cap: 1.5 x 1 s. */
    in = policy(0.1 * BENCH_BUDGET_FLOP_EFFICIENCY * 1e12, 1e12);
    CHECK_NEAR(bench_budget_row_cost(&in), 0.5 + 0.2 + 1.5 + 0.1, 1e-6);
    /* Few samples allowed: max-samples bounds the sampling (each sample lasts at least
     * 2 x min-time / max-samples). */
    in = policy(0, 0);
    in.max_samples = 2;
    CHECK_NEAR(bench_budget_row_cost(&in), 0.5 + 0.2 + 1.0, 1e-9);
    in.max_samples = 1;
    CHECK_NEAR(bench_budget_row_cost(&in), 0.5 + 0.2 + 1.0, 1e-9);
    /* Compile time on first use adds up; a bandwidth-bound row is timed by its bytes. */
    in = policy(0, 0);
    in.compile_s = 3;
    CHECK_NEAR(bench_budget_row_cost(&in), 3 + 1.45, 1e-9);
    in = policy(0, 0);
    in.bytes = 2.0 * BENCH_BUDGET_BYTES_EFFICIENCY * 1e11;
    in.peak_bytes_per_s = 1e11;
    CHECK_NEAR(bench_budget_row_cost(&in), 0.5 + 4 + 20 + 2, 1e-6);
}

/* Two devices x two workloads, three rows each, in standard order:
 *   dev 0: A A A B B B   dev 1: A A A B B B   (model cost 10 s each) */
static void make_rows(bench_budget_row *r)
{
    for (size_t i = 0; i < 12; i++) {
        memset(&r[i], 0, sizeof r[i]);
        size_t dev = i / 6, wl = (i % 6) / 3;
        r[i].group = dev * 6 + wl * 3;
        r[i].device = dev * 6;
        r[i].cost_key = dev * 6;
        r[i].like_key = i;
        r[i].model_s = 10;
    }
}

static void planner(void)
{
    bench_budget_row r[12];
    bench_budget b;
    make_rows(r);
    CHECK(bench_budget_init(&b, 100, r, 12) == 0);
    CHECK_NEAR(b.reserve_s, 5, 1e-9);
    /* 95 s of room: the first row of each of the four groups, then the rest in order. */
    double planned = 0;
    CHECK(bench_budget_plan(&b, 100, &planned) == 9);
    CHECK_NEAR(planned, 90, 1e-9);
    int want[12] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0};
    for (int i = 0; i < 12; i++)
        CHECK(r[i].keep == want[i]);
    CHECK_NEAR(r[8].dropped_estimate_s, 10, 1e-9);
    CHECK_NEAR(r[8].dropped_left_s, 5, 1e-9);
    /* Too little for everything: every group still gets its first row before any second one. */
    CHECK(bench_budget_plan(&b, 45, NULL) == 4);
    CHECK(r[0].keep && r[3].keep && r[6].keep && r[9].keep && !r[1].keep);
    /* A first row too big for the room gives way to a smaller row of the same group. */
    r[0].model_s = 50;
    CHECK(bench_budget_plan(&b, 45, NULL) == 4);
    CHECK(!r[0].keep && r[1].keep && r[3].keep && r[6].keep && r[9].keep);
    r[0].model_s = 10;

    /* Device 0's rows take half their estimate: its other rows are expected at 5 s. */
    bench_budget_record(&b, 0, 5, 0);
    CHECK_NEAR(bench_budget_estimate(&b, 1), 5, 1e-9);
    /* Device 1 has no row yet: the machine's ratio so far stands in for its own. */
    CHECK_NEAR(bench_budget_estimate(&b, 6), 5, 1e-9);
    /* Group A of device 0 has a result now: the first pass serves the other groups first. */
    CHECK(bench_budget_plan(&b, 25, NULL) == 4);
    CHECK(r[3].keep && r[6].keep && r[9].keep && r[1].keep && !r[2].keep);
    /* The run fell behind (little time left): rows drop out ... */
    CHECK(bench_budget_plan(&b, 16, NULL) == 2);
    CHECK(r[3].keep && r[6].keep && !r[9].keep && !r[1].keep);
    /* ... and come back when it gets ahead. */
    CHECK(bench_budget_plan(&b, 100, NULL) == 11);

    /* An unsupported row makes its like rows cheap (what unsupported rows took). */
    r[4].like_key = r[5].like_key = 3;
    bench_budget_record(&b, 3, 0.1, 1);
    CHECK_NEAR(bench_budget_estimate(&b, 4), 0.1, 1e-9);
    CHECK_NEAR(bench_budget_estimate(&b, 5), 0.1, 1e-9);
    /* Unsupported rows teach no ratio and serve no group. */
    CHECK_NEAR(bench_budget_estimate(&b, 1), 5, 1e-9);
    CHECK(!r[3].measured && r[3].state == BENCH_BUDGET_DONE);
    /* The learned ratio is bounded (a row that took 1000x its estimate is not believed whole). */
    bench_budget_record(&b, 6, 10000, 0);
    CHECK_NEAR(bench_budget_estimate(&b, 7), 100, 1e-9);
    /* Done and closed rows are never planned. */
    r[11].state = BENCH_BUDGET_CLOSED;
    bench_budget_plan(&b, 1e6, NULL);
    CHECK(!r[0].keep && !r[3].keep && !r[6].keep && !r[11].keep && r[10].keep);
    bench_budget_free(&b);
}

int main(void)
{
    durations();
    cost_model();
    planner();
    CHECK_DONE();
}
