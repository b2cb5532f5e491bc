/*
 * case.c: registering a dossier, setting its fields and moving it through
 * the statuses of design section 3. Each is one commit.
 */
#include "casework_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- case new ---------------------------------------------------------- */

struct new_ctx {
	const casework_new_opts *o;
	const char *received;
	char id[24];
};

static archive_node *list_of(const char *const *items, size_t n)
{
	archive_node *list = archive_node_new(ARCHIVE_NODE_LIST, NULL);

	for (size_t i = 0; list && i < n; i++)
		if (archive_node_append(list, archive_node_new(
						      ARCHIVE_NODE_SCALAR,
						      items[i])) != 0) {
			archive_node_free(list);
			return NULL;
		}
	return list;
}

/* The next free id in a year: one past the highest sequence in use. */
static int next_id(char out[24], archive_snap *s, int year)
{
	int max, rc = archive_year_last_seq(&max, s, year);

	if (rc == 0)
		snprintf(out, 24, "%d-%03d", year, max + 1);
	return rc;
}

static int build_new(archive_doc **out, const struct new_ctx *c,
		     const char *id)
{
	const casework_new_opts *o = c->o;
	char *dir = archive_id_dir(id), path[128], *body;
	archive_doc *doc;
	archive_node *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/dossier.md", dir ? dir : "");
	free(dir);
	doc = archive_doc_new(path);
	if (!doc)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	f = archive_doc_front(doc);
	rc = archive_node_put_scalar(f, "id", id);
	rc = rc ? rc : archive_node_put_scalar(f, "title", o->title);
	rc = rc ? rc : archive_node_put_scalar(f, "kind", o->kind);
	if (!rc && o->requester)
		rc = archive_node_put_scalar(f, "requester", o->requester);
	rc = rc ? rc : archive_node_put_scalar(f, "received", c->received);
	if (!rc && o->question)
		rc = archive_node_put_scalar(f, "question", o->question);
	rc = rc ? rc : archive_node_put_scalar(f, "status", "registered");
	rc = rc ? rc : archive_node_put_scalar(f, "visibility",
					   o->confidential ? "confidential"
							   : "public");
	if (!rc && o->nvalues)
		rc = archive_node_put(f, "values", list_of(o->values, o->nvalues));
	if (!rc && o->ntopics)
		rc = archive_node_put(f, "topics", list_of(o->topics, o->ntopics));
	if (!rc && o->deadline)
		rc = archive_node_put_scalar(f, "deadline", o->deadline);
	if (!rc && asprintf(&body, "\n## De casus\n\n%s\n",
			    o->question ? o->question : "") >= 0) {
		rc = archive_doc_set_body(doc, body);
		free(body);
	}
	if (rc != 0) {
		archive_doc_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

static int stage_new(archive_txn *t, void *ctx)
{
	struct new_ctx *c = ctx;
	archive_snap *s = archive_txn_base(t);
	archive_dossier *d;
	archive_doc *doc = NULL;
	int year, rc;

	archive_date_parse(c->received, &year, NULL, NULL);
	if ((rc = next_id(c->id, s, year)) != 0)
		return rc;
	if ((rc = build_new(&doc, c, c->id)) != 0)
		return rc;
	if ((rc = archive_dossier_from_docs(&d, c->id, doc, NULL, NULL)) != 0)
		return rc;
	rc = casework_validate_change(NULL, d, s);
	if (rc == 0)
		rc = casework_stage(t, archive_dossier_doc(d));
	if (rc == 0)
		rc = archive_txn_message(t, "%s: registered (%s) %s\n", c->id,
					 c->o->kind, c->o->title);
	archive_dossier_free(d);
	return rc;
}

int casework_case_new(char **out_id, archive *a, const char *author,
		      const casework_new_opts *o)
{
	struct new_ctx c = { .o = o };
	char today[11];
	int rc;

	*out_id = NULL;
	if (!o->kind || (strcmp(o->kind, "asked") && strcmp(o->kind, "unasked")))
		return archive_error_set(ARCHIVE_EINVALID,
					 "--kind: '%s' is not asked or unasked",
					 o->kind ? o->kind : "");
	if (!o->title || !*o->title)
		return archive_error_set(ARCHIVE_EINVALID, "--title: missing");
	if (!strcmp(o->kind, "asked") && (!o->requester || !*o->requester))
		return archive_error_set(ARCHIVE_EINVALID,
					 "--requester: missing (an asked case "
					 "needs who asked)");
	if (!strcmp(o->kind, "asked") && (!o->question || !*o->question))
		return archive_error_set(ARCHIVE_EINVALID,
					 "--question: missing (an asked case "
					 "needs its central question)");
	archive_date_today(today);
	c.received = o->received ? o->received : today;
	if (archive_date_parse(c.received, NULL, NULL, NULL) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "--received: '%s' is not a real date "
					 "(YYYY-MM-DD)",
					 c.received);
	if (o->deadline && archive_date_parse(o->deadline, NULL, NULL, NULL))
		return archive_error_set(ARCHIVE_EINVALID,
					 "--deadline: '%s' is not a real date "
					 "(YYYY-MM-DD)",
					 o->deadline);
	rc = archive_write(a, author, stage_new, &c);
	if (rc != 0)
		return rc;
	*out_id = strdup(c.id);
	return *out_id ? 0 : archive_error_set(ARCHIVE_ERROR, "out of memory");
}

/* ---- case set ---------------------------------------------------------- */

struct set_ctx {
	const char *id;
	char *const *assignments;
	size_t count;
};

static int is_list_key(const char *key)
{
	return !strcmp(key, "values") || !strcmp(key, "instruments") ||
	       !strcmp(key, "topics") || !strcmp(key, "related");
}

static int apply_set(archive_node *front, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	const char *value;
	char key[64];
	size_t n;

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(key))
		return archive_error_set(ARCHIVE_EINVALID,
					 "'%s' is not KEY=VALUE", assignment);
	n = (size_t)(eq - assignment);
	memcpy(key, assignment, n);
	key[n] = '\0';
	value = eq + 1;
	if (!strcmp(key, "id"))
		return archive_error_set(ARCHIVE_EINVALID,
					 "id: cannot be changed (it names the "
					 "dossier's folder)");
	if (!strcmp(key, "status"))
		return archive_error_set(ARCHIVE_EINVALID,
					 "status: use 'mores case move ID "
					 "STATUS' to change it");
	if (!*value) {
		archive_node_remove(front, key);
		return 0;
	}
	if (is_list_key(key))
		return archive_node_put(front, key, casework_list_parse(value));
	return archive_node_put_scalar(front, key, value);
}

static int stage_set(archive_txn *t, void *ctx)
{
	struct set_ctx *c = ctx;
	archive_snap *s = archive_txn_base(t);
	archive_dossier *before, *after = NULL;
	archive_doc *doc;
	int rc;

	if ((rc = casework_load(&before, s, c->id)) != 0)
		return rc;
	doc = casework_doc_copy(archive_dossier_doc(before));
	rc = doc ? 0 : archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (size_t i = 0; i < c->count && rc == 0; i++)
		rc = apply_set(archive_doc_front(doc), c->assignments[i]);
	if (rc == 0)
		rc = archive_dossier_from_docs(
			&after, c->id, doc,
			casework_doc_copy(archive_dossier_advice(before)),
			casework_doc_copy(archive_dossier_response(before)));
	else
		archive_doc_free(doc);
	if (rc == 0)
		rc = casework_validate_change(before, after, s);
	if (rc == 0)
		rc = casework_stage(t, archive_dossier_doc(after));
	if (rc == 0) {
		char msg[512];
		size_t used = 0;

		for (size_t i = 0; i < c->count && used < sizeof(msg) - 2; i++)
			used += (size_t)snprintf(msg + used, sizeof(msg) - used,
						 "%s%s", i ? ", " : "",
						 c->assignments[i]);
		rc = archive_txn_message(t, "%s: set %s\n", c->id, msg);
	}
	archive_dossier_free(before);
	archive_dossier_free(after);
	return rc;
}

int casework_case_set(archive *a, const char *author, const char *id,
		      char *const *assignments, size_t count)
{
	struct set_ctx c = { id, assignments, count };

	if (count == 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "nothing to set: give KEY=VALUE");
	return archive_write(a, author, stage_set, &c);
}

/* ---- case move --------------------------------------------------------- */

struct move_ctx {
	const char *id, *status, *reason;
	char from[32];
};

static int status_index(const char *status)
{
	for (int i = 0; archive_statuses[i]; i++)
		if (!strcmp(archive_statuses[i], status))
			return i;
	return -1;
}

/* Whether the status machine allows from -> to for a dossier of kind. */
static int move_allowed(const char *from, const char *to, const char *kind)
{
	int f = status_index(from), t = status_index(to);
	int published = status_index("published"), closed = status_index("closed");

	if (f < 0 || t < 0 || f == closed)
		return 0;
	if (t == closed)
		return f != published;
	if (t == f + 1)
		return 1;
	if (!strcmp(from, "draft") && !strcmp(to, "deliberation"))
		return 1;
	if (!strcmp(from, "adopted") && !strcmp(to, "published"))
		return kind && !strcmp(kind, "unasked");
	return 0;
}

static int stage_move(archive_txn *t, void *ctx)
{
	struct move_ctx *c = ctx;
	archive_snap *s = archive_txn_base(t);
	archive_dossier *before, *after = NULL;
	archive_doc *doc, *advice;
	const char *from, *kind;
	char today[11];
	int rc;

	if ((rc = casework_load(&before, s, c->id)) != 0)
		return rc;
	from = archive_dossier_get(before, "status");
	kind = archive_dossier_get(before, "kind");
	snprintf(c->from, sizeof(c->from), "%s", from ? from : "?");
	if (!from || !move_allowed(from, c->status, kind)) {
		rc = archive_error_set(
			ARCHIVE_EINVALID,
			"%s: status: cannot move from %s to %s%s", c->id,
			from ? from : "(none)", c->status,
			from && !strcmp(from, "adopted") &&
					!strcmp(c->status, "published")
				? " (asked advice is delivered first)"
				: "");
		archive_dossier_free(before);
		return rc;
	}
	doc = casework_doc_copy(archive_dossier_doc(before));
	advice = casework_doc_copy(archive_dossier_advice(before));
	rc = doc ? archive_node_put_scalar(archive_doc_front(doc), "status",
					   c->status)
		 : archive_error_set(ARCHIVE_ERROR, "out of memory");
	if (rc == 0 && !strcmp(c->status, "closed"))
		rc = archive_node_put_scalar(archive_doc_front(doc),
					     "closed_reason", c->reason);
	archive_date_today(today);
	if (rc == 0 && !strcmp(c->status, "adopted") && advice &&
	    !archive_node_get_scalar(archive_doc_front(advice), "adopted"))
		rc = archive_node_put_scalar(archive_doc_front(advice),
					     "adopted", today);
	if (rc == 0) {
		rc = archive_dossier_from_docs(
			&after, c->id, doc, advice,
			casework_doc_copy(archive_dossier_response(before)));
	} else {
		archive_doc_free(doc);
		archive_doc_free(advice);
	}
	if (rc == 0)
		rc = casework_validate_change(before, after, s);
	if (rc == 0)
		rc = casework_stage(t, archive_dossier_doc(after));
	if (rc == 0 && archive_dossier_advice(after))
		rc = casework_stage(t, archive_dossier_advice(after));
	if (rc == 0)
		rc = archive_txn_message(t, "%s: status %s -> %s%s%s\n", c->id,
					 c->from, c->status,
					 c->reason ? "\n\nReason: " : "",
					 c->reason ? c->reason : "");
	archive_dossier_free(before);
	archive_dossier_free(after);
	return rc;
}

int casework_case_move(archive *a, const char *author, const char *id,
		       const char *status, const char *reason)
{
	struct move_ctx c = { id, status, reason, "" };

	if (status_index(status) < 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "'%s' is not a status (registered, "
					 "intake, deliberation, draft, adopted, "
					 "delivered, published, closed)",
					 status);
	if (!strcmp(status, "closed") && (!reason || !*reason))
		return archive_error_set(ARCHIVE_EINVALID,
					 "--reason: closing a dossier needs a "
					 "reason (declined, withdrawn, merged...)");
	if (strcmp(status, "closed") && reason)
		c.reason = NULL;
	return archive_write(a, author, stage_move, &c);
}
