/*
 * peer.c — answering and asking the requests of docs/protocol.md
 * ("Requests"). Every answer is computed in one read transaction of the
 * store, so it is consistent with itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node/api.h"
#include "node/peer.h"
#include "util/err.h"

/* Answer with a WireError. */
static int
peer_error(Cx__Response *rs, Cx__WireError *e, int code, const char *msg)
{
	e->code = (uint32_t)code;
	e->message = (char *)msg;
	rs->kind_case = CX__RESPONSE__KIND_ERROR;
	rs->error = e;
	return 0;
}

/* Collect the cosignature lines of (log, size). */
struct peer_cosigs {
	ProtobufCBinaryData *v;
	size_t n, cap;
};

static int
peer_cosig_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct peer_cosigs *c = ctx;

	(void)key;
	(void)klen;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 8;
		ProtobufCBinaryData *nv = realloc(c->v, nc * sizeof(*nv));

		if (nv == NULL)
			return 1;
		c->v = nv;
		c->cap = nc;
	}
	c->v[c->n].data = (uint8_t *)val;
	c->v[c->n].len = vlen;
	c->n++;
	return 0;
}

static int
peer_cosigs(store_txn *t, uint32_t log, uint64_t size, struct peer_cosigs *c)
{
	uint8_t key[13];

	key[0] = 'W';
	idx_put32(key + 1, log);
	idx_put64(key + 5, size);
	return store_aux_scan(t, key, sizeof(key), peer_cosig_fn, c);
}

static int
peer_heads(struct fed *f, store_txn *t, Cx__Response *rs, uint8_t **out, size_t *outlen)
{
	struct store_log *logs = NULL;
	Cx__HeadsReply hr = CX__HEADS_REPLY__INIT;
	Cx__Head *heads = NULL, **hp = NULL;
	struct peer_cosigs *cs = NULL;
	struct fed_roster *r = fed_roster(f);
	uint8_t digest[32];
	size_t nlogs = 0, i, n = 0;
	int rc;

	if ((rc = store_log_list(f->n->st, &logs, &nlogs)) != 0)
		goto out;
	heads = calloc(nlogs + 1, sizeof(*heads));
	hp = calloc(nlogs + 1, sizeof(*hp));
	cs = calloc(nlogs + 1, sizeof(*cs));
	if (heads == NULL || hp == NULL || cs == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	for (i = 0; i < nlogs; i++) {
		Cx__Head *h = &heads[n];
		const char *note;
		size_t nl;
		uint64_t got;

		cx__head__init(h);
		if (store_checkpoint(t, logs[i].id, 0, &note, &nl, &got) != 0)
			continue;   /* nothing signed yet: nothing to offer */
		h->origin = logs[i].origin;
		h->issuer = logs[i].issuer;
		h->checkpoint.data = (uint8_t *)note;
		h->checkpoint.len = nl;
		if ((rc = peer_cosigs(t, logs[i].id, got, &cs[n])) != 0)
			goto out;
		h->cosignatures = cs[n].v;
		h->n_cosignatures = cs[n].n;
		h->halted = fed_fork_halted(t, logs[i].id);
		hp[n++] = h;
	}
	hr.heads = hp;
	hr.n_heads = n;
	if ((rc = fed_state_digest(f, t, digest)) != 0)
		goto out;
	hr.state_digest.data = digest;
	hr.state_digest.len = sizeof(digest);
	hr.roster_version = r != NULL ? r->r->version : 0;
	hr.time = (uint64_t)time(NULL);
	rs->kind_case = CX__RESPONSE__KIND_HEADS;
	rs->heads = &hr;
	*outlen = cx__response__get_packed_size(rs);
	if ((*out = malloc(*outlen ? *outlen : 1)) == NULL)
		rc = CX_ENOMEM;
	else
		cx__response__pack(rs, *out);
	rs->kind_case = CX__RESPONSE__KIND__NOT_SET;
out:
	for (i = 0; cs != NULL && i < nlogs + 1; i++)
		free(cs[i].v);
	free(cs);
	free(hp);
	free(heads);
	store_log_list_free(logs, nlogs);
	fed_roster_put(f, r);
	return rc;
}

/* Proof hashes as repeated bytes pointing into proof[]. */
static ProtobufCBinaryData *
peer_proof(const tlog_hash *proof, size_t n)
{
	ProtobufCBinaryData *v = calloc(n + 1, sizeof(*v));
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		v[i].data = (uint8_t *)proof[i];
		v[i].len = TLOG_HASH_LEN;
	}
	return v;
}

