/*
 * publication.c: the public view of a dossier. The publication rule
 * (archive_dossier_is_public) decides whether there is one; this file
 * decides what is in it, by copying the fields design section 4 allows
 * and nothing else. Rapporteur, deadline, action points, notes, closed
 * reasons and internal passages never enter the view.
 */
#include "archive_int.h"

#include <stdlib.h>
#include <string.h>

static int dup_field(char **out, const archive_node *map, const char *key)
{
	const char *v = archive_node_get_scalar(map, key);

	*out = NULL;
	if (!v)
		return 0;
	*out = strdup(v);
	return *out ? 0 : -1;
}

/* Copies a list of scalars, keeping those keep() accepts (all when NULL). */
static int dup_list(char ***out, size_t *count, const archive_node *map,
		    const char *key, archive_public_id_fn keep, void *ctx)
{
	archive_node *list = archive_node_get(map, key);
	size_t n = archive_node_count(list);

	*out = NULL;
	*count = 0;
	if (!list || archive_node_kind_of(list) != ARCHIVE_NODE_LIST || n == 0)
		return 0;
	if (!(*out = calloc(n, sizeof(**out))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *v = archive_node_scalar(archive_node_at(list, i));

		if (!v || (keep && !keep(v, ctx)))
			continue;
		if (!((*out)[(*count)++] = strdup(v)))
			return -1;
	}
	return 0;
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void archive_public_free(archive_public *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->citation);
	free(p->title);
	free(p->kind);
	free(p->requester);
	free(p->received);
	free(p->question);
	free(p->adopted);
	free(p->summary);
	free_list(p->values, p->nvalues);
	free_list(p->instruments, p->ninstruments);
	free_list(p->topics, p->ntopics);
	free_list(p->related, p->nrelated);
	free(p->advice);
	free(p->response);
	free(p->response_from);
	free(p->response_received);
	free(p);
}

static int never(const char *id, void *ctx)
{
	(void)id;
	(void)ctx;
	return 0;
}

int archive_public_view(archive_public **out, const archive_dossier *d,
			const char *code, const char *today,
			archive_public_id_fn related_ok, void *ctx)
{
	const archive_node *f = archive_doc_front(archive_dossier_doc(d));
	archive_doc *advice = archive_dossier_advice(d);
	archive_doc *response = archive_dossier_response(d);
	archive_public *p;
	int bad = 0;

	*out = NULL;
	if (!archive_dossier_is_public(d, today))
		return 0;
	if (!(p = calloc(1, sizeof(*p))))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	p->id = strdup(archive_dossier_id(d));
	p->citation = archive_id_citation(code, archive_dossier_id(d));
	bad |= !p->id || !p->citation;
	bad |= dup_field(&p->title, f, "title");
	bad |= dup_field(&p->kind, f, "kind");
	bad |= dup_field(&p->requester, f, "requester");
	bad |= dup_field(&p->received, f, "received");
	bad |= dup_field(&p->question, f, "question");
	bad |= dup_list(&p->values, &p->nvalues, f, "values", NULL, NULL);
	bad |= dup_list(&p->instruments, &p->ninstruments, f, "instruments",
			NULL, NULL);
	bad |= dup_list(&p->topics, &p->ntopics, f, "topics", NULL, NULL);
	bad |= dup_list(&p->related, &p->nrelated, f, "related",
			related_ok ? related_ok : never, ctx);
	if (advice) {
		const archive_node *af = archive_doc_front(advice);

		bad |= dup_field(&p->adopted, af, "adopted");
		bad |= dup_field(&p->summary, af, "summary");
		bad |= archive_text_strip_internal(&p->advice,
						   archive_doc_body(advice)) != 0;
	}
	if (response) {
		const archive_node *rf = archive_doc_front(response);

		bad |= dup_field(&p->response_from, rf, "from");
		bad |= dup_field(&p->response_received, rf, "received");
		bad |= archive_text_strip_internal(&p->response,
						   archive_doc_body(response)) != 0;
	}
	/* the summary is one paragraph for listings: no internal passage
	 * can hide in it, but strip it the same way all the same */
	if (!bad && p->summary) {
		char *s;

		bad |= archive_text_strip_internal(&s, p->summary) != 0;
		if (!bad) {
			free(p->summary);
			p->summary = s;
		}
	}
	if (bad) {
		archive_public_free(p);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	*out = p;
	return 0;
}
