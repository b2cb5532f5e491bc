/*
 * error.c: the error channel. Every module reports a failure here, once,
 * with a message that names the file, field and value a user must fix; the
 * command line prints it. One channel per thread.
 */
#include "archive.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char error_message[1024];
static _Thread_local int error_code;

const char *archive_error_last(void)
{
	return error_message;
}

int archive_error_code(void)
{
	return error_code;
}

int archive_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_message, sizeof(error_message), fmt, ap);
	va_end(ap);
	error_code = code;
	return code;
}

void archive_error_clear(void)
{
	error_message[0] = '\0';
	error_code = 0;
}
