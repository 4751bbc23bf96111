/*
 * cmd_generate.c — `cxnode generate`: realistic records as JSON Lines.
 *
 * The generator (gen/gen.h) hands over one record at a time; each becomes
 * one line of compact JSON, the import format of ingest/json.h, written by
 * json_line_append() (ingest/jsonl.h), the writer behind json_record_line(),
 * straight into a buffer. Output goes
 * to standard output, to one file, or with --split to one file per issuing
 * city, DIR/<region>.jsonl, so that each city's node can import its own.
 *
 * Regular files are written under a temporary name (NAME.tmp) and renamed
 * into place only when the run succeeds: an interrupted run never leaves a
 * truncated file under the final name. An existing device or pipe
 * (/dev/null, a FIFO) is written directly and never replaced. Lines collect in a 1 MiB buffer per
 * output and go out in one write each time it fills.
 *
 * On a terminal, progress (subjects done) goes to stderr; a summary with
 * the records per kind always does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gen/gen.h"
#include "ingest/jsonl.h"
#include "node/cli.h"
#include "node/cmds.h"
#include "util/date.h"
#include "util/err.h"

#define GENERATE_BUF (1u << 20)

static const char *const generate_kind_names[15] = {
	"?", "penalty", "licence", "dishonest_list", "dishonest_debtor", "red_list",
	"evaluation", "commitment", "commitment_outcome", "coercion", "reward",
	"confirmation", "adjudication", "inspection", "status_change",
};

struct generate_out {
	FILE *f;
	char *path;          /* final name; NULL for stdout */
	char *tmp;           /* name while writing */
	struct json_buf buf;  /* lines not yet written */
};

struct generate_ctx {
	struct generate_out out[GEN_NCITIES];   /* [0] only, unless split */
	int split;
	const char *dir;
	uint64_t kinds[15];
	uint64_t records, subjects;
	int progress;
	struct timespec t0;
};

static void
generate_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode generate --subjects N [options]\n"
	    "\n"
	    "Write realistic credit records for N subjects as JSON Lines (the import\n"
	    "format, docs/formats.md): every record kind, valid credit codes and\n"
	    "identity numbers, status changes pointing at earlier records of the same\n"
	    "issuer. The same options always give the same output (docs/generator.md).\n"
	    "\n"
	    "  --subjects N      number of distinct subjects (about 2.3 records each)\n"
	    "  --seed S          seed of the pseudo-random generator (default 1)\n"
	    "  --region CODE     only records issued by this city (division code), or\n"
	    "                    all (default): the nine G60 cities\n"
	    "  --issuer ID       node id written as the issuer (default: the city's id,\n"
	    "                    e.g. hangzhou)\n"
	    "  --today DATE      no decision after DATE (default: today, or CXNODE_TODAY)\n"
	    "  --changes F       fraction of records later changed (default 0.05)\n"
	    "  --out FILE        write to FILE (default -, standard output)\n"
	    "  --split DIR       one file per city: DIR/<region>.jsonl\n"
	    "  --no-progress     no progress display even on a terminal\n"
	    "\n"
	    "Exit status: 0 done, 2 usage or write error.\n");
}

static double
generate_elapsed(const struct generate_ctx *g)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - g->t0.tv_sec) + (double)(t.tv_nsec - g->t0.tv_nsec) / 1e9;
}

static void
generate_progress(void *ctx, uint64_t done)
{
	struct generate_ctx *g = ctx;

	if (!g->progress)
		return;
	fprintf(stderr, "\r\033[Kgenerate: %llu/%llu subjects (%.0f%%), %llu records",
	    (unsigned long long)done, (unsigned long long)g->subjects,
	    g->subjects ? 100.0 * (double)done / (double)g->subjects : 100.0,
	    (unsigned long long)g->records);
}

/*
 * Open out (path NULL or "-": standard output). A regular file (or a new
 * one) is written as PATH.tmp and renamed at the end; anything else that
 * exists already (a device such as /dev/null, a pipe) is written directly,
 * never replaced.
 */
