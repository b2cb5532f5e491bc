/*
 * query.c: reading dossiers for people: the list, one dossier in full, and
 * its history from git.
 */
#include "casework_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static int check_filter(const char *value, const char *const *allowed,
			const char *flag)
{
	if (!value)
		return 0;
	for (; *allowed; allowed++)
		if (!strcmp(*allowed, value))
			return 0;
	return archive_error_set(ARCHIVE_EINVALID, "%s: '%s' is not known",
				 flag, value);
}

int casework_case_list(json_t **out, archive *a, const char *status,
		       const char *kind)
{
	static const char *const kinds[] = { "asked", "unasked", NULL };
	archive_snap *s = archive_snapshot(a);
	char **ids;
	size_t n;
	json_t *list;
	int rc;

	*out = NULL;
	if ((rc = check_filter(status, archive_statuses, "--status")) != 0 ||
	    (rc = check_filter(kind, kinds, "--kind")) != 0)
		return rc;
	if ((rc = archive_dossier_ids(&ids, &n, s)) != 0)
		return rc;
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		archive_dossier *d;
		json_t *row;
		char *cite;

		if (archive_dossier_load(&d, s, ids[i]) != 0) {
			row = json_object();
			set_str(row, "id", ids[i]);
			set_str(row, "error", archive_error_last());
			json_array_append_new(list, row);
			archive_error_clear();
			continue;
		}
		if ((status && (!archive_dossier_get(d, "status") ||
				strcmp(archive_dossier_get(d, "status"), status))) ||
		    (kind && (!archive_dossier_get(d, "kind") ||
			      strcmp(archive_dossier_get(d, "kind"), kind)))) {
			archive_dossier_free(d);
			continue;
		}
		row = json_object();
		cite = archive_id_citation(archive_code(a), ids[i]);
		set_str(row, "id", ids[i]);
		set_str(row, "citation", cite);
		free(cite);
		static const char *const keys[] = { "title", "kind", "status",
						    "visibility", "received",
						    "requester", "deadline",
						    NULL };
		for (int k = 0; keys[k]; k++)
			set_str(row, keys[k], archive_dossier_get(d, keys[k]));
		json_array_append_new(list, row);
		archive_dossier_free(d);
	}
	archive_names_free(ids, n);
	*out = list;
	return 0;
}

static json_t *doc_json(const archive_doc *doc)
{
	json_t *j;

	if (!doc)
		return json_null();
	j = casework_node_json(archive_doc_front(doc));
	json_object_set_new(j, "body", json_string(archive_doc_body(doc)));
	return j;
}

json_t *casework_cited_by(archive *a, const char *id)
{
	archive_snap *s = archive_snapshot(a);
	json_t *list = json_array();
	char **ids;
	size_t n;

	if (archive_dossier_ids(&ids, &n, s) != 0) {
		archive_error_clear();
		return list;
	}
	for (size_t i = 0; i < n; i++) {
		archive_dossier *d;
		archive_node *rel;

		if (!strcmp(ids[i], id) || archive_dossier_load(&d, s, ids[i])) {
			archive_error_clear();
			continue;
		}
		rel = archive_node_get(archive_doc_front(archive_dossier_doc(d)),
				       "related");
		for (size_t k = 0; k < archive_node_count(rel); k++) {
			const char *r = archive_node_scalar(archive_node_at(rel, k));

			if (r && !strcmp(r, id)) {
				json_array_append_new(list, json_string(ids[i]));
				break;
			}
		}
		archive_dossier_free(d);
	}
	archive_names_free(ids, n);
	return list;
}

int casework_case_show(json_t **out, archive *a, const char *id)
{
	archive_snap *s = archive_snapshot(a);
	archive_dossier *d;
	json_t *j;
	char *cite;
	int rc;

	*out = NULL;
	if ((rc = casework_load(&d, s, id)) != 0)
		return rc;
	j = casework_node_json(archive_doc_front(archive_dossier_doc(d)));
	cite = archive_id_citation(archive_code(a), id);
	set_str(j, "citation", cite);
	free(cite);
	json_object_set_new(j, "body",
			    json_string(archive_doc_body(archive_dossier_doc(d))));
	json_object_set_new(j, "advice", doc_json(archive_dossier_advice(d)));
	json_object_set_new(j, "response",
			    doc_json(archive_dossier_response(d)));
	archive_dossier_free(d);
	*out = j;
	return 0;
}

static int log_row(const archive_change *c, void *ctx)
{
	json_t *row = json_object();
	char date[64];
	int off = abs(c->offset) % (24 * 60);
	time_t t = (time_t)c->time + c->offset * 60;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(date + strlen(date), 16, "%c%02d:%02d",
		 c->offset < 0 ? '-' : '+', off / 60, off % 60);
	set_str(row, "commit", c->commit);
	set_str(row, "author", c->author_name);
	set_str(row, "email", c->author_email);
	set_str(row, "date", date);
	set_str(row, "message", c->message);
	json_array_append_new(ctx, row);
	return 0;
}

int casework_case_log(json_t **out, archive *a, const char *id)
{
	archive_dossier *d;
	json_t *list;
	char *dir;
	int rc;

	*out = NULL;
	if ((rc = casework_load(&d, archive_snapshot(a), id)) != 0)
		return rc;
	archive_dossier_free(d);
	dir = archive_id_dir(id);
	list = json_array();
	rc = archive_log(a, dir, log_row, list);
	free(dir);
	if (rc != 0) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}
