/*
 * dossier.c: a dossier as stored: dossier.md with, once written, advies.md
 * and reactie.md. Also the publication rule, the single function that
 * decides what may be public, and the removal of internal passages.
 */
#include "archive_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct archive_dossier {
	char *id;
	archive_doc *doc, *advice, *response;
};

void archive_dossier_free(archive_dossier *d)
{
	if (!d)
		return;
	free(d->id);
	archive_doc_free(d->doc);
	archive_doc_free(d->advice);
	archive_doc_free(d->response);
	free(d);
}

/* Loads dir/name into *out; a missing optional file leaves *out NULL. */
static int load_doc(archive_doc **out, archive_snap *s, const char *dir,
		    const char *name, int required)
{
	char path[256], *text;
	size_t len;
	int rc;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = archive_snap_read(&text, &len, s, path);
	if (rc == ARCHIVE_ENOTFOUND && !required) {
		archive_error_clear();
		return 0;
	}
	if (rc != 0)
		return rc;
	rc = archive_doc_parse(out, path, text, len);
	free(text);
	return rc;
}

int archive_dossier_load(archive_dossier **out, archive_snap *s,
			 const char *id)
{
	archive_dossier *d;
	char *dir;
	int rc;

	*out = NULL;
	if (archive_id_parse(id, NULL, NULL) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "'%s' is not a dossier id (YYYY-NNN, "
					 "e.g. 2026-004)",
					 id);
	dir = archive_id_dir(id);
	d = calloc(1, sizeof(*d));
	if (!dir || !d || !(d->id = strdup(id))) {
		free(dir);
		archive_dossier_free(d);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	rc = load_doc(&d->doc, s, dir, "dossier.md", 1);
	if (rc == ARCHIVE_ENOTFOUND)
		rc = archive_error_set(ARCHIVE_ENOTFOUND, "%s: no such dossier",
				       id);
	if (rc == 0)
		rc = load_doc(&d->advice, s, dir, "advies.md", 0);
	if (rc == 0)
		rc = load_doc(&d->response, s, dir, "reactie.md", 0);
	free(dir);
	if (rc != 0) {
		archive_dossier_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int archive_dossier_from_docs(archive_dossier **out, const char *id,
			      archive_doc *doc, archive_doc *advice,
			      archive_doc *response)
{
	archive_dossier *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d || !doc || !(d->id = strdup(id))) {
		free(d);
		archive_doc_free(doc);
		archive_doc_free(advice);
		archive_doc_free(response);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	d->doc = doc;
	d->advice = advice;
	d->response = response;
	*out = d;
	return 0;
}

const char *archive_dossier_id(const archive_dossier *d)
{
	return d->id;
}

archive_doc *archive_dossier_doc(const archive_dossier *d)
{
	return d->doc;
}

archive_doc *archive_dossier_advice(const archive_dossier *d)
{
	return d->advice;
}

archive_doc *archive_dossier_response(const archive_dossier *d)
{
	return d->response;
}

const char *archive_dossier_get(const archive_dossier *d, const char *key)
{
	return archive_node_get_scalar(archive_doc_front(d->doc), key);
}

static int cmp_ids(const void *x, const void *y)
{
	const char *a = *(char *const *)x, *b = *(char *const *)y;
	int ya, sa, yb, sb;

	archive_id_parse(a, &ya, &sa);
	archive_id_parse(b, &yb, &sb);
	if (ya != yb)
		return ya < yb ? -1 : 1;
	return sa < sb ? -1 : sa > sb;
}

int archive_dossier_ids(char ***out, size_t *count, archive_snap *s)
{
	char **years = NULL, **ids = NULL;
	size_t nyears = 0, n = 0, cap = 0;
	int rc;

	*out = NULL;
	*count = 0;
	rc = archive_snap_list(&years, &nyears, s, "dossiers");
	if (rc == ARCHIVE_ENOTFOUND) {
		archive_error_clear();
		*out = calloc(1, sizeof(char *));
		return *out ? 0 : archive_error_set(ARCHIVE_ERROR,
						    "out of memory");
	}
	if (rc != 0)
		return rc;
	for (size_t y = 0; y < nyears && rc == 0; y++) {
		char dir[64], **names;
		size_t nnames;

		if (strlen(years[y]) != 4)
			continue;
		snprintf(dir, sizeof(dir), "dossiers/%s", years[y]);
		if (archive_snap_list(&names, &nnames, s, dir) != 0) {
			archive_error_clear();
			continue;
		}
		for (size_t i = 0; i < nnames; i++) {
			if (archive_id_parse(names[i], NULL, NULL) != 0 ||
			    strncmp(names[i], years[y], 4) != 0) {
				free(names[i]);
				continue;
			}
			if (n == cap) {
				char **grown;

				cap = cap ? cap * 2 : 64;
				grown = realloc(ids, cap * sizeof(*ids));
				if (!grown) {
					rc = archive_error_set(ARCHIVE_ERROR,
							       "out of memory");
					for (; i < nnames; i++)
						free(names[i]);
					break;
				}
				ids = grown;
			}
			ids[n++] = names[i];
		}
		free(names);
	}
	archive_names_free(years, nyears);
	if (rc != 0) {
		archive_names_free(ids, n);
		return rc;
	}
	if (!ids && !(ids = calloc(1, sizeof(*ids))))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	qsort(ids, n, sizeof(*ids), cmp_ids);
	*out = ids;
	*count = n;
	return 0;
}

/* A folder's place in the order of ids (by year, then sequence), and
 * where it is in the list. */
struct order {
	uint64_t key;
	size_t at;
};

static int cmp_order(const void *x, const void *y)
{
	const struct order *a = x, *b = y;

	return (a->key > b->key) - (a->key < b->key);
}

/* Sorts the list by id: git lists names bytewise, which puts 2026-1000
 * before 2026-999; the keys are parsed once, not in every comparison. */
static int sort_refs(archive_dossier_ref **list, size_t n)
{
	struct order *o = malloc((n ? n : 1) * sizeof(*o));
	archive_dossier_ref *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	int sorted_already = 1;

	if (!o || !sorted) {
		free(o);
		free(sorted);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		int year = 0, seq = 0;

		archive_id_parse((*list)[i].id, &year, &seq);
		o[i].key = (uint64_t)year << 32 | (uint32_t)seq;
		o[i].at = i;
		sorted_already &= i == 0 || o[i - 1].key <= o[i].key;
	}
	if (!sorted_already) {
		qsort(o, n, sizeof(*o), cmp_order);
		for (size_t i = 0; i < n; i++)
			sorted[i] = (*list)[o[i].at];
		memcpy(*list, sorted, n * sizeof(*sorted));
	}
	free(o);
	free(sorted);
	return 0;
}

/* Appends the dossier folders of one year's tree to the list. */
static int year_refs(archive_dossier_ref **list, size_t *n, size_t *cap,
		     git_repository *repo, const git_tree_entry *year)
{
	const char *yname = git_tree_entry_name(year);
	git_tree *tree;
	size_t count;

	if (strlen(yname) != 4 || git_tree_entry_type(year) != GIT_OBJECT_TREE)
		return 0;
	if (git_tree_lookup(&tree, repo, git_tree_entry_id(year)) != 0)
		return archive_git_fail(ARCHIVE_ERROR, "dossiers");
	count = git_tree_entrycount(tree);
	for (size_t i = 0; i < count; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);

		/* what is not a folder is listed as archive_dossier_ids()
		 * lists it, so that loading it fails the same way */
		if (strlen(name) >= sizeof((*list)->id) ||
		    archive_id_parse(name, NULL, NULL) != 0 ||
		    strncmp(name, yname, 4) != 0)
			continue;
		if (*n == *cap) {
			archive_dossier_ref *more;

			*cap = *cap ? *cap * 2 : 256;
			if (!(more = realloc(*list, *cap * sizeof(*more)))) {
				git_tree_free(tree);
				return archive_error_set(ARCHIVE_ERROR,
							 "out of memory");
			}
			*list = more;
		}
		memcpy((*list)[*n].id, name, strlen(name) + 1);
		git_oid_tostr((*list)[*n].tree, sizeof((*list)[*n].tree),
			      git_tree_entry_id(e));
		(*n)++;
	}
	git_tree_free(tree);
	return 0;
}

int archive_year_last_seq(int *out, archive_snap *s, int year)
{
	git_tree_entry *entry;
	git_tree *tree;
	char dir[32];
	int rc;

	*out = 0;
	snprintf(dir, sizeof(dir), "dossiers/%d", year);
	rc = git_tree_entry_bypath(&entry, s->tree, dir);
	if (rc == GIT_ENOTFOUND || (rc == 0 && git_tree_entry_type(entry) !=
						       GIT_OBJECT_TREE)) {
		git_error_clear();
		if (rc == 0)
			git_tree_entry_free(entry);
		return 0;
	}
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, dir);
	rc = git_tree_lookup(&tree, s->archive->repo, git_tree_entry_id(entry));
	git_tree_entry_free(entry);
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, dir);
	for (size_t i = 0; i < git_tree_entrycount(tree); i++) {
		int y, seq;

		if (archive_id_parse(git_tree_entry_name(
					     git_tree_entry_byindex(tree, i)),
				     &y, &seq) == 0 &&
		    y == year && seq > *out)
			*out = seq;
	}
	git_tree_free(tree);
	return 0;
}