static int
peer_pack(Cx__Response *rs, uint8_t **out, size_t *outlen)
{
	*outlen = cx__response__get_packed_size(rs);
	if ((*out = malloc(*outlen ? *outlen : 1)) == NULL)
		return CX_ENOMEM;
	cx__response__pack(rs, *out);
	return 0;
}

/* Request.api: one call of the regulator services (node/api.h). */
static int
peer_api(struct fed *f, const struct wire_peer *peer, const Cx__ApiRequest *q, uint8_t **resp,
    size_t *resplen)
{
	Cx__Response rs = CX__RESPONSE__INIT;
	Cx__WireError we = CX__WIRE_ERROR__INIT;
	Cx__ApiReply ar = CX__API_REPLY__INIT;
	struct api_caller c;
	json_t *params = NULL, *res = NULL;
	json_error_t je;
	char *body = NULL, msg[512];
	int rc;

	if (f->api == NULL) {
		peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_NOT_FOUND,
		    "this node does not offer the regulator services");
		return peer_pack(&rs, resp, resplen);
	}
	if (q->params.len > 0 && (params = json_loadb((const char *)q->params.data,
	    q->params.len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(msg, sizeof(msg), "params: not JSON: %s", je.text);
		peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_MALFORMED, msg);
		return peer_pack(&rs, resp, resplen);
	}
	api_wire_caller(&c, peer->id, peer->role, "nng");
	rc = api_call(f->api, &c, q->method ? q->method : "", params, &res);
	json_decref(params);
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "%s", cx_lasterr());
		peer_error(&rs, &we, api_wire_code(rc), msg);
		return peer_pack(&rs, resp, resplen);
	}
	body = json_dumps(res, JSON_COMPACT);
	json_decref(res);
	if (body == NULL)
		return CX_ENOMEM;
	ar.result.data = (uint8_t *)body;
	ar.result.len = strlen(body);
	rs.kind_case = CX__RESPONSE__KIND_API;
	rs.api = &ar;
	rc = peer_pack(&rs, resp, resplen);
	free(body);
	return rc;
}

