/*
 * cfg.c — the node's configuration file, HOME/cxnode.conf (INI, read with
 * inih). Unknown sections or keys are errors naming the line, so that a typo
 * never silently changes behaviour.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "node/cli.h"
#include "util/err.h"

static char *
cfg_path(const char *home, const char *rel)
{
	char *p;

	if (rel[0] == '/')
		return strdup(rel);
	if (asprintf(&p, "%s/%s", home, rel) < 0)
		return NULL;
	return p;
}

static int
cfg_set(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst != NULL;
}

/* Append the words of v (space or comma separated) to the NULL-terminated
 * list *dst. */
static int
cfg_add_words(char ***dst, const char *v)
{
	size_t n = 0;
	const char *p = v;

	while (*dst != NULL && (*dst)[n] != NULL)
		n++;
	while (*p != '\0') {
		size_t len = strcspn(p, " ,\t");
		char **l;

		if (len == 0) {
			p++;
			continue;
		}
		if ((l = realloc(*dst, (n + 2) * sizeof(*l))) == NULL)
			return 0;
		*dst = l;
		if ((l[n] = strndup(p, len)) == NULL)
			return 0;
		l[++n] = NULL;
		p += len;
	}
	return 1;
}

static void
cfg_free_list(char **l)
{
	size_t i;

	for (i = 0; l != NULL && l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

static int
cfg_bool(int *dst, const char *v)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
		*dst = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
		*dst = 0;
	else
		return 0;
	return 1;
}

static int
cfg_int(long *dst, const char *v, long lo, long hi)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || x < lo || x > hi)
		return 0;
	*dst = x;
	return 1;
}

static const char *const cfg_levels[] = {
	"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug",
};

struct cfg_parse {
	struct cfg *c;
	char bad[160];
};

static int
cfg_handler(void *user, const char *section, const char *name, const char *value)
{
	struct cfg_parse *p = user;
	struct cfg *c = p->c;

	if (strcmp(section, "node") == 0) {
		if (strcmp(name, "id") == 0)
			return cfg_set(&c->id, value);
		if (strcmp(name, "region") == 0)
			return cfg_set(&c->region, value);
		if (strcmp(name, "name") == 0)
			return cfg_set(&c->name, value);
		if (strcmp(name, "federation") == 0)
			return cfg_set(&c->federation, value);
		if (strcmp(name, "origin") == 0)
			return cfg_set(&c->origin, value);
		if (strcmp(name, "algorithm") == 0)
			return cfg_set(&c->algorithm, value);
		if (strcmp(name, "key") == 0)
			return cfg_set(&c->key_path, value);
	} else if (strcmp(section, "query") == 0) {
		if (strcmp(name, "unmask") == 0) {
			if (!cfg_bool(&c->unmask, value)) {
				snprintf(p->bad, sizeof(p->bad), "[query] unmask must be true or false");
				return 0;
			}
			return 1;
		}
		if (strcmp(name, "grades") == 0)
			return cfg_set(&c->grades, value);
	} else if (strcmp(section, "quality") == 0) {
		if (strcmp(name, "calendar") == 0)
			return cfg_set(&c->calendar, value);
	} else if (strcmp(section, "federation") == 0) {
		if (strcmp(name, "root") == 0)
			return cfg_set(&c->root, value);
	} else if (strcmp(section, "serve") == 0) {
		long x;
		size_t i;

		if (strcmp(name, "listen") == 0)
			return cfg_add_words(&c->listen, value);
		if (strcmp(name, "publish") == 0)
			return cfg_add_words(&c->publish, value);
		if (strcmp(name, "peers") == 0)
			return cfg_add_words(&c->peers, value);
		if (strcmp(name, "tls_cert") == 0)
			return cfg_set(&c->tls_cert, value);
		if (strcmp(name, "tls_key") == 0)
			return cfg_set(&c->tls_key, value);
		if (strcmp(name, "clients") == 0)
			return cfg_set(&c->clients, value);
		if (strcmp(name, "client_listen") == 0)
			return cfg_add_words(&c->client_listen, value);
		if (strcmp(name, "http") == 0)
			return cfg_add_words(&c->http, value);
		if (strcmp(name, "allow_plain") == 0) {
			if (cfg_bool(&c->allow_plain, value))
				return 1;
			snprintf(p->bad, sizeof(p->bad), "[serve] allow_plain must be true or false");
			return 0;
		}
		if (strcmp(name, "max_message") == 0) {
			if (cfg_int(&x, value, 65536, 1L << 30)) {
				c->max_message = (size_t)x;
				return 1;
			}
			snprintf(p->bad, sizeof(p->bad), "[serve] max_message must be 65536..1073741824");
			return 0;
		}
		if (strcmp(name, "workers") == 0) {
			if (cfg_int(&x, value, 1, 256)) {
				c->workers = (int)x;
				return 1;
			}
			snprintf(p->bad, sizeof(p->bad), "[serve] workers must be 1..256");
			return 0;
		}
		if (strcmp(name, "sync_interval") == 0) {
			if (cfg_int(&x, value, 1, 86400)) {
				c->sync_interval = (int)x;
				return 1;
			}
			snprintf(p->bad, sizeof(p->bad), "[serve] sync_interval must be 1..86400 seconds");
			return 0;
		}
		if (strcmp(name, "log_level") == 0) {
			for (i = 0; i < sizeof(cfg_levels) / sizeof(cfg_levels[0]); i++)
				if (strcmp(value, cfg_levels[i]) == 0) {
					c->log_level = (int)i;
					return 1;
				}
			snprintf(p->bad, sizeof(p->bad), "[serve] log_level must be emergency, alert, "
			    "critical, error, warning, notice, info or debug");
			return 0;
		}
	}
	snprintf(p->bad, sizeof(p->bad), "unknown setting [%s] %s", section, name);
	return 0;
}

