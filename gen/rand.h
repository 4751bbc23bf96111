/*
 * rand.h — the generator's own pseudo-random numbers.
 *
 * xoshiro256** (Blackman and Vigna, 2018) for the stream, splitmix64 to
 * expand a seed into its 256-bit state. Both are tiny, fast, and fully
 * specified, so a run is reproducible on every platform; the C library's
 * rand() is never used (its sequence differs between C libraries).
 *
 * A stream is identified by (seed, stream number): the generator gives each
 * subject its own stream, so subject i does not depend on how many random
 * numbers subject i-1 happened to draw.
 */
#ifndef CX_GEN_RAND_H
#define CX_GEN_RAND_H

#include <stdint.h>

struct gen_rng {
	uint64_t s[4];
};

/* Next output of splitmix64 with state *x (advances *x). */
uint64_t gen_rand_splitmix(uint64_t *x);

/* Seed r with a raw 256-bit state (for test vectors); not all zero. */
void gen_rand_state(struct gen_rng *r, uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3);

/* Seed r for (seed, stream): the state is four splitmix64 outputs from a
 * starting value that mixes both, so distinct pairs give unrelated
 * streams. */
void gen_rand_seed(struct gen_rng *r, uint64_t seed, uint64_t stream);

/* Next 64-bit output of xoshiro256**. */
uint64_t gen_rand_u64(struct gen_rng *r);

/* Uniform integer in [0, n), n > 0 (Lemire's multiply-and-reject, so
 * without bias); 0 when n == 0. */
uint32_t gen_rand_below(struct gen_rng *r, uint32_t n);

/* Uniform double in [0, 1) with 53 random bits. */
double gen_rand_double(struct gen_rng *r);

/* 1 with probability p (p <= 0: never, p >= 1: always). */
int gen_rand_chance(struct gen_rng *r, double p);

#endif
