/*
 * role.c — roles and their permissions (node/role.h, docs/api.md).
 */
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "node/role.h"
#include "util/err.h"

static const struct {
	int role;
	const char *name;
	uint32_t perms;
} role_table[] = {
	{ ROLE_MEMBER, "member",
	  PERM_QUERY | PERM_PERSONAL | PERM_HISTORY | PERM_REPORT | PERM_QUALITY | PERM_LEAVES },
	{ ROLE_MONITOR, "monitor", 0 },
	{ ROLE_PUBLIC, "public", PERM_QUERY | PERM_REPORT },
	{ ROLE_REGULATOR, "regulator",
	  PERM_QUERY | PERM_PERSONAL | PERM_HISTORY | PERM_REPORT | PERM_QUALITY },
	{ ROLE_AUDITOR, "auditor", PERM_QUERY | PERM_HISTORY | PERM_AUDIT | PERM_QUALITY },
	{ ROLE_OPERATOR, "operator",
	  PERM_QUERY | PERM_PERSONAL | PERM_HISTORY | PERM_REPORT | PERM_AUDIT | PERM_QUALITY },
};

#define ROLE_N (sizeof(role_table) / sizeof(role_table[0]))

uint32_t
role_perms(int role)
{
	size_t i;

	for (i = 0; i < ROLE_N; i++)
		if (role_table[i].role == role)
			return role_table[i].perms;
	return 0;
}

const char *
role_name(int role)
{
	size_t i;

	for (i = 0; i < ROLE_N; i++)
		if (role_table[i].role == role)
			return role_table[i].name;
	return "?";
}

int
role_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ROLE_N; i++)
		if (strcmp(role_table[i].name, name) == 0)
			return role_table[i].role;
	return 0;
}

int
role_client_line(const char *line, char **verifier, int *role)
{
	const char *p = line, *v;
	size_t vlen, rlen;
	char rname[32];
	keys_key *k;
	int rc;

	*verifier = NULL;
	*role = ROLE_MONITOR;
	while (*p == ' ' || *p == '\t')
		p++;
	vlen = strcspn(p, " \t\r\n");
	if (vlen == 0 || *p == '#')
		return 0;
	v = p;
	p += vlen;
	while (*p == ' ' || *p == '\t')
		p++;
	rlen = strcspn(p, " \t\r\n#");
	if (rlen > 0) {
		if (rlen >= sizeof(rname))
			return cx_seterr(CX_EFORMAT, "unknown role");
		memcpy(rname, p, rlen);
		rname[rlen] = '\0';
		*role = role_from_name(rname);
		if (*role == 0 || *role == ROLE_MEMBER || *role == ROLE_OPERATOR)
			return cx_seterr(CX_EFORMAT, "unknown client role \"%s\" (monitor, public, "
			    "regulator or auditor)", rname);
		p += rlen;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '\0' && *p != '#')
			return cx_seterr(CX_EFORMAT, "more than a verifier and a role");
	}
	if ((*verifier = strndup(v, vlen)) == NULL)
		return CX_ENOMEM;
	if ((rc = keys_from_verifier(&k, *verifier)) != 0) {
		rc = cx_seterr(CX_EFORMAT, "not a verifier: %s", cx_lasterr());
		free(*verifier);
		*verifier = NULL;
		return rc;
	}
	keys_free(k);
	return 0;
}