int
cfg_load(struct cfg *c, const char *home)
{
	struct cfg_parse p = { .c = c };
	char *file = NULL, *rel;
	int line, rc = 0;

	memset(c, 0, sizeof(*c));
	c->max_message = 64u << 20;
	c->workers = 4;
	c->sync_interval = 30;
	c->log_level = 6;
	if ((c->home = strdup(home)) == NULL)
		return CX_ENOMEM;
	if ((file = cfg_path(home, "cxnode.conf")) == NULL)
		return CX_ENOMEM;
	if (access(file, F_OK) != 0) {
		rc = cx_seterr(CX_ENOTFOUND, "%s: no node here (run cxnode init)", file);
		goto out;
	}
	line = ini_parse(file, cfg_handler, &p);
	if (line < 0) {
		rc = cx_seterr(CX_EIO, "%s: %s", file, strerror(errno));
		goto out;
	}
	if (line > 0) {
		rc = cx_seterr(CX_EFORMAT, "%s:%d: %s", file, line, p.bad[0] ? p.bad : "syntax error");
		goto out;
	}
	if (c->id == NULL || c->region == NULL || c->origin == NULL) {
		rc = cx_seterr(CX_EFORMAT, "%s: [node] id, region and origin are required", file);
		goto out;
	}
	if (c->algorithm == NULL && !cfg_set(&c->algorithm, "ed25519"))
		goto nomem;
	rel = c->key_path ? c->key_path : "keys/node.key";
	rel = cfg_path(home, rel);
	free(c->key_path);
	c->key_path = rel;
	c->pub_path = cfg_path(home, "keys/node.pub");
	c->store_path = cfg_path(home, "store");
	if (c->key_path == NULL || c->pub_path == NULL || c->store_path == NULL)
		goto nomem;
	rel = cfg_path(home, c->tls_cert ? c->tls_cert : "keys/tls.crt");
	free(c->tls_cert);
	c->tls_cert = rel;
	rel = cfg_path(home, c->tls_key ? c->tls_key : "keys/tls.key");
	free(c->tls_key);
	c->tls_key = rel;
	rel = cfg_path(home, c->clients ? c->clients : "clients");
	free(c->clients);
	c->clients = rel;
	if (c->tls_cert == NULL || c->tls_key == NULL || c->clients == NULL)
		goto nomem;
	if (c->grades != NULL) {
		rel = cfg_path(home, c->grades);
		free(c->grades);
		if ((c->grades = rel) == NULL)
			goto nomem;
	}
	if (c->calendar != NULL) {
		rel = cfg_path(home, c->calendar);
		free(c->calendar);
		if ((c->calendar = rel) == NULL)
			goto nomem;
	}
out:
	free(file);
	if (rc != 0)
		cfg_free(c);
	return rc;
nomem:
	rc = CX_ENOMEM;
	goto out;
}

int
cfg_write(const struct cfg *c)
{
	char *file;
	FILE *f;
	int fd, rc = 0;

	if ((file = cfg_path(c->home, "cxnode.conf")) == NULL)
		return CX_ENOMEM;
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = cx_seterr(errno == EEXIST ? CX_EEXIST : CX_EIO, "%s: %s", file, strerror(errno));
		free(file);
		return rc;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		free(file);
		return CX_EIO;
	}
	fprintf(f, "# cxnode node configuration (see cxnode(1), docs/operations.md)\n\n");
	fprintf(f, "[node]\n");
	fprintf(f, "id = %s\n", c->id);
	fprintf(f, "region = %s\n", c->region);
	if (c->name)
		fprintf(f, "name = %s\n", c->name);
	if (c->federation)
		fprintf(f, "federation = %s\n", c->federation);
	fprintf(f, "origin = %s\n", c->origin);
	fprintf(f, "algorithm = %s\n", c->algorithm ? c->algorithm : "ed25519");
	fprintf(f, "key = keys/node.key\n");
	fprintf(f, "\n[query]\n");
	fprintf(f, "# may the local operator see natural persons' identity numbers unmasked\n");
	fprintf(f, "unmask = %s\n", c->unmask ? "true" : "false");
	if (c->root)
		fprintf(f, "\n[federation]\nroot = %s\n", c->root);
	if (fclose(f) != 0)
		rc = cx_seterr(CX_EIO, "%s: %s", file, strerror(errno));
	free(file);
	return rc;
}

void
cfg_free(struct cfg *c)
{
	if (c == NULL)
		return;
	free(c->home);
	free(c->id);
	free(c->region);
	free(c->name);
	free(c->federation);
	free(c->origin);
	free(c->algorithm);
	free(c->key_path);
	free(c->pub_path);
	free(c->store_path);
	free(c->root);
	cfg_free_list(c->listen);
	cfg_free_list(c->publish);
	cfg_free_list(c->peers);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->clients);
	free(c->grades);
	free(c->calendar);
	cfg_free_list(c->client_listen);
	cfg_free_list(c->http);
	memset(c, 0, sizeof(*c));
}
