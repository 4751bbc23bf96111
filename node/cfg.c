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
			if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0)
				c->unmask = 1;
			else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0)
				c->unmask = 0;
			else {
				snprintf(p->bad, sizeof(p->bad), "[query] unmask must be true or false");
				return 0;
			}
			return 1;
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
	memset(c, 0, sizeof(*c));
}
