/*
 * check.c: `mores check`: the whole archive against design section 3:
 * settings, the value vocabulary, the folder layout, every dossier, and
 * the rules that span dossiers (related ids that exist).
 */
#include "casework_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run {
	archive_problem_fn report;
	void *ctx;
	int problems;
};

static void relay(const char *file, const char *field, const char *msg,
		  void *ctx)
{
	struct run *r = ctx;

	r->problems++;
	r->report(file, field, msg, r->ctx);
}

/* Whether s[0..n) looks like a field name: lower case, digits, '_'. */
static int is_field(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/*
 * Reports an error from the channel. Its message names the file at fault
 * itself (advies.md, say, while the dossier is checked as a whole), often
 * with a line: "FILE:LINE: field: what", "FILE:LINE: what" or "FILE:
 * what". The report keeps that file and line, in the form every other
 * problem has: "FILE: field: what (line N)", or "FILE: line N: what"
 * when the message names no field.
 */
static void relay_error(struct run *r, const char *file)
{
	const char *msg = archive_error_last();
	const char *colon = strchr(msg, ':'), *rest, *sep;
	char where[300], field[64], what[1024];
	long line = 0;

	r->problems++;
	/* A file name has no spaces; anything else is a bare message. */
	if (!colon || colon == msg || memchr(msg, ' ', (size_t)(colon - msg)) ||
	    (size_t)(colon - msg) >= sizeof(where)) {
		r->report(file, "file", *msg ? msg : "unreadable", r->ctx);
		archive_error_clear();
		return;
	}
	snprintf(where, sizeof(where), "%.*s", (int)(colon - msg), msg);
	rest = colon + 1;
	if (*rest >= '0' && *rest <= '9') {
		char *end;

		line = strtol(rest, &end, 10);
		rest = *end == ':' ? end + 1 : end;
	}
	while (*rest == ' ')
		rest++;
	sep = strstr(rest, ": ");
	if (sep && is_field(rest, (size_t)(sep - rest)) &&
	    (size_t)(sep - rest) < sizeof(field)) {
		snprintf(field, sizeof(field), "%.*s", (int)(sep - rest), rest);
		rest = sep + 2;
	} else if (line) {
		snprintf(field, sizeof(field), "line %ld", line);
		line = 0;
	} else {
		snprintf(field, sizeof(field), "file");
	}
	if (line)
		snprintf(what, sizeof(what), "%s (line %ld)", rest, line);
	else
		snprintf(what, sizeof(what), "%s", *rest ? rest : "unreadable");
	r->report(where, field, what, r->ctx);
	archive_error_clear();
}

/* Whether the line p[0..n) is a front matter fence, "---". */
static int is_fence(const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n == 3 && !strncmp(p, "---", 3);
}

/* Names the field that line `line` of a document belongs to: the last
 * front matter key at the start of a line at or above it, or "text" for
 * the Markdown body. A problem found by line then names its field. */
static void field_of_line(char *out, size_t size, const char *text,
			  size_t len, int line)
{
	const char *p = text, *end = text + len;

	snprintf(out, size, "text");
	for (int n = 1; p < end && n <= line; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p), key = 0;

		if (n == 1 && !is_fence(p, k))
			return; /* no front matter: all of it is text */
		if (n == 1)
			snprintf(out, size, "front matter");
		else if (is_fence(p, k)) {
			snprintf(out, size, "text");
			return;
		}
		while (key < k && (is_field(p + key, 1) || p[key] == '-'))
			key++;
		if (n > 1 && key > 0 && key < k && p[key] == ':')
			snprintf(out, size, "%.*s", (int)key, p);
		p = nl ? nl + 1 : end;
	}
}

/* Replaces every byte that is not part of valid UTF-8 (and NUL) by '?',
 * so that the rest of a document can still be checked. */
static void utf8_repair(char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t k;

		for (k = 1; k <= 4 && i + k <= len; k++)
			if (archive_utf8_check(text + i, k, NULL) == 0)
				break;
		if (k <= 4 && i + k <= len) {
			i += k;
		} else {
			text[i] = '?';
			i++;
		}
	}
}

/* Reads one document of a dossier for checking. Invalid UTF-8 is a
 * problem of its own, reported with the field it sits in; the bytes are
 * then repaired so that the document's other problems show as well. A
 * missing optional file leaves *out NULL. */
static int read_lenient(archive_doc **out, struct run *r, archive_snap *s,
			const char *path, int required)
{
	char *text, field[64], what[64];
	size_t len;
	int rc, line;

	*out = NULL;
	rc = archive_snap_read(&text, &len, s, path);
	if (rc == ARCHIVE_ENOTFOUND && !required) {
		archive_error_clear();
		return 0;
	}
	if (rc != 0)
		return rc;
	if (archive_utf8_check(text, len, &line) != 0) {
		field_of_line(field, sizeof(field), text, len, line);
		snprintf(what, sizeof(what), "not valid UTF-8 text (line %d)",
			 line);
		relay(path, field, what, r);
		utf8_repair(text, len);
	}
	rc = archive_doc_parse(out, path, text, len);
	free(text);
	return rc;
}

