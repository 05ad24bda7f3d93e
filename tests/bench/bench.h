/* SPDX-License-Identifier: Apache-2.0 */
/* Shared declarations of the benchmark driver's files. */
#ifndef MXC_BENCH_H
#define MXC_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <matrix-core.h>

typedef void (*bench_fn)(void *ctx);

/* Time fn like common/benchutil.py and print one JSON line. fixed_iters
 * and runs: 0 for the defaults. output_json: the output member's text. */
void bench_run(const char *op, const char *cas, bench_fn fn, void *ctx,
               const char *output_json, long fixed_iters, int runs);
/* Print one JSON line for rates measured by the caller. */
void bench_report(const char *op, const char *cas, const double *rates,
                  int runs, long iters, const char *output_json);
double bench_now(void);
void bench_die(const char *what, int rc, const mxc_error *err)
	__attribute__((noreturn));
void bench_hex(char *out, const uint8_t *p, size_t n);
char *bench_b64(const uint8_t *p, size_t n, unsigned flags);
char *bench_canonical(const mxc_json *v, size_t *len);
char *bench_unsorted_text(const mxc_json *v, size_t *len);
const char *bench_str(const mxc_json *o, const char *k);

/* bench_events.c: hashes, event IDs, signing and verifying events, auth */
void bench_core_events(const mxc_json *in);
void bench_auth(const mxc_json *in);
/* bench_stateres.c */
void bench_stateres(const mxc_json *in, int runs);

#endif
