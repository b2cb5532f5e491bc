/*
 * due.c: what needs attention, soonest first: deadlines of dossiers still
 * in progress, follow-up dates (ethics as a cycle), and open action points
 * of adopted advice.
 */
#include "casework_int.h"

#include <stdlib.h>
#include <string.h>

struct due_ctx {
	json_t *items;
	long today, limit; /* limit < 0: no limit */
};

static void add_item(struct due_ctx *c, const archive_dossier *d,
		     const char *what, const char *date, const char *text,
		     const char *owner)
{
	int y, m, day;
	long days;
	json_t *row;

	if (archive_date_parse(date, &y, &m, &day) != 0)
		return;
	days = archive_date_days(y, m, day) - c->today;
	if (c->limit >= 0 && days > c->limit)
		return;
	row = json_object();
	json_object_set_new(row, "date", json_string(date));
	json_object_set_new(row, "days", json_integer(days));
	json_object_set_new(row, "overdue", json_boolean(days < 0));
	json_object_set_new(row, "what", json_string(what));
	json_object_set_new(row, "id", json_string(archive_dossier_id(d)));
	json_object_set_new(row, "title",
			    json_string(archive_dossier_get(d, "title")
						? archive_dossier_get(d, "title")
						: ""));
	if (text)
		json_object_set_new(row, "action", json_string(text));
	if (owner)
		json_object_set_new(row, "owner", json_string(owner));
	json_array_append_new(c->items, row);
}

static void collect(struct due_ctx *c, const archive_dossier *d)
{
	const char *status = archive_dossier_get(d, "status");
	const char *deadline = archive_dossier_get(d, "deadline");
	const char *follow = archive_dossier_get(d, "follow_up");
	archive_doc *advice = archive_dossier_advice(d);

	if (deadline && status && strcmp(status, "delivered") &&
	    !casework_is_finished(status))
		add_item(c, d, "deadline", deadline, NULL, NULL);
	if (follow && status && strcmp(status, "closed"))
		add_item(c, d, "follow_up", follow, NULL, NULL);
	if (advice && status && strcmp(status, "closed")) {
		archive_node *actions =
			archive_node_get(archive_doc_front(advice), "actions");

		for (size_t i = 0; i < archive_node_count(actions); i++) {
			archive_node *act = archive_node_at(actions, i);
			const char *done = archive_node_get_scalar(act, "done");
			const char *due = archive_node_get_scalar(act, "due");

			if ((done && !strcmp(done, "true")) || !due)
				continue;
			add_item(c, d, "action", due,
				 archive_node_get_scalar(act, "what"),
				 archive_node_get_scalar(act, "owner"));
		}
	}
}

static int by_date(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	int c = strcmp(json_string_value(json_object_get(a, "date")),
		       json_string_value(json_object_get(b, "date")));

	return c ? c
		 : strcmp(json_string_value(json_object_get(a, "id")),
			  json_string_value(json_object_get(b, "id")));
}

int casework_due(json_t **out, archive *a, int within_days)
{
	archive_snap *s = archive_snapshot(a);
	struct due_ctx c = { json_array(), 0, within_days };
	char today[11], **ids;
	size_t n, count;
	json_t **rows, *sorted;
	int y, m, d, rc;

	*out = NULL;
	archive_date_today(today);
	archive_date_parse(today, &y, &m, &d);
	c.today = archive_date_days(y, m, d);
	if ((rc = archive_dossier_ids(&ids, &n, s)) != 0) {
		json_decref(c.items);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		archive_dossier *dossier;

		if (archive_dossier_load(&dossier, s, ids[i]) != 0) {
			archive_error_clear();
			continue;
		}
		collect(&c, dossier);
		archive_dossier_free(dossier);
	}
	archive_names_free(ids, n);
	count = json_array_size(c.items);
	rows = malloc((count ? count : 1) * sizeof(*rows));
	if (!rows) {
		json_decref(c.items);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	for (size_t i = 0; i < count; i++)
		rows[i] = json_array_get(c.items, i);
	qsort(rows, count, sizeof(*rows), by_date);
	sorted = json_array();
	for (size_t i = 0; i < count; i++)
		json_array_append(sorted, rows[i]);
	free(rows);
	json_decref(c.items);
	*out = sorted;
	return 0;
}
