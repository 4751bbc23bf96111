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
