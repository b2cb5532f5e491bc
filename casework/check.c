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

/* Reports an error from the channel, which already names the file. */
static void relay_error(struct run *r, const char *file)
{
	const char *msg = archive_error_last();
	size_t n = strlen(file);

	r->problems++;
	if (!strncmp(msg, file, n) && (msg[n] == ':' || msg[n] == '\0'))
		r->report(file, "file", msg[n] ? msg + n + 2 : "unreadable",
			  r->ctx);
	else
		r->report(file, "file", msg, r->ctx);
	archive_error_clear();
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
			if (archive_error_code() != ARCHIVE_ENOTFOUND)
				relay_error(&r, file);
			archive_error_clear();
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
