/*
 * html.c: building text safely. Every string from an archive reaches a
 * page through sb_text() (escaped for element content and attributes) or
 * through site_markdown() (cmark-gfm in safe mode); nothing else writes
 * archive text into HTML.
 */
#include "site_int.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sb_reserve(struct sbuf *b, size_t n)
{
	if (b->oom)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->s, cap))) {
			b->oom = 1;
			return -1;
		}
		b->s = p;
		b->cap = cap;
	}
	return 0;
}

void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (n == 0 || sb_reserve(b, n) != 0)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_puts(struct sbuf *b, const char *s)
{
	if (s)
		sb_put(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		sb_put(b, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	sb_put(b, big, (size_t)n);
	free(big);
}

void sb_text(struct sbuf *b, const char *s)
{
	const char *run = s;

	if (!s)
		return;
	for (; *s; s++) {
		const char *esc;

		switch (*s) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		case '\'': esc = "&#39;"; break;
		default: continue;
		}
		sb_put(b, run, (size_t)(s - run));
		sb_puts(b, esc);
		run = s + 1;
	}
	sb_put(b, run, (size_t)(s - run));
}

void sb_json(struct sbuf *b, const char *json)
{
	const char *run = json;

	for (; *json; json++) {
		const char *esc;

		switch (*json) {
		case '<': esc = "\\u003c"; break;
		case '>': esc = "\\u003e"; break;
		case '&': esc = "\\u0026"; break;
		default: continue;
		}
		sb_put(b, run, (size_t)(json - run));
		sb_puts(b, esc);
		run = json + 1;
	}
	sb_put(b, run, (size_t)(json - run));
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* The highest heading (lowest level) of a text; 0 when it has none. */
static int top_level(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	int top = 0;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		int level;

		if (ev != CMARK_EVENT_ENTER ||
		    cmark_node_get_type(n) != CMARK_NODE_HEADING)
			continue;
		level = cmark_node_get_heading_level(n);
		if (!top || level < top)
			top = level;
	}
	cmark_iter_free(it);
	return top;
}

/* Moves headings so that the text's highest one gets level `top` and
 * the page's headings stay in order under its own h1 and h2. */
static void place_headings(cmark_node *doc, int top)
{
	int shift = top - top_level(doc);
	cmark_iter *it;
	cmark_event_type ev;

	if (shift == top)
		return; /* no headings */
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		int level;

		if (ev != CMARK_EVENT_ENTER ||
		    cmark_node_get_type(n) != CMARK_NODE_HEADING)
			continue;
		level = cmark_node_get_heading_level(n) + shift;
		cmark_node_set_heading_level(n, level > 6 ? 6 : level);
	}
	cmark_iter_free(it);
}

/* The text of node and everything in it, as one line. */
static void plain_text(struct sbuf *b, cmark_node *node)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type type = cmark_node_get_type(n);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE)
			sb_puts(b, cmark_node_get_literal(n));
		else if (type == CMARK_NODE_SOFTBREAK ||
			 type == CMARK_NODE_LINEBREAK)
			sb_puts(b, " ");
	}
	cmark_iter_free(it);
}

/* A name for each table of the text, in the order of the text: "Tabel:"
 * and its column headings, which is what a screen reader announces when
 * the focus reaches the table's scrolling region. Returns the count. */
static size_t table_labels(cmark_node *doc, struct sbuf **out)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	struct sbuf *labels = NULL;
	size_t n = 0;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *t = cmark_iter_get_node(it);
		cmark_node *row, *cell;
		struct sbuf *more;

		if (ev != CMARK_EVENT_ENTER ||
		    strcmp(cmark_node_get_type_string(t), "table") != 0)
			continue;
		if (!(more = realloc(labels, (n + 1) * sizeof(*labels))))
			break;
		labels = more;
		memset(&labels[n], 0, sizeof(labels[n]));
		sb_puts(&labels[n], "Tabel");
		row = cmark_node_first_child(t);
		for (cell = row ? cmark_node_first_child(row) : NULL; cell;
		     cell = cmark_node_next(cell)) {
			sb_puts(&labels[n], cell == cmark_node_first_child(row)
						    ? ": "
						    : ", ");
			plain_text(&labels[n], cell);
		}
		n++;
	}
	cmark_iter_free(it);
	*out = labels;
	return n;
}

/* Writes html with each table in a region of its own that scrolls
 * sideways when the table is wider than the screen; the region takes the
 * keyboard focus, so that it also scrolls without a mouse. In safe mode
 * "<table>" and "</table>" in the rendered text can only be the tables'
 * own tags: raw HTML from the text is left out and text is escaped. */
static void put_tables_scrolling(struct sbuf *b, const char *html,
				 struct sbuf *labels, size_t nlabels)
{
	static const char open[] = "<table>", close[] = "</table>";
	const char *at, *end;

	for (size_t k = 0; (at = strstr(html, open)); k++) {
		sb_put(b, html, (size_t)(at - html));
		sb_puts(b, "<div class=\"mores-table-scroll\" role=\"region\" "
			   "tabindex=\"0\" aria-label=\"");
		sb_text(b, k < nlabels && labels[k].s ? labels[k].s : "Tabel");
		sb_puts(b, "\">\n");
		end = strstr(at, close);
		end = end ? end + sizeof(close) - 1 : at + strlen(at);
		sb_put(b, at, (size_t)(end - at));
		sb_puts(b, "\n</div>");
		html = end;
	}
	sb_puts(b, html);
}

void site_markdown(struct sbuf *b, const char *markdown, int top)
{
	static const char *const exts[] = { "table", "autolink",
					    "strikethrough", "tagfilter" };
	const int opts = CMARK_OPT_SAFE;
	cmark_parser *p;
	cmark_node *doc;
	struct sbuf *labels;
	size_t nlabels;
	char *html;

	cmark_gfm_core_extensions_ensure_registered();
	p = cmark_parser_new(opts);
	if (!p) {
		b->oom = 1;
		return;
	}
	for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);

		if (e)
			cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, markdown, strlen(markdown));
	doc = cmark_parser_finish(p);
	place_headings(doc, top);
	nlabels = table_labels(doc, &labels);
	html = cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p));
	if (html)
		put_tables_scrolling(b, html, labels, nlabels);
	else
		b->oom = 1;
	free(html);
	for (size_t i = 0; i < nlabels; i++)
		sb_free(&labels[i]);
	free(labels);
	cmark_node_free(doc);
	cmark_parser_free(p);
}
