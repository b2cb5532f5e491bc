/*
 * util.c: the small helpers of the net module: formatted strings, text
 * made safe to show, and the derived JSON files (links.json,
 * notify-sent.json, harvest/) read leniently and written atomically.
 */
#include "net_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *net_strprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

char *net_clean_text(const char *s, size_t max, int keep_lines)
{
	size_t len = s ? strlen(s) : 0, used = 0;
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' && keep_lines)
			out[used++] = '\n';
		else if (c == '\n' || c == '\t' || c == '\r')
			out[used++] = ' ';
		else if (c < 0x20 || c == 0x7f)
			continue;
		else if (c == 0xc2 && i + 1 < len &&
			 (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9f)
			i++; /* C1 controls (U+0080..U+009F) */
		else
			out[used++] = (char)c;
	}
	if (used > max) {
		used = max;
		/* do not end inside a UTF-8 sequence */
		while (used && ((unsigned char)out[used] & 0xc0) == 0x80)
			used--;
	}
	out[used] = '\0';
	return out;
}

char *net_derived_path(archive *a, const char *name)
{
	const char *dir = archive_derived_dir(a);

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		archive_error_set(ARCHIVE_ERROR, "%s: cannot create: %s", dir,
				  strerror(errno));
		return NULL;
	}
	return net_strprintf("%s/%s", dir, name);
}

int net_json_load(json_t **out, const char *path)
{
	json_error_t e;

	*out = json_load_file(path, 0, &e);
	return 0;
}

int net_json_save(const json_t *j, const char *path)
{
	char *tmp = net_strprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = 0;

	if (!tmp)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	if (json_dump_file(j, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0)
		rc = archive_error_set(ARCHIVE_ERROR, "%s: cannot write",
				       tmp);
	else if (rename(tmp, path) != 0)
		rc = archive_error_set(ARCHIVE_ERROR, "%s: cannot write: %s",
				       path, strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

long net_today_days(char today[11])
{
	int y, m, d;

	archive_date_today(today);
	if (archive_date_parse(today, &y, &m, &d) != 0)
		return 0;
	return archive_date_days(y, m, d);
}

struct first_problem {
	char *msg;
};

static void note_problem(const char *file, const char *field,
			 const char *message, void *ctx)
{
	struct first_problem *p = ctx;

	if (p->msg)
		return;
	if (strncmp(field, "notify", 6) && strncmp(field, "harvest", 7))
		return;
	p->msg = net_strprintf("%s: %s: %s", file, field, message);
}

int net_settings_check(archive *a)
{
	struct first_problem p = { NULL };
	int rc = 0;

	archive_settings_validate(archive_settings(a), "mores.yml",
				  note_problem, &p);
	if (p.msg) {
		rc = archive_error_set(ARCHIVE_EINVALID, "%s", p.msg);
		free(p.msg);
	}
	return rc;
}
