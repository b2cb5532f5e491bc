/*
 * feeds.c: what other programs read: the Atom feed of new reflections,
 * the sitemap, and data/reflecties.json with the public fields of every
 * reflection for others to reuse (and for committees that harvest each
 * other's collections).
 */
#include "site_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_ENTRIES 30

/* base_url with exactly one trailing slash, or "" */
static void base(struct site *s, char *out, size_t size)
{
	size_t n = s->base_url ? strlen(s->base_url) : 0;

	snprintf(out, size, "%s%s", n ? s->base_url : "",
		 n && s->base_url[n - 1] != '/' ? "/" : "");
}

static void entry_id(struct site *s, struct sbuf *b, const char *root,
		     const char *id)
{
	if (*root) {
		sb_xml(b, root);
		sb_printf(b, "reflecties/%s/", id);
	} else {
		/* a stable id without a web address: a tag URI */
		sb_puts(b, "tag:mores.invalid,2000:");
		sb_xml(b, s->code);
		sb_printf(b, "/%s", id);
	}
}

static int feed(struct site *s)
{
	struct sbuf b = { 0 };
	char root[1024];
	int rc;

	base(s, root, sizeof(root));
	sb_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns="
		    "\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">\n<title>");
	sb_xml(&b, s->title);
	sb_puts(&b, "</title>\n<id>");
	if (*root)
		sb_xml(&b, root);
	else
		sb_printf(&b, "tag:mores.invalid,2000:%s", s->code);
	/* the newest adoption: the same commit gives the same feed */
	sb_printf(&b, "</id>\n<updated>%sT00:00:00Z</updated>\n",
		  s->n && s->e[0].p->adopted ? s->e[0].p->adopted
					     : "2000-01-01");
	sb_puts(&b, "<link rel=\"self\" href=\"");
	sb_xml(&b, root);
	sb_puts(&b, "feed.xml\"/>\n<link rel=\"alternate\" type=\"text/html\" "
		    "href=\"");
	sb_xml(&b, *root ? root : "./");
	sb_puts(&b, "\"/>\n<author><name>");
	sb_xml(&b, s->name);
	sb_puts(&b, "</name></author>\n");
	for (size_t i = 0; i < s->n && i < FEED_ENTRIES; i++) {
		const archive_public *p = s->e[i].p;

		sb_puts(&b, "<entry>\n<title>");
		sb_xml(&b, p->title);
		sb_puts(&b, "</title>\n<id>");
		entry_id(s, &b, root, p->id);
		sb_puts(&b, "</id>\n<link rel=\"alternate\" type=\"text/html\" "
			    "href=\"");
		sb_xml(&b, root);
		sb_printf(&b, "reflecties/%s/\"/>\n<updated>%sT00:00:00Z"
			      "</updated>\n",
			  p->id, p->adopted ? p->adopted : p->received);
		if (p->summary) {
			sb_puts(&b, "<summary>");
			sb_xml(&b, p->summary);
			sb_puts(&b, "</summary>\n");
		}
		sb_puts(&b, "</entry>\n");
	}
	sb_puts(&b, "</feed>\n");
	rc = b.oom ? archive_error_set(ARCHIVE_ERROR, "out of memory")
		   : site_write(s, "feed.xml", b.s, b.len, NULL);
	sb_free(&b);
	return rc;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Every page of the site so far, from what this build wrote, by path:
 * pages are written by more threads than one, in no fixed order. */
static int sitemap(struct site *s)
{
	struct sbuf b = { 0 };
	char root[1024], **pages = NULL, *text, key[17];
	size_t n = 0, cap = 0;
	int rc;

	base(s, root, sizeof(root));
	if (!*root)
		return 0; /* a sitemap needs full addresses */
	/* the same pages as last time, in whatever order: the same map */
	{
		uint64_t sum = 0, h = s->frame;
		size_t count = 0;

		for (const char *p = s->manifest.s; p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = strcspn(p, "\t\n");

			if (len >= 10 && !strncmp(p + len - 10, "index.html", 10)) {
				uint64_t one = SITE_HASH_START;

				for (size_t i = 0; i < len; i++)
					one = (one ^ (unsigned char)p[i]) *
					      1099511628211ull;
				sum += one;
				count++;
			}
			p = nl ? nl + 1 : NULL;
		}
		site_hash_str(&h, root);
		site_hash_u64(&h, sum);
		site_hash_u64(&h, count);
		snprintf(key, sizeof(key), "%016llx", (unsigned long long)h);
		if (site_unchanged(s, "sitemap.xml", key))
			return 0;
	}
	pthread_mutex_lock(&s->lock);
	text = s->manifest.s ? strdup(s->manifest.s) : strdup("");
	pthread_mutex_unlock(&s->lock);
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = strcspn(p, "\t\n");

		if (len >= 10 && !strncmp(p + len - 10, "index.html", 10)) {
			if (n == cap) {
				char **more = realloc(pages, (cap = cap * 2 + 256) *
								      sizeof(*more));

				if (!more)
					break;
				pages = more;
			}
			p[len - 10] = '\0';
			pages[n++] = p;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (n)
		qsort(pages, n, sizeof(*pages), cmp_str);
	sb_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns="
		    "\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (size_t i = 0; i < n; i++) {
		sb_puts(&b, "<url><loc>");
		sb_xml(&b, root);
		sb_puts(&b, pages[i]);
		sb_puts(&b, "</loc></url>\n");
	}
	sb_puts(&b, "</urlset>\n");
	rc = !text || b.oom
		     ? archive_error_set(ARCHIVE_ERROR, "out of memory")
		     : site_write(s, "sitemap.xml", b.s, b.len, key);
	free(pages);
	free(text);
	sb_free(&b);
	return rc;
}

static json_t *strings(char *const *list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static void set(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

char *site_export_head(const archive_public *p)
{
	json_t *o = json_object();
	struct sbuf b = { 0 };
	char *text;

	set(o, "id", p->id);
	set(o, "citation", p->citation);
	set(o, "title", p->title);
	set(o, "kind", p->kind);
	set(o, "requester", p->requester);
	set(o, "received", p->received);
	set(o, "question", p->question);
	set(o, "adopted", p->adopted);
	set(o, "summary", p->summary);
	json_object_set_new(o, "values", strings(p->values, p->nvalues));
	json_object_set_new(o, "instruments",
			    strings(p->instruments, p->ninstruments));
	json_object_set_new(o, "topics", strings(p->topics, p->ntopics));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				     JSON_ESCAPE_SLASH);
	json_decref(o);
	if (!text)
		return NULL;
	/* without its closing brace: related and url follow */
	text[strlen(text) - 1] = '\0';
	sb_json(&b, text);
	free(text);
	if (b.oom) {
		sb_free(&b);
		return NULL;
	}
	return b.s;
}

/* Appends the JSON text of v (an array or a string) and frees v. */
static void put_json(struct sbuf *b, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
					   JSON_ESCAPE_SLASH);

	json_decref(v);
	if (!text) {
		b->oom = 1;
		return;
	}
	sb_json(b, text);
	free(text);
}

/* Whether a text is a dossier id as archive_id_parse() accepts it, which
 * is JSON as it stands: digits and a dash. */
static int plain_id(const char *id)
{
	return archive_id_parse(id, NULL, NULL) == 0;
}

/* The public fields of each reflection, oldest first, one line each:
 * the part of a line that depends on the reflection alone was made when
 * its dossier was read (and kept with the model between builds); what
 * links it to others (its related reflections that are public) and its
 * address are added here. The texts of these come from jansson, but for
 * dossier ids, which need no escaping. */
static int data_export(struct site *s)
{
	struct sbuf b = { 0 };
	char root[1024], *base_json = NULL;
	int rc;

	base(s, root, sizeof(root));
	/* left as it is when no reflection's part of it changed */
	{
		uint64_t h = s->frame;
		int keyed = 1;

		site_hash_str(&h, root);
		for (size_t i = 0; i < s->n; i++) {
			const struct entry *e = s->by_id[i];

			keyed &= e->export_head != NULL;
			site_hash_str(&h, e->p->id);
			site_hash_u64(&h, e->head_hash);
			for (size_t k = 0; k < e->p->nrelated; k++)
				site_hash_str(&h, e->p->related[k]);
		}
		snprintf(s->export_key, sizeof(s->export_key), "%016llx",
			 (unsigned long long)h);
		if (keyed && site_unchanged(s, "data/reflecties.json",
					    s->export_key))
			return 0;
		if (!keyed)
			memcpy(s->export_key, "-", 2);
	}
	/* the site's address as a JSON text, without its closing quote */
	{
		json_t *r = json_string(root);

		base_json = r ? json_dumps(r, JSON_ENCODE_ANY | JSON_ESCAPE_SLASH)
			      : NULL;
		json_decref(r);
		if (!base_json)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		base_json[strlen(base_json) - 1] = '\0';
	}
	sb_puts(&b, "[\n");
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *e = s->by_id[i];
		const archive_public *p = e->p;
		char *head = e->export_head;
		int plain = plain_id(p->id);

		if (!head && !(head = site_export_head(p))) {
			free(base_json);
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		}
		sb_puts(&b, head);
		if (head != e->export_head)
			free(head);
		sb_puts(&b, ",\"related\":");
		for (size_t k = 0; k < p->nrelated; k++)
			plain &= plain_id(p->related[k]);
		if (plain) {
			sb_puts(&b, "[");
			for (size_t k = 0; k < p->nrelated; k++) {
				sb_puts(&b, k ? ",\"" : "\"");
				sb_puts(&b, p->related[k]);
				sb_puts(&b, "\"");
			}
			sb_puts(&b, "],\"url\":");
			sb_json(&b, base_json);
			sb_puts(&b, "reflecties\\/");
			sb_puts(&b, p->id);
			sb_puts(&b, "\\/\"");
		} else {
			char url[1200];

			put_json(&b, strings(p->related, p->nrelated));
			snprintf(url, sizeof(url), "%sreflecties/%s/", root, p->id);
			sb_puts(&b, ",\"url\":");
			put_json(&b, json_string(url));
		}
		sb_puts(&b, i + 1 < s->n ? "},\n" : "}\n");
	}
	sb_puts(&b, "]\n");
	free(base_json);
	rc = b.oom ? archive_error_set(ARCHIVE_ERROR, "out of memory")
		   : site_write(s, "data/reflecties.json", b.s, b.len,
				s->export_key);
	sb_free(&b);
	return rc;
}

int site_feeds(struct site *s)
{
	int rc = feed(s);

	return rc ? rc : data_export(s);
}

int site_sitemap(struct site *s)
{
	return sitemap(s);
}
