/*
 * casework_int.h: helpers the casework files share: loading a dossier for
 * a command, staging a document, checking that a change introduces no new
 * problem, and turning front matter into JSON.
 */
#ifndef MORES_CASEWORK_INT_H
#define MORES_CASEWORK_INT_H

#include "casework.h"

/* Loads dossier `id` from snapshot s, with a clear message for a
 * malformed id (which can never reach outside the archive). */
int casework_load(archive_dossier **out, archive_snap *s, const char *id);

/* Formats doc and stages it at its own path. */
int casework_stage(archive_txn *t, const archive_doc *doc);

/* Fails with ARCHIVE_EINVALID and the first problem that `after` has and
 * `before` (NULL: a new dossier) had not. Related ids are checked against
 * the dossiers in snapshot s. */
int casework_validate_change(const archive_dossier *before,
			     const archive_dossier *after, archive_snap *s);

/* A copy of a document (front matter and body). NULL on failure. */
archive_doc *casework_doc_copy(const archive_doc *doc);

/* Front matter as JSON: scalars as strings (true/false as booleans in
 * action points), lists as arrays, maps as objects. */
json_t *casework_node_json(const archive_node *n);

/* A list node from "a, b, c" (entries trimmed, empty ones dropped). */
archive_node *casework_list_parse(const char *csv);

/* Whether a dossier is finished (published or closed). */
int casework_is_finished(const char *status);

#endif
