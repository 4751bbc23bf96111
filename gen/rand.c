/*
 * rand.c — xoshiro256** seeded by splitmix64 (see rand.h).
 *
 * Both algorithms are written here from their published descriptions:
 *
 *   splitmix64:  x += 0x9e3779b97f4a7c15;
 *                z = x; z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9;
 *                z = (z ^ z >> 27) * 0x94d049bb133111eb; return z ^ z >> 31
 *
 *   xoshiro256**: out = rotl(s1 * 5, 7) * 9;
 *                t = s1 << 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
 *                s2 ^= t; s3 = rotl(s3, 45)
 *
 * tests/gen_test.c checks both against reference outputs.
 */
#include "gen/rand.h"

static uint64_t
gen_rand_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
gen_rand_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void
gen_rand_state(struct gen_rng *r, uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3)
{
	r->s[0] = s0;
	r->s[1] = s1;
	r->s[2] = s2;
	r->s[3] = s3;
	if ((s0 | s1 | s2 | s3) == 0)
		r->s[0] = 1;   /* the all-zero state is a fixed point */
}

void
gen_rand_seed(struct gen_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t a = seed, b = stream ^ 0x6a09e667f3bcc909ull, x;

	x = gen_rand_splitmix(&a) ^ gen_rand_rotl(gen_rand_splitmix(&b), 32);
	r->s[0] = gen_rand_splitmix(&x);
	r->s[1] = gen_rand_splitmix(&x);
	r->s[2] = gen_rand_splitmix(&x);
	r->s[3] = gen_rand_splitmix(&x);
}

uint64_t
gen_rand_u64(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = gen_rand_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = gen_rand_rotl(s[3], 45);
	return out;
}

uint32_t
gen_rand_below(struct gen_rng *r, uint32_t n)
{
	uint64_t m;
	uint32_t lo, floor;

	if (n == 0)
		return 0;
	m = (gen_rand_u64(r) >> 32) * (uint64_t)n;
	lo = (uint32_t)m;
	if (lo < n) {
		floor = (uint32_t)(-n) % n;
		while (lo < floor) {
			m = (gen_rand_u64(r) >> 32) * (uint64_t)n;
			lo = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

double
gen_rand_double(struct gen_rng *r)
{
	return (double)(gen_rand_u64(r) >> 11) * 0x1.0p-53;
}

int
gen_rand_chance(struct gen_rng *r, double p)
{
	if (p <= 0.0)
		return 0;
	if (p >= 1.0)
		return 1;
	return gen_rand_double(r) < p;
}
