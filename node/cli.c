/*
 * cli.c — error printing, passphrase prompting and terminal detection shared
 * by every subcommand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "keys/keys.h"
#include "node/cli.h"
#include "util/err.h"

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("cxnode: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_fail(int code, const char *what)
{
	const char *d = cx_lasterr();

	if (d[0] != '\0')
		fprintf(stderr, "cxnode: %s: %s: %s\n", what, cx_strerror(code), d);
	else
		fprintf(stderr, "cxnode: %s: %s\n", what, cx_strerror(code));
	return CLI_FATAL;
}

int
cli_tty(void)
{
	return isatty(STDERR_FILENO);
}

/* Read one line from fd with echo off; strips the newline. */
static int
cli_read_hidden(int fd, const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	size_t n = 0;
	int echo_off = 0;
	char c;

	if (write(fd, prompt, strlen(prompt)) < 0)
		return CX_EIO;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	while (read(fd, &c, 1) == 1 && c != '\n') {
		if (n + 1 < cap)
			buf[n++] = c;
	}
	buf[n] = '\0';
	c = 0;
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		return CX_EIO;
	return 0;
}

int
cli_passphrase(const char *prompt, char *buf, size_t cap, int confirm)
{
	const char *env = getenv("CXNODE_PASSPHRASE");
	char again[256];
	int fd, rc;

	if (cap == 0)
		return CX_EINVAL;
	if (env != NULL) {
		if (strlen(env) >= cap)
			return cx_seterr(CX_ETOOBIG, "passphrase longer than %zu bytes", cap - 1);
		strcpy(buf, env);
		return 0;
	}
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return cx_seterr(CX_EPASS, "no terminal to ask for a passphrase; set CXNODE_PASSPHRASE");
	rc = cli_read_hidden(fd, prompt, buf, cap);
	if (rc == 0 && confirm) {
		rc = cli_read_hidden(fd, "again: ", again, sizeof(again));
		if (rc == 0 && strcmp(again, buf) != 0)
			rc = cx_seterr(CX_EINVAL, "the passphrases differ");
		OPENSSL_cleanse(again, sizeof(again));
	}
	if (rc == 0 && buf[0] == '\0')
		rc = cx_seterr(CX_EPASS, "empty passphrase");
	close(fd);
	if (rc != 0)
		OPENSSL_cleanse(buf, cap);
	return rc;
}

int
cli_read_line(char **out, const char *path)
{
	char buf[2048];
	size_t n;
	FILE *f;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return cx_seterr(errno == ENOENT ? CX_ENOTFOUND : CX_EIO, "%s: %s", path,
		    strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return (*out = strdup(buf)) == NULL ? cx_seterr(CX_ENOMEM, "%s", path) : 0;
}

int
cli_public_key(keys_key **out, const char *arg)
{
	char *line = NULL;
	int rc;

	*out = NULL;
	if (strchr(arg, '+') != NULL && access(arg, F_OK) != 0)
		return keys_from_verifier(out, arg);
	if ((rc = cli_read_line(&line, arg)) == 0)
		rc = keys_from_verifier(out, line);
	free(line);
	return rc;
}

int
cli_algorithm(const char *name)
{
	if (strcmp(name, "ed25519") == 0)
		return KEYS_ED25519;
	if (strcmp(name, "sm2") == 0)
		return KEYS_SM2;
	return 0;
}

int
cli_key_create(keys_key **out, char **verifier, int alg, const char *name,
    const char *keypath, const char *pubpath, int want_pass, const char *what)
{
	char pass[256] = "", prompt[96];
	int fd = -1, rc, saved = 0;

	*out = NULL;
	*verifier = NULL;
	if (want_pass) {
		snprintf(prompt, sizeof(prompt), "passphrase for the new %s: ", what);
		if ((rc = cli_passphrase(prompt, pass, sizeof(pass), 1)) != 0)
			return rc;
	}
	if ((rc = keys_generate(out, alg, name)) != 0 ||
	    (rc = keys_save(*out, keypath, want_pass ? pass : NULL)) != 0)
		goto out;
	saved = 1;
	if ((rc = keys_verifier(verifier, *out)) != 0)
		goto out;
	fd = open(pubpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || dprintf(fd, "%s\n", *verifier) < 0) {
		rc = cx_seterr(errno == EEXIST ? CX_EEXIST : CX_EIO, "%s: %s", pubpath,
		    strerror(errno));
		if (fd >= 0)
			unlink(pubpath);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = cx_seterr(CX_EIO, "%s: %s", pubpath, strerror(errno));
		unlink(pubpath);
		goto out;
	}
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(pass, sizeof(pass));
	if (rc != 0) {
		if (saved)
			unlink(keypath);
		keys_free(*out);
		free(*verifier);
		*out = NULL;
		*verifier = NULL;
	}
	return rc;
}

int
cli_key_load(keys_key **out, const char *path, const char *what)
{
	char pass[256], prompt[96];
	int rc;

	rc = keys_load(out, path, NULL);
	if (rc == CX_EPASS) {
		snprintf(prompt, sizeof(prompt), "passphrase for the %s: ", what);
		rc = cli_passphrase(prompt, pass, sizeof(pass), 0);
		if (rc == 0)
			rc = keys_load(out, path, pass);
		OPENSSL_cleanse(pass, sizeof(pass));
	}
	return rc;
}

int
cli_mkdir(const char *path)
{
	struct stat st;
	char *parent, *slash;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno == ENOENT && (parent = strdup(path)) != NULL) {
		/* create missing parents, like mkdir -p */
		slash = strrchr(parent, '/');
		if (slash != NULL && slash != parent) {
			*slash = '\0';
			if (cli_mkdir(parent) == 0 && mkdir(path, 0700) == 0) {
				free(parent);
				return 0;
			}
		}
		free(parent);
	}
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
}

