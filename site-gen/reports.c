/*
 * reports.c: the yearly report for the council. Per year of receipt: how
 * many asked and unasked cases came in (confidential ones as numbers
 * only), how many reflections were published and answered, the median
 * time from receipt to adoption, and the values most at stake. Charts
 * are bars of inline SVG with the labels and figures as text, described
 * in words, and the same figures follow in a table.
 */
#include "site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *x, const void *y)
{
	return *(const int *)x - *(const int *)y;
}

static int median(int *v, size_t n)
{
	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), cmp_int);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct bar {
	const char *label;
	int value;
};

/* A horizontal bar chart; the figures also follow in a table. The bars
 * are SVG, sized by their width attribute (the strict CSP allows no
 * style attributes); labels and figures are HTML text, so that they keep
 * their size on a phone and their contrast can be checked. To assistive
 * technology the chart is one image, named by its caption and described
 * in words. */
static void chart(struct sbuf *b, const char *id, const char *title,
		  const char *desc, const struct bar *bars, size_t n)
{
	int max = 1;

	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	sb_printf(b, "<figure class=\"mores-chart\">\n<figcaption id=\"%s-t\">",
		  id);
	sb_text(b, title);
	sb_printf(b, "</figcaption>\n<p id=\"%s-d\" hidden>", id);
	sb_text(b, desc);
	sb_printf(b, "</p>\n<div class=\"mores-chart-bars\" role=\"img\" "
		     "aria-labelledby=\"%s-t %s-d\">\n",
		  id, id);
	for (size_t i = 0; i < n; i++) {
		/* the longest bar leaves room for its figure */
		int tenths = bars[i].value * 850 / max;

		sb_puts(b, "<div class=\"mores-chart-row\"><span class=\"mores-"
			   "chart-label\">");
		sb_text(b, bars[i].label);
		sb_printf(b, "</span><span class=\"mores-chart-measure\"><svg "
			     "width=\"%d.%d%%\" aria-hidden=\"true\" focusable="
			     "\"false\" xmlns=\"http://www.w3.org/2000/svg\">"
			     "<rect width=\"100%%\" height=\"100%%\" class=\""
			     "mores-chart-bar\"/></svg><span class=\"mores-"
			     "chart-value\">%d</span></span></div>\n",
			  tenths ? tenths / 10 : 0, tenths ? tenths % 10 : 5,
			  bars[i].value);
	}
	sb_puts(b, "</div>\n</figure>\n");
}

static void table(struct sbuf *b, const char *caption, const char *head,
		  const struct bar *bars, size_t n)
{
	sb_puts(b, "<table class=\"utrecht-table mores-table\">\n<caption "
		   "class=\"utrecht-table__caption\">");
	sb_text(b, caption);
	sb_printf(b, "</caption>\n<thead class=\"utrecht-table__header\"><tr "
		     "class=\"utrecht-table__row\"><th scope=\"col\" "
		     "class=\"utrecht-table__header-cell\">%s</th><th "
		     "scope=\"col\" class=\"utrecht-table__header-cell\">Aantal"
		     "</th></tr></thead>\n<tbody class=\"utrecht-table__body\">\n",
		  head);
	for (size_t i = 0; i < n; i++) {
		sb_puts(b, "<tr class=\"utrecht-table__row\"><th scope=\"row\" "
			   "class=\"utrecht-table__header-cell\">");
		sb_text(b, bars[i].label);
		sb_printf(b, "</th><td class=\"utrecht-table__cell\">%d</td>"
			     "</tr>\n",
			  bars[i].value);
	}
	sb_puts(b, "</tbody>\n</table>\n");
}

static int cmp_bar(const void *x, const void *y)
{
	const struct bar *a = x, *b = y;

	return a->value != b->value ? b->value - a->value
				    : strcmp(a->label, b->label);
}

/* The values of the year's public reflections, most named first. */
static size_t values_at_stake(struct site *s, int year, struct bar *out,
			      size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < archive_vocab_count(s->vocab); i++) {
		const archive_node *v = archive_vocab_at(s->vocab, i);
		const char *id = archive_node_get_scalar(v, "id");
		int count = 0;

		for (size_t k = 0; k < s->n; k++) {
			if (s->e[k].year != year)
				continue;
			if (i < 64) {
				count += (s->e[k].vbits >> i) & 1;
				continue;
			}
			for (size_t j = 0; j < s->e[k].p->nvalues; j++)
				count += !strcmp(s->e[k].p->values[j], id);
		}
		if (count)
			out[n++] = (struct bar){ site_value_label(s, id), count };
	}
	qsort(out, n, sizeof(*out), cmp_bar);
	return n < max ? n : max;
}