int archive_dossier_refs(archive_dossier_ref **out, size_t *count,
			 archive_snap *s)
{
	archive_dossier_ref *list = NULL;
	git_tree_entry *dossiers;
	git_tree *years;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*count = 0;
	rc = git_tree_entry_bypath(&dossiers, s->tree, "dossiers");
	if (rc == GIT_ENOTFOUND || (rc == 0 && git_tree_entry_type(dossiers) !=
						       GIT_OBJECT_TREE)) {
		if (rc == 0)
			git_tree_entry_free(dossiers);
		*out = calloc(1, sizeof(**out));
		return *out ? 0 : archive_error_set(ARCHIVE_ERROR,
						    "out of memory");
	}
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, "dossiers");
	rc = git_tree_lookup(&years, s->archive->repo,
			     git_tree_entry_id(dossiers));
	git_tree_entry_free(dossiers);
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, "dossiers");
	for (size_t y = 0; y < git_tree_entrycount(years) && rc == 0; y++)
		rc = year_refs(&list, &n, &cap, s->archive->repo,
			       git_tree_entry_byindex(years, y));
	git_tree_free(years);
	if (rc != 0) {
		free(list);
		return rc;
	}
	if (!list && !(list = calloc(1, sizeof(*list))))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	if ((rc = sort_refs(&list, n)) != 0) {
		free(list);
		return rc;
	}
	*out = list;
	*count = n;
	return 0;
}

