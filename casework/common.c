/*
 * common.c: helpers shared by the casework commands.
 */
#include "casework_int.h"

#include <stdlib.h>
#include <string.h>

int casework_load(archive_dossier **out, archive_snap *s, const char *id)
{
	*out = NULL;
	if (archive_id_parse(id, NULL, NULL) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "'%s' is not a dossier id (YYYY-NNN, "
					 "e.g. 2026-004)",
					 id);
	return archive_dossier_load(out, s, id);
}

int casework_stage(archive_txn *t, const archive_doc *doc)
{
	char *text;
	size_t len;
	int rc = archive_doc_format(&text, &len, doc);

	if (rc != 0)
		return rc;
	rc = archive_txn_put(t, archive_doc_path(doc), text, len);
	free(text);
	return rc;
}

archive_doc *casework_doc_copy(const archive_doc *doc)
{
	char *text;
	size_t len;
	archive_doc *copy = NULL;

	if (!doc || archive_doc_format(&text, &len, doc) != 0)
		return NULL;
	if (archive_doc_parse(&copy, archive_doc_path(doc), text, len) != 0)
		copy = NULL;
	free(text);
	return copy;
}

struct problems {
	char **lines;
	size_t count;
};

static void collect(const char *file, const char *field, const char *msg,
		    void *ctx)
{
	struct problems *p = ctx;
	char **grown = realloc(p->lines, (p->count + 1) * sizeof(*grown));
	char *line;

	if (!grown)
		return;
	p->lines = grown;
	if (asprintf(&line, "%s: %s: %s", file, field, msg) >= 0)
		p->lines[p->count++] = line;
}

static void problems_free(struct problems *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->lines[i]);
	free(p->lines);
}

/* Adds a problem for each related id that names no dossier. */
static void related_check(const archive_dossier *d, archive_snap *s,
			  struct problems *p)
{
	archive_node *rel =
		archive_node_get(archive_doc_front(archive_dossier_doc(d)),
				 "related");

	for (size_t i = 0; i < archive_node_count(rel); i++) {
		const char *other = archive_node_scalar(archive_node_at(rel, i));
		char *dir, path[128], blob[41];
		char msg[160];

		if (!other || archive_id_parse(other, NULL, NULL) != 0)
			continue;
		dir = archive_id_dir(other);
		snprintf(path, sizeof(path), "%s/dossier.md", dir ? dir : "");
		free(dir);
		if (archive_snap_blob_id(blob, s, path) != 0) {
			snprintf(msg, sizeof(msg), "'%s' is not a dossier in "
						   "this archive",
				 other);
			collect(archive_doc_path(archive_dossier_doc(d)),
				"related", msg, p);
		}
	}
}

int casework_validate_change(const archive_dossier *before,
			     const archive_dossier *after, archive_snap *s)
{
	struct problems old = { 0 }, now = { 0 };
	archive_vocab *vocab = NULL;
	int rc;

	if ((rc = archive_vocab_load(&vocab, s)) != 0)
		return rc;
	if (before) {
		archive_dossier_validate(before, vocab, collect, &old);
		related_check(before, s, &old);
	}
	archive_dossier_validate(after, vocab, collect, &now);
	related_check(after, s, &now);
	archive_vocab_free(vocab);
	rc = 0;
	for (size_t i = 0; i < now.count && rc == 0; i++) {
		int seen = 0;

		for (size_t j = 0; j < old.count && !seen; j++)
			seen = strcmp(now.lines[i], old.lines[j]) == 0;
		if (!seen)
			rc = archive_error_set(ARCHIVE_EINVALID, "%s",
					       now.lines[i]);
	}
	problems_free(&old);
	problems_free(&now);
	return rc;
}

json_t *casework_node_json(const archive_node *n)
{
	json_t *j;

	if (!n)
		return json_null();
	switch (archive_node_kind_of(n)) {
	case ARCHIVE_NODE_SCALAR:
		return archive_node_scalar(n)
			       ? json_string(archive_node_scalar(n))
			       : json_null();
	case ARCHIVE_NODE_LIST:
		j = json_array();
		for (size_t i = 0; i < archive_node_count(n); i++)
			json_array_append_new(
				j, casework_node_json(archive_node_at(n, i)));
		return j;
	case ARCHIVE_NODE_MAP:
		j = json_object();
		for (size_t i = 0; i < archive_node_count(n); i++) {
			const char *key = archive_node_key_at(n, i);
			const char *v = archive_node_scalar(archive_node_at(n, i));

			if (!strcmp(key, "done") && v &&
			    (!strcmp(v, "true") || !strcmp(v, "false")))
				json_object_set_new(j, key,
						    json_boolean(!strcmp(v, "true")));
			else
				json_object_set_new(
					j, key,
					casework_node_json(archive_node_at(n, i)));
		}
		return j;
	}
	return json_null();
}

archive_node *casework_list_parse(const char *csv)
{
	archive_node *list = archive_node_new(ARCHIVE_NODE_LIST, NULL);
	const char *p = csv;

	while (list && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *start = p;
		char *item;

		while (n > 0 && (*start == ' ' || *start == '\t')) {
			start++;
			n--;
		}
		while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t'))
			n--;
		if (n > 0) {
			item = strndup(start, n);
			if (!item || archive_node_append(
					     list, archive_node_new(
							   ARCHIVE_NODE_SCALAR,
							   item)) != 0) {
				free(item);
				archive_node_free(list);
				return NULL;
			}
			free(item);
		}
		p = comma ? comma + 1 : p + strlen(p);
	}
	return list;
}

int casework_is_finished(const char *status)
{
	return status &&
	       (!strcmp(status, "published") || !strcmp(status, "closed"));
}
