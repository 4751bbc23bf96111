/*
 * err.c — error names and the per-thread detail of the last failure.
 *
 * The detail is a fixed thread-local buffer: setting it never allocates, so
 * it works when memory is exhausted, and reading it needs no locking.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "util/err.h"

static _Thread_local char err_detail[512];

const char *
cx_strerror(int code)
{
	switch (code) {
	case CX_OK:        return "success";
	case CX_ENOMEM:    return "out of memory";
	case CX_EINVAL:    return "invalid argument";
	case CX_EIO:       return "input/output error";
	case CX_ENOTFOUND: return "not found";
	case CX_EEXIST:    return "already exists";
	case CX_EBADSIG:   return "signature does not verify";
	case CX_ESTALE:    return "stale: older than what is held";
	case CX_EFORK:     return "inconsistent views of one log";
	case CX_ECORRUPT:  return "stored data does not match its hashes";
	case CX_EFORMAT:   return "malformed input";
	case CX_EPERM:     return "permission denied or unsafe permissions";
	case CX_ECRYPTO:   return "cryptographic library failure";
	case CX_EMAPFULL:  return "store map full";
	case CX_ESCHEMA:   return "unsupported schema version";
	case CX_EPASS:     return "wrong or missing passphrase";
	case CX_ETOOBIG:   return "too large";
	case CX_EPROOF:    return "proof does not verify";
	case CX_EBUSY:     return "resource busy";
	case CX_ETIMEOUT:  return "timed out";
	case CX_EREFUSED:  return "refused by the other party";
	default:           return "unknown error";
	}
}

/* The detail is formatted aside first: callers often wrap the previous
 * detail ("...: %s", cx_lasterr()), which is the buffer being written. */
int
cx_seterr(int code, const char *fmt, ...)
{
	char buf[sizeof(err_detail)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(err_detail, buf, sizeof(buf));
	return code;
}

const char *
cx_lasterr(void)
{
	return err_detail;
}

void
cx_clearerr(void)
{
	err_detail[0] = '\0';
}

int
cx_sslerr(const char *what)
{
	unsigned long e;
	size_t off;
	int n;

	n = snprintf(err_detail, sizeof(err_detail), "%s", what);
	off = n < 0 ? 0 : (size_t)n;
	while ((e = ERR_get_error()) != 0) {
		if (off + 3 < sizeof(err_detail)) {
			n = snprintf(err_detail + off, sizeof(err_detail) - off, ": ");
			off += (size_t)n;
			ERR_error_string_n(e, err_detail + off, sizeof(err_detail) - off);
			off = strlen(err_detail);
		}
	}
	return CX_ECRYPTO;
}