/* Loads a dossier that archive_dossier_load() refused, as far as it can
 * be read, reporting the problem of each document that cannot be parsed
 * even after repairing its UTF-8. Returns 0 with *out set, or -1 when a
 * document is beyond validation (its problem has been reported). */
static int load_lenient(archive_dossier **out, struct run *r, archive_snap *s,
			const char *id)
{
	static const char *const names[] = { "dossier.md", "advies.md",
					     "reactie.md" };
	archive_doc *docs[3] = { NULL, NULL, NULL };
	char *dir = archive_id_dir(id), path[300];
	int failed = 0;

	*out = NULL;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir ? dir : "", names[i]);
		if (!dir || read_lenient(&docs[i], r, s, path, i == 0) != 0) {
			relay_error(r, path);
			failed = 1;
		}
	}
	free(dir);
	if (failed) {
		for (int i = 0; i < 3; i++)
			archive_doc_free(docs[i]);
		return -1;
	}
	if (archive_dossier_from_docs(out, id, docs[0], docs[1], docs[2]) != 0) {
		relay_error(r, names[0]);
		return -1;
	}
	return 0;
}

/* Folders under dossiers/ must be dossiers/YYYY/YYYY-NNN. */
static void check_layout(struct run *r, archive_snap *s)
{
	char **years = NULL;
	size_t nyears = 0;

	if (archive_snap_list(&years, &nyears, s, "dossiers") != 0) {
		archive_error_clear();
		return;
	}
	for (size_t y = 0; y < nyears; y++) {
		char dir[300], **names;
		size_t n;
		int year;

		snprintf(dir, sizeof(dir), "dossiers/%s", years[y]);
		if (strlen(years[y]) != 4 ||
		    archive_snap_list(&names, &n, s, dir) != 0) {
			archive_error_clear();
			relay(dir, "folder",
			      "not a year folder (dossiers/YYYY/YYYY-NNN)", r);
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			char path[700], blob[41];

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (archive_id_parse(names[i], &year, NULL) != 0)
				relay(path, "folder",
				      "not a dossier id (YYYY-NNN)", r);
			else if (strncmp(names[i], years[y], 4) != 0)
				relay(path, "folder",
				      "lies in the folder of another year", r);
			else {
				snprintf(path, sizeof(path),
					 "%s/%s/dossier.md", dir, names[i]);
				if (archive_snap_blob_id(blob, s, path) != 0) {
					archive_error_clear();
					relay(path, "file", "missing", r);
				}
			}
		}
		archive_names_free(names, n);
	}
	archive_names_free(years, nyears);
}

int casework_check(archive *a, archive_problem_fn report, void *ctx)
{
	struct run r = { report, ctx, 0 };
	archive_snap *s = archive_snapshot(a);
	archive_vocab *vocab = NULL;
	char **ids;
	size_t n;
	int rc;

	archive_settings_validate(archive_settings(a), "mores.yml", relay, &r);
	if (archive_vocab_load(&vocab, s) != 0)
		relay_error(&r, "values.yml");
	check_layout(&r, s);
	if ((rc = archive_dossier_ids(&ids, &n, s)) != 0) {
		archive_vocab_free(vocab);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		archive_dossier *d;
		archive_node *rel;
		char *dir = archive_id_dir(ids[i]);
		char file[128];

		snprintf(file, sizeof(file), "%s/dossier.md", dir ? dir : "");
		free(dir);
		if (archive_dossier_load(&d, s, ids[i]) != 0) {
			/* A missing dossier.md is check_layout's to report. */
			if (archive_error_code() == ARCHIVE_ENOTFOUND) {
				archive_error_clear();
				continue;
			}
			archive_error_clear();
			if (load_lenient(&d, &r, s, ids[i]) != 0)
				continue;
		}
		archive_dossier_validate(d, vocab, relay, &r);
		rel = archive_node_get(archive_doc_front(archive_dossier_doc(d)),
				       "related");
		for (size_t k = 0; k < archive_node_count(rel); k++) {
			const char *other =
				archive_node_scalar(archive_node_at(rel, k));
			int found = 0;

			if (!other || archive_id_parse(other, NULL, NULL) != 0)
				continue;
			for (size_t j = 0; j < n && !found; j++)
				found = !strcmp(ids[j], other);
			if (!found) {
				char msg[128];

				snprintf(msg, sizeof(msg),
					 "'%s' is not a dossier in this archive",
					 other);
				relay(file, "related", msg, &r);
			}
		}
		archive_dossier_free(d);
	}
	archive_names_free(ids, n);
	archive_vocab_free(vocab);
	return r.problems;
}