static int year_report(struct site *s, struct year_stats *y)
{
	struct sbuf b = { 0 }, page = { 0 };
	struct bar kinds[2] = { { "Gevraagd advies", y->asked },
				{ "Ongevraagd advies", y->unasked } };
	struct bar *vals = calloc(archive_vocab_count(s->vocab) + 1,
				  sizeof(*vals));
	struct bar facts[5];
	char path[64], title[64], desc[256];
	size_t nv;
	int med = median(y->days, y->ndays), rc;

	if (!vals)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	snprintf(title, sizeof(title), "Jaarverslag %d", y->year);
	sb_printf(&b, "<h1 class=\"utrecht-heading-1\">%s</h1>\n<p class=\""
		      "utrecht-paragraph utrecht-paragraph--lead\">Wat de "
		      "commissie in %d ontving en waarover zij reflecteerde. "
		      "Vertrouwelijke adviezen tellen mee in de aantallen; over "
		      "hun inhoud staat hier niets.</p>\n",
		  title, y->year);
	sb_puts(&b, "<h2 class=\"utrecht-heading-2\">Adviezen</h2>\n");
	snprintf(desc, sizeof(desc),
		 "In %d kwamen %d gevraagde en %d ongevraagde adviezen binnen.",
		 y->year, y->asked, y->unasked);
	chart(&b, "soort", "Gevraagd en ongevraagd advies", desc, kinds, 2);
	facts[0] = (struct bar){ "Gevraagd advies", y->asked };
	facts[1] = (struct bar){ "Ongevraagd advies", y->unasked };
	facts[2] = (struct bar){ "Waarvan vertrouwelijk", y->confidential };
	facts[3] = (struct bar){ "Gepubliceerde reflecties", y->published };
	facts[4] = (struct bar){ "Reacties van het bestuur", y->responses };
	table(&b, "Adviezen in cijfers", "Onderwerp", facts, 5);
	if (med >= 0)
		sb_printf(&b, "<p class=\"utrecht-paragraph\">Van ontvangst tot "
			      "vaststelling duurde een gepubliceerde reflectie "
			      "in de helft van de gevallen hooguit %d dagen "
			      "(mediaan).</p>\n",
			  med);
	nv = values_at_stake(s, y->year, vals, 8);
	if (nv) {
		sb_puts(&b, "<h2 class=\"utrecht-heading-2\">Waarden die op het "
			    "spel stonden</h2>\n");
		snprintf(desc, sizeof(desc),
			 "De waarden die het vaakst genoemd worden in de "
			 "gepubliceerde reflecties uit %d, met als eerste %s.",
			 y->year, vals[0].label);
		chart(&b, "waarden", "Waarden in de gepubliceerde reflecties",
		      desc, vals, nv);
		table(&b, "Waarden in de gepubliceerde reflecties", "Waarde",
		      vals, nv);
	}
	if (y->published)
		sb_printf(&b, "<p class=\"utrecht-paragraph\"><a class=\""
			      "utrecht-link\" href=\"../../jaar/%d/\">De "
			      "reflecties uit %d</a></p>\n",
			  y->year, y->year);
	snprintf(path, sizeof(path), "jaarverslag/%d/index.html", y->year);
	site_page(s, &page, 2, title, b.s ? b.s : "", NULL);
	rc = page.oom || b.oom ? archive_error_set(ARCHIVE_ERROR, "out of memory")
			       : site_write(s, path, page.s, page.len, NULL);
	sb_free(&b);
	sb_free(&page);
	free(vals);
	return rc;
}

int site_pages_reports(struct site *s)
{
	struct sbuf b = { 0 }, page = { 0 };
	int rc = 0;

	sb_puts(&b, "<h1 class=\"utrecht-heading-1\">Jaarverslagen</h1>\n<p "
		    "class=\"utrecht-paragraph\">Elk jaar legt de commissie "
		    "verantwoording af aan de raad: hoeveel vragen er kwamen, "
		    "waarover zij uit zichzelf adviseerde en welke waarden op "
		    "het spel stonden.</p>\n<ul class=\"mores-list\">\n");
	for (size_t i = 0; rc == 0 && i < s->nyears; i++) {
		sb_printf(&b, "<li class=\"mores-item\"><a class=\"utrecht-link\""
			      " href=\"%d/\">Jaarverslag %d</a></li>\n",
			  s->years[i].year, s->years[i].year);
		rc = year_report(s, &s->years[i]);
	}
	sb_puts(&b, "</ul>\n");
	site_page(s, &page, 1, "Jaarverslagen", b.s, NULL);
	rc = rc ? rc : page.oom ? archive_error_set(ARCHIVE_ERROR, "out of memory")
				: site_write(s, "jaarverslag/index.html", page.s,
					     page.len, NULL);
	sb_free(&b);
	sb_free(&page);
	return rc;
}