int
peer_handle(void *ctx, const struct wire_peer *peer, const uint8_t *req, size_t len,
    uint8_t **resp, size_t *resplen)
{
	struct fed *f = ctx;
	Cx__Request *rq;
	Cx__Response rs = CX__RESPONSE__INIT;
	Cx__WireError we = CX__WIRE_ERROR__INIT;
	store_txn *t = NULL;
	tlog_hash proof[TLOG_MAX_PROOF], root;
	ProtobufCBinaryData *pv = NULL, *lv = NULL;
	char msg[256];
	uint32_t log;
	uint64_t size;
	size_t np = 0;
	int rc = 0;

	*resp = NULL;
	if ((rq = cx__request__unpack(NULL, len, req)) == NULL) {
		peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_MALFORMED, "not a Request");
		return peer_pack(&rs, resp, resplen);
	}
	if (rq->kind_case == CX__REQUEST__KIND_API) {
		rc = peer_api(f, peer, rq->api, resp, resplen);
		cx__request__free_unpacked(rq, NULL);
		return rc;
	}
	if ((rc = store_read_begin(&t, f->n->st)) != 0)
		goto out;
	switch (rq->kind_case) {
	case CX__REQUEST__KIND_HEADS:
		rc = peer_heads(f, t, &rs, resp, resplen);
		goto out;
	case CX__REQUEST__KIND_ROSTER: {
		struct fed_roster *r = fed_roster(f);
		Cx__RosterReply rr = CX__ROSTER_REPLY__INIT;

		if (r == NULL) {
			peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_NOT_FOUND, "no roster held");
			break;
		}
		rr.signed_roster.data = r->raw;
		rr.signed_roster.len = r->len;
		rs.kind_case = CX__RESPONSE__KIND_ROSTER;
		rs.roster = &rr;
		rc = peer_pack(&rs, resp, resplen);
		fed_roster_put(f, r);
		goto out;
	}
	case CX__REQUEST__KIND_CHECKPOINT: {
		Cx__CheckpointReply cr = CX__CHECKPOINT_REPLY__INIT;
		struct peer_cosigs cs = { 0 };
		const char *note;
		size_t nl;
		uint64_t got;

		if (rq->checkpoint->origin == NULL ||
		    store_log_find(f->n->st, &log, rq->checkpoint->origin) != 0 ||
		    store_checkpoint(t, log, rq->checkpoint->size, &note, &nl, &got) != 0) {
			peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_NOT_FOUND,
			    "no such log or checkpoint");
			break;
		}
		cr.checkpoint.data = (uint8_t *)note;
		cr.checkpoint.len = nl;
		if ((rc = peer_cosigs(t, log, got, &cs)) != 0)
			goto out;
		cr.cosignatures = cs.v;
		cr.n_cosignatures = cs.n;
		rs.kind_case = CX__RESPONSE__KIND_CHECKPOINT;
		rs.checkpoint = &cr;
		rc = peer_pack(&rs, resp, resplen);
		free(cs.v);
		goto out;
	}
	case CX__REQUEST__KIND_CONSISTENCY: {
		Cx__ConsistencyRequest *q = rq->consistency;
		Cx__ConsistencyReply cr = CX__CONSISTENCY_REPLY__INIT;

		if (q->origin == NULL || store_log_find(f->n->st, &log, q->origin) != 0 ||
		    store_txn_log_size(t, log, &size) != 0) {
			peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_NOT_FOUND, "no such log");
			break;
		}
		if (q->old_size > q->new_size || q->new_size > size ||
		    store_prove_consistency(t, log, q->old_size, q->new_size, proof, &np) != 0 ||
		    store_root(t, log, q->old_size, root) != 0) {
			snprintf(msg, sizeof(msg), "no consistency proof %llu..%llu (log holds %llu)",
			    (unsigned long long)q->old_size, (unsigned long long)q->new_size,
			    (unsigned long long)size);
			peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_NOT_FOUND, msg);
			break;
		}
		if ((pv = peer_proof(proof, np)) == NULL) {
			rc = CX_ENOMEM;
			goto out;
		}
		cr.proof = pv;
		cr.n_proof = np;
		cr.old_root.data = root;
		cr.old_root.len = TLOG_HASH_LEN;
		rs.kind_case = CX__RESPONSE__KIND_CONSISTENCY;
		rs.consistency = &cr;
		rc = peer_pack(&rs, resp, resplen);
		goto out;
	}
	case CX__REQUEST__KIND_LEAVES: {
		Cx__LeavesRequest *q = rq->leaves;
		Cx__LeavesReply lr = CX__LEAVES_REPLY__INIT;
		uint64_t i, end, budget = PEER_LEAVES_BUDGET;

		if (peer->role != WIRE_MEMBER) {
			peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_FORBIDDEN,
			    "leaves are served to federation members only");
			break;
		}
		if (q->origin == NULL || store_log_find(f->n->st, &log, q->origin) != 0 ||
		    store_txn_log_size(t, log, &size) != 0) {
			peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_NOT_FOUND, "no such log");
			break;
		}
		if (q->start >= q->end || q->end > q->tree_size || q->tree_size > size) {
			snprintf(msg, sizeof(msg), "leaves %llu..%llu of a tree of %llu: this node "
			    "holds %llu", (unsigned long long)q->start, (unsigned long long)q->end,
			    (unsigned long long)q->tree_size, (unsigned long long)size);
			peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_NOT_FOUND, msg);
			break;
		}
		end = q->end;
		if (end - q->start > PEER_LEAVES_MAX)
			end = q->start + PEER_LEAVES_MAX;
		if ((lv = calloc((size_t)(end - q->start), sizeof(*lv))) == NULL) {
			rc = CX_ENOMEM;
			goto out;
		}
		for (i = q->start; i < end; i++) {
			const uint8_t *d;
			size_t dl;

			if ((rc = store_leaf(t, log, i, &d, &dl)) != 0)
				goto out;
			if (i > q->start && dl > budget)
				break;
			budget -= dl < budget ? dl : budget;
			lv[i - q->start].data = (uint8_t *)d;
			lv[i - q->start].len = dl;
		}
		end = i;
		if (end < q->tree_size &&
		    (rc = store_prove_consistency(t, log, end, q->tree_size, proof, &np)) != 0)
			goto out;
		if ((pv = peer_proof(proof, np)) == NULL) {
			rc = CX_ENOMEM;
			goto out;
		}
		lr.leaves = lv;
		lr.n_leaves = (size_t)(end - q->start);
		lr.proof = pv;
		lr.n_proof = np;
		rs.kind_case = CX__RESPONSE__KIND_LEAVES;
		rs.leaves = &lr;
		rc = peer_pack(&rs, resp, resplen);
		goto out;
	}
	default:
		peer_error(&rs, &we, CX__WIRE_ERROR_CODE__WERR_MALFORMED, "unknown request");
		break;
	}
	rc = peer_pack(&rs, resp, resplen);