static int
generate_open(struct generate_out *o, const char *path)
{
	struct stat st;
	size_t n;

	if (path == NULL || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	if ((o->path = strdup(path)) == NULL)
		return cx_seterr(CX_ENOMEM, "file name");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->f = fopen(path, "w")) == NULL)
			return cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
		return 0;
	}
	n = strlen(path) + 5;
	if ((o->tmp = malloc(n)) == NULL)
		return cx_seterr(CX_ENOMEM, "file name");
	snprintf(o->tmp, n, "%s.tmp", path);
	if ((o->f = fopen(o->tmp, "w")) == NULL)
		return cx_seterr(CX_EIO, "%s: %s", o->tmp, strerror(errno));
	return 0;
}

/* Write out what the buffer holds. */
static int
generate_flush(struct generate_out *o)
{
	if (o->buf.len && fwrite(o->buf.p, 1, o->buf.len, o->f) != o->buf.len)
		return cx_seterr(CX_EIO, "%s: %s", o->path ? o->path : "standard output",
		    strerror(errno));
	o->buf.len = 0;
	return 0;
}

/* Flush and close; rename into place when ok, else remove. */
static int
generate_close(struct generate_out *o, int ok)
{
	int rc = 0;

	if (o->f != NULL) {
		if (ok)
			rc = generate_flush(o);
		if (o->f != stdout) {
			if (fclose(o->f) != 0 && ok && rc == 0)
				rc = cx_seterr(CX_EIO, "%s: %s", o->path, strerror(errno));
		} else if (fflush(stdout) != 0 && ok && rc == 0) {
			rc = cx_seterr(CX_EIO, "standard output: %s", strerror(errno));
		}
		o->f = NULL;
		if (o->tmp) {
			if (ok && rc == 0 && rename(o->tmp, o->path) != 0)
				rc = cx_seterr(CX_EIO, "%s: %s", o->path, strerror(errno));
			if (!ok || rc != 0)
				remove(o->tmp);
		}
	}
	free(o->path);
	free(o->tmp);
	json_buf_free(&o->buf);
	memset(o, 0, sizeof(*o));
	return rc;
}

static int
generate_emit(void *ctx, const Cx__Record *r)
{
	struct generate_ctx *g = ctx;
	struct generate_out *o = &g->out[0];
	size_t i;
	int rc;

	if (g->split) {
		const char *region;
		char path[4096];

		for (i = 0; (region = gen_city_at(i, NULL)) != NULL; i++)
			if (strcmp(region, r->region) == 0)
				break;
		if (region == NULL)
			return cx_seterr(CX_EINVAL, "record %s: unknown region %s", r->record_id,
			    r->region);
		o = &g->out[i];
		if (o->f == NULL) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s.jsonl", g->dir, region) >=
			    sizeof(path))
				return cx_seterr(CX_EINVAL, "--split: directory name too long");
			if ((rc = generate_open(o, path)) != 0)
				return rc;
		}
	}
	if ((rc = json_line_append(&o->buf, r)) != 0)
		return rc;
	if (o->buf.len >= GENERATE_BUF && (rc = generate_flush(o)) != 0)
		return rc;
	if (r->kind > 0 && r->kind < 15)
		g->kinds[r->kind]++;
	g->records++;
	return 0;
}

static int
generate_mkdir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return cx_seterr(CX_EIO, "%s: %s", dir, strerror(errno));
}

static void
generate_summary(const struct generate_ctx *g)
{
	double secs = generate_elapsed(g);
	size_t k;
	int first = 1;

	fprintf(stderr, "generated %llu records for %llu subjects in %.2f s (%.0f records/s):",
	    (unsigned long long)g->records, (unsigned long long)g->subjects, secs,
	    secs > 0 ? (double)g->records / secs : 0.0);
	for (k = 1; k < 15; k++) {
		if (g->kinds[k] == 0)
			continue;
		fprintf(stderr, "%s %s %llu", first ? "" : ",", generate_kind_names[k],
		    (unsigned long long)g->kinds[k]);
		first = 0;
	}
	fputc('\n', stderr);
}

