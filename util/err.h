/*
 * err.h — error codes shared by every module of cxnode.
 *
 * Every fallible function returns int: 0 on success, one of the negative
 * CX_E* codes below on failure. cx_strerror() names a code. The detail of the
 * most recent failure on this thread (which file, which line, what OpenSSL or
 * LMDB said) is kept by cx_seterr() and read by cx_lasterr(); a function
 * that propagates an error from a callee leaves that detail alone.
 *
 * Libraries (util/, keys/, store/, credit/, ingest/) never print: they set the
 * detail and return the code; node/ decides what the operator sees.
 */
#ifndef CX_ERR_H
#define CX_ERR_H

enum {
	CX_OK        =  0,
	CX_ENOMEM    = -1,  /* out of memory */
	CX_EINVAL    = -2,  /* invalid argument or input */
	CX_EIO       = -3,  /* an operating-system call failed (errno in detail) */
	CX_ENOTFOUND = -4,  /* no such key, record, file or log */
	CX_EEXIST    = -5,  /* already exists */
	CX_EBADSIG   = -6,  /* a signature does not verify */
	CX_ESTALE    = -7,  /* older than what is held (roster, checkpoint) */
	CX_EFORK     = -8,  /* two views of one log are inconsistent */
	CX_ECORRUPT  = -9,  /* stored data does not match its hashes */
	CX_EFORMAT   = -10, /* input is not in the expected format */
	CX_EPERM     = -11, /* file permissions unsafe, or not allowed */
	CX_ECRYPTO   = -12, /* the crypto library failed */
	CX_EMAPFULL  = -13, /* the LMDB map is full (store grows and retries) */
	CX_ESCHEMA   = -14, /* store or record schema version not supported */
	CX_EPASS     = -15, /* wrong passphrase, or one is needed */
	CX_ETOOBIG   = -16, /* input exceeds a limit */
	CX_EPROOF    = -17, /* a Merkle proof does not verify */
	CX_EBUSY     = -18, /* resource in use (store locked by another writer) */
	CX_ETIMEOUT  = -19, /* no answer in time */
	CX_EREFUSED  = -20, /* the other party refused (its reason in detail) */
};

/* Name of an error code ("signature does not verify"). Never NULL. */
const char *cx_strerror(int code);

/*
 * Record the detail of a failure for this thread (printf format) and return
 * code, so that callers can write `return cx_seterr(CX_EINVAL, "...")`.
 */
int cx_seterr(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Detail of the last failure on this thread; "" if none. Valid until the
 * next cx_seterr() on this thread. */
const char *cx_lasterr(void);

/* Clear the detail. */
void cx_clearerr(void);

/*
 * Drain OpenSSL's error queue into the detail, prefixed with what, and
 * return CX_ECRYPTO. Leaves the queue empty.
 */
int cx_sslerr(const char *what);

#endif