out:
	free(pv);
	free(lv);
	store_read_end(t);
	cx__request__free_unpacked(rq, NULL);
	return rc;
}

/*
 * No field this version does not know, anywhere in the message: a reply
 * that carries bytes nobody reads could only be padding (memory held for
 * nothing), so it is refused like an unknown field in a Frame.
 */
static int
peer_strict(const ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;
	unsigned i;
	size_t j;

	if (m->n_unknown_fields != 0 || depth > 8)
		return -1;
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];

		if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + fd->quantifier_offset);
			ProtobufCMessage *const *v = *(ProtobufCMessage *const *const *)(base + fd->offset);

			for (j = 0; j < n; j++)
				if (v[j] != NULL && peer_strict(v[j], depth + 1) != 0)
					return -1;
			continue;
		}
		if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
			continue;   /* another member of the oneof holds the union */
		{
			const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)(base + fd->offset);

			if (sub != NULL && peer_strict(sub, depth + 1) != 0)
				return -1;
		}
	}
	return 0;
}

int
peer_call(wire_client *c, const Cx__Request *req, Cx__Response **resp)
{
	size_t len = cx__request__get_packed_size(req), rl = 0;
	uint8_t *buf = malloc(len ? len : 1), *rb = NULL;
	Cx__Response *rs;
	int rc;

	*resp = NULL;
	if (buf == NULL)
		return CX_ENOMEM;
	cx__request__pack(req, buf);
	rc = wire_call(c, buf, len, &rb, &rl);
	free(buf);
	if (rc != 0)
		return rc;
	rs = cx__response__unpack(NULL, rl, rb);
	free(rb);
	if (rs == NULL)
		return cx_seterr(CX_EFORMAT, "the peer's answer is not a Response");
	if (peer_strict(&rs->base, 0) != 0) {
		cx__response__free_unpacked(rs, NULL);
		return cx_seterr(CX_EFORMAT, "the peer's answer has fields this version does not know");
	}
	if (rs->kind_case == CX__RESPONSE__KIND_ERROR) {
		rc = cx_seterr(CX_EREFUSED, "peer: %s", rs->error->message ? rs->error->message : "");
		cx__response__free_unpacked(rs, NULL);
		return rc;
	}
	if ((int)rs->kind_case != (int)req->kind_case + 1) {
		cx__response__free_unpacked(rs, NULL);
		return cx_seterr(CX_EFORMAT, "the peer answered another question");
	}
	*resp = rs;
	return 0;
}
