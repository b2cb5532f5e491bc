/*
 * util.c: small checks shared by the whole program: UTF-8, calendar dates,
 * dossier ids and their citation form, and where the shipped data lives.
 */
#include "archive.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int archive_utf8_check(const char *s, size_t len, int *bad_line)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int line = 1;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		unsigned int cp;

		if (c == '\n')
			line++;
		if (c < 0x80) {
			if (c == 0)
				goto bad;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			goto bad;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		i += n + 1;
	}
	return 0;
bad:
	if (bad_line)
		*bad_line = line;
	return ARCHIVE_EINVALID;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int archive_date_parse(const char *s, int *y, int *m, int *d)
{
	int yy, mm, dd;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return ARCHIVE_EINVALID;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return ARCHIVE_EINVALID;
	yy = atoi(s);
	mm = atoi(s + 5);
	dd = atoi(s + 8);
	if (yy < 1900 || mm < 1 || mm > 12 || dd < 1 ||
	    dd > days_in_month(yy, mm))
		return ARCHIVE_EINVALID;
	if (y)
		*y = yy;
	if (m)
		*m = mm;
	if (d)
		*d = dd;
	return 0;
}

long archive_date_days(int y, int m, int d)
{
	/* Days from civil, after H. Hinnant's well-known algorithm. */
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void archive_date_today(char out[11])
{
	const char *env = getenv("MORES_TODAY");
	time_t now;
	struct tm tm;

	if (env && archive_date_parse(env, NULL, NULL, NULL) == 0) {
		memcpy(out, env, 10);
		out[10] = '\0';
		return;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int archive_id_parse(const char *id, int *year, int *seq)
{
	size_t len;
	long y, n;

	if (!id)
		return ARCHIVE_EINVALID;
	len = strlen(id);
	if (len < 8 || len > 14 || id[4] != '-')
		return ARCHIVE_EINVALID;
	/* digits only (at most nine after the dash: no overflow) */
	y = n = 0;
	for (size_t i = 0; i < len; i++) {
		if (i == 4)
			continue;
		if (id[i] < '0' || id[i] > '9')
			return ARCHIVE_EINVALID;
		if (i < 4)
			y = y * 10 + (id[i] - '0');
		else
			n = n * 10 + (id[i] - '0');
	}
	if (y < 1900 || n < 1 || n > INT_MAX)
		return ARCHIVE_EINVALID;
	/* Leading zeros only pad to three digits: 2026-0004 is not an id. */
	if (len > 8 && id[5] == '0')
		return ARCHIVE_EINVALID;
	if (year)
		*year = (int)y;
	if (seq)
		*seq = (int)n;
	return 0;
}

char *archive_id_dir(const char *id)
{
	char *dir;
	size_t n;

	if (archive_id_parse(id, NULL, NULL) != 0)
		return NULL;
	n = strlen("dossiers/") + 5 + strlen(id) + 1;
	dir = malloc(n);
	if (dir)
		snprintf(dir, n, "dossiers/%.4s/%s", id, id);
	return dir;
}

char *archive_id_citation(const char *code, const char *id)
{
	int year, seq;
	char *out;
	size_t n;

	if (!code || archive_id_parse(id, &year, &seq) != 0)
		return NULL;
	n = strlen(code) + 24;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s:%d:%d", code, year, seq);
	return out;
}

static int one_of(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

void archive_remove_left_behind(const char *path, const char *infix,
				const char *const *tails)
{
	const char *slash = strrchr(path, '/');
	char dir[4096], name[512];
	struct dirent *e;
	size_t n;
	DIR *d;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	n = (size_t)snprintf(name, sizeof(name), "%s%s", slash + 1, infix);
	if (n >= sizeof(name) || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, name, n) ||
		    !isdigit((unsigned char)e->d_name[n]))
			continue;
		pid = strtol(e->d_name + n, &end, 10);
		if (pid <= 0 || (*end && !one_of(end, tails)))
			continue;
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static int word_start(const char *text, const char *p)
{
	return p == text || !isalnum((unsigned char)p[-1]);
}

int archive_text_mentions(const char *text, const char *code,
			  archive_path_fn fn, void *ctx)
{
	size_t cl = strlen(code);
	/* NUL when there is no code: the loop never meets one */
	unsigned char first = (unsigned char)code[0];
	int rc = 0;

	for (const char *p = text; *p && rc == 0; p++) {
		unsigned char c = (unsigned char)*p;
		char id[32];
		int y, n, used;

		/* a mention starts with the code or with a digit (tested
		 * without isdigit(), a call a character: every text of a
		 * rebuild passes through here) */
		if (c != first && (unsigned)(c - '0') > 9)
			continue;
		if (!word_start(text, p))
			continue;
		if (cl && !strncmp(p, code, cl) && p[cl] == ':' &&
		    sscanf(p + cl, ":%4d:%6d%n", &y, &n, &used) == 2 &&
		    !isdigit((unsigned char)p[cl + used]) && n > 0 &&
		    y >= 1000) {
			snprintf(id, sizeof(id), "%04d-%03d", y, n);
			if (archive_id_parse(id, NULL, NULL) == 0)
				rc = fn(id, ctx);
		} else if (isdigit((unsigned char)p[0]) &&
			   isdigit((unsigned char)p[1]) &&
			   isdigit((unsigned char)p[2]) &&
			   isdigit((unsigned char)p[3]) && p[4] == '-' &&
			   sscanf(p, "%4d-%6d%n", &y, &n, &used) == 2 &&
			   used >= 8 && !isalnum((unsigned char)p[used])) {
			snprintf(id, sizeof(id), "%.*s", used, p);
			if (archive_id_parse(id, NULL, NULL) == 0)
				rc = fn(id, ctx);
		}
	}
	return rc;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *archive_datadir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	const char *env = getenv("MORES_DATADIR");
	ssize_t n;
	char *slash;

	if (dir[0])
		return dir;
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(dir, sizeof(dir), ".");
		return dir;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(probe, sizeof(probe), "%s/../share/mores", exe);
	if (is_dir(probe) && realpath(probe, dir))
		return dir;
	snprintf(dir, sizeof(dir), "%s", exe);
	return dir;
}

int archive_grow(void *array, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	memcpy(&p, array, sizeof(p));
	if (!(p = realloc(p, n * size)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	memcpy(array, &p, sizeof(p));
	*cap = n;
	return 0;
}

int archive_file_slurp(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, used = 0;

	*out = NULL;
	if (!f)
		return archive_error_set(ARCHIVE_ENOTFOUND, "%s: cannot read file",
					 path);
	for (;;) {
		size_t got;

		if (cap - used < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				return archive_error_set(ARCHIVE_ERROR,
							 "out of memory");
			}
			buf = nb;
		}
		got = fread(buf + used, 1, cap - used, f);
		used += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return archive_error_set(ARCHIVE_ERROR, "%s: read error", path);
	}
	fclose(f);
	buf[used] = '\0';
	*out = buf;
	if (len)
		*len = used;
	return 0;
}