/* Parse an unsigned decimal number; 0 on success. */
static int
generate_u64(uint64_t *out, const char *s)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int
cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subjects", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "region", required_argument, NULL, 'r' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "today", required_argument, NULL, 't' },
		{ "changes", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "split", required_argument, NULL, 'S' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_opts o = { .seed = 1, .changes = GEN_CHANGES_DEFAULT };
	struct generate_ctx *g;
	const char *out = NULL, *split = NULL;
	uint64_t emitted = 0;
	int ch, rc, have_n = 0, progress = -1, ret = CLI_FATAL;
	size_t i;
	char *end;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (generate_u64(&o.subjects, optarg) != 0) {
				cli_err("--subjects: a number");
				return CLI_FATAL;
			}
			have_n = 1;
			break;
		case 's':
			if (generate_u64(&o.seed, optarg) != 0) {
				cli_err("--seed: a number from 0 to 18446744073709551615");
				return CLI_FATAL;
			}
			break;
		case 'r':
			if (strcmp(optarg, "all") == 0) {
				o.region = NULL;
			} else if (gen_city_id(optarg) == NULL) {
				cli_err("--region: %s is not one of the nine cities (or all):", optarg);
				for (i = 0; gen_city_at(i, NULL) != NULL; i++) {
					const char *zh;
					const char *code = gen_city_at(i, &zh);

					fprintf(stderr, "  %s %s %s\n", code, gen_city_id(code), zh);
				}
				return CLI_FATAL;
			} else {
				o.region = optarg;
			}
			break;
		case 'i':
			if (optarg[0] == '\0') {
				cli_err("--issuer: an id is required");
				return CLI_FATAL;
			}
			o.issuer = optarg;
			break;
		case 't':
			if (date_parse(&o.today, optarg, strlen(optarg)) != 0) {
				cli_err("--today: not a date: %s", optarg);
				return CLI_FATAL;
			}
			break;
		case 'c':
			o.changes = strtod(optarg, &end);
			if (*end || end == optarg || !(o.changes >= 0.0 && o.changes <= 1.0)) {
				cli_err("--changes: a fraction from 0 to 1");
				return CLI_FATAL;
			}
			break;
		case 'o': out = optarg; break;
		case 'S': split = optarg; break;
		case 'P': progress = 0; break;
		case 'h': generate_usage(stdout); return CLI_OK;
		default: generate_usage(stderr); return CLI_FATAL;
		}
	}
	if (!have_n || optind != argc) {
		generate_usage(stderr);
		return CLI_FATAL;
	}
	if (split != NULL && out != NULL) {
		cli_err("--out and --split exclude each other");
		return CLI_FATAL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return cli_fail(CX_ENOMEM, "generate");
	g->split = split != NULL;
	g->dir = split;
	g->subjects = o.subjects;
	g->progress = progress < 0 ? cli_tty() : progress;
	o.progress = generate_progress;
	clock_gettime(CLOCK_MONOTONIC, &g->t0);
	if (g->split) {
		if ((rc = generate_mkdir(g->dir)) != 0) {
			ret = cli_fail(rc, "--split");
			goto out;
		}
	} else if ((rc = generate_open(&g->out[0], out)) != 0) {
		ret = cli_fail(rc, "--out");
		goto out;
	}
	rc = gen_run(&o, generate_emit, g, &emitted);
	if (g->progress)
		fputs("\r\033[K", stderr);
	if (rc == 0) {
		for (i = 0; i < GEN_NCITIES; i++) {
			int crc = generate_close(&g->out[i], 1);

			if (crc != 0 && rc == 0)
				rc = crc;
		}
	}
	if (rc != 0) {
		ret = cli_fail(rc, "generate");
		goto out;
	}
	generate_summary(g);
	ret = CLI_OK;
out:
	for (i = 0; i < GEN_NCITIES; i++)
		generate_close(&g->out[i], 0);
	free(g);
	return ret;
}