int archive_dossier_is_public(const archive_dossier *d, const char *today)
{
	const char *status = archive_dossier_get(d, "status");
	const char *visibility = archive_dossier_get(d, "visibility");
	const char *embargo = archive_dossier_get(d, "embargo_until");

	if (!status || strcmp(status, "published") != 0)
		return 0;
	if (!visibility || strcmp(visibility, "public") != 0)
		return 0;
	/* An embargo that cannot be read is treated as still running. */
	if (embargo) {
		if (archive_date_parse(embargo, NULL, NULL, NULL) != 0)
			return 0;
		if (!today || strcmp(embargo, today) > 0)
			return 0;
	}
	return 1;
}

/* Whether the line [p, p+n) reads `marker`, ignoring surrounding blanks. */
static int line_is(const char *p, size_t n, const char *marker)
{
	size_t m = strlen(marker);

	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
			 p[n - 1] == '\r'))
		n--;
	return n == m && memcmp(p, marker, m) == 0;
}

int archive_text_strip_internal(char **out, const char *markdown)
{
	size_t len = strlen(markdown), used = 0;
	const char *p = markdown, *end = markdown + len;
	char *buf = malloc(len + 1);
	int inside = 0;

	*out = NULL;
	if (!buf)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	while (p < end) {
		/* Lines end as CommonMark ends them: LF, CRLF or a lone CR,
		 * so that no passage escapes by its line endings. */
		size_t n = strcspn(p, "\r\n");
		size_t take = n;

		if (p[take] == '\r')
			take++;
		if (p[take] == '\n')
			take++;

		if (!inside && line_is(p, n, "<!-- intern -->"))
			inside = 1;
		else if (inside && line_is(p, n, "<!-- /intern -->"))
			inside = 0;
		else if (!inside) {
			memcpy(buf + used, p, take);
			used += take;
		}
		p += take;
	}
	buf[used] = '\0';
	*out = buf;
	return 0;
}
