/*
 * role.h — who may see what (docs/api.md, "Roles").
 *
 * Every party that asks a node something has a role: a federation member
 * (authenticated by its roster key), an authorised client (a key in the
 * node's clients file with the role written beside it), or the local
 * operator running the command on the node's home. A role is a set of
 * permissions; every path that answers (CLI, nng, HTTP, reports, receipts,
 * the audit log) asks these permissions and nothing else.
 */
#ifndef CX_ROLE_H
#define CX_ROLE_H

#include <stdint.h>

/* Roles. The values from ROLE_MONITOR up are wire_lookup roles of
 * authorised clients (>= WIRE_CLIENT); ROLE_MEMBER is WIRE_MEMBER. */
enum {
	ROLE_MEMBER = 1,     /* a federation member node */
	ROLE_MONITOR = 2,    /* heads, checkpoints, consistency, roster only */
	ROLE_PUBLIC = 3,     /* what is publicly published, masked */
	ROLE_REGULATOR = 4,  /* everything about subjects, unmasked, history */
	ROLE_AUDITOR = 5,    /* the audit log and quality figures; masked */
	ROLE_OPERATOR = 6,   /* the local operator of the node (CLI on HOME) */
};

/* Permissions. */
enum {
	PERM_QUERY = 1u << 0,     /* screening answers and receipts */
	PERM_PERSONAL = 1u << 1,  /* natural persons' identity numbers unmasked */
	PERM_HISTORY = 1u << 2,   /* records not active on the date; past dates */
	PERM_REPORT = 1u << 3,    /* dedicated credit reports */
	PERM_AUDIT = 1u << 4,     /* read and verify the audit log */
	PERM_QUALITY = 1u << 5,   /* 双公示 quality figures */
	PERM_LEAVES = 1u << 6,    /* raw log leaves (replication) */
};

/* The permissions of a role (0 for an unknown one). The local operator's
 * PERM_PERSONAL is further gated by [query] unmask (the caller applies it). */
uint32_t role_perms(int role);

/* "member", "monitor", "public", "regulator", "auditor", "operator"; "?"
 * for an unknown role. */
const char *role_name(int role);

/* The role named name (client roles and "operator"), or 0. */
int role_from_name(const char *name);

/*
 * Parse one line of the clients file: "VERIFIER [ROLE]" (the role defaults
 * to monitor; '#' comments and blank lines give *verifier NULL). On success
 * *verifier is malloc'd and *role set. Returns 0 or CX_EFORMAT with the
 * reason (no line number: the caller adds file and line).
 */
int role_client_line(const char *line, char **verifier, int *role);

#endif
