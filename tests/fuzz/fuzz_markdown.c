/*
 * fuzz_markdown.c: the public text path of the site: internal passages
 * removed (archive_text_strip_internal), then Markdown rendered to HTML
 * (site_markdown). The input is cut in two and an internal passage
 * holding a marker is put between the halves, written with the line
 * endings CommonMark knows (LF, CRLF, CR) and the spacing people type.
 * The marker must never reach the HTML, and the HTML never carries a
 * script, a frame or a javascript: link, whatever the text holds.
 */
#include "archive/archive.h"
#include "fuzz_common.h"
#include "site-gen/site_int.h"

#include <ctype.h>

#define MARKER "ZZJJ"

static const char *const md_eols[] = { "\n", "\r\n", "\r" };
static const char *const md_opens[] = { "<!-- intern -->", "  <!-- intern -->",
				     "<!-- intern -->\t" };
static const char *const md_closes[] = { "<!-- /intern -->",
				      " <!-- /intern --> " };

/* Whether s holds needle, ignoring case. */
static int md_has_nocase(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf text = { 0 }, html = { 0 };
	char *in, *pub = NULL;
	const char *eol;
	size_t cut;
	uint8_t how;

	if (size < 2)
		return 0;
	how = data[0];
	cut = data[1];
	in = fuzz_string(data + 2, size - 2);
	/* Nothing in the text itself may spell the marker, not even through
	 * an entity; what remains is any Markdown at all. */
	for (char *p = in; *p; p++)
		if (*p == 'Z' || *p == 'J' || *p == '&')
			*p = 'x';
	cut = strlen(in) ? cut % (strlen(in) + 1) : 0;
	eol = md_eols[how % 3];
	sb_put(&text, in, cut);
	sb_puts(&text, eol);
	sb_puts(&text, md_opens[(how / 3) % 3]);
	sb_puts(&text, eol);
	sb_puts(&text, "Geheim: " MARKER);
	sb_puts(&text, eol);
	sb_puts(&text, md_closes[(how / 9) % 2]);
	sb_puts(&text, eol);
	sb_puts(&text, in + cut);
	FUZZ_ASSERT(!text.oom, "memory");
	FUZZ_ASSERT(archive_text_strip_internal(&pub, text.s) == 0, "strip");
	site_markdown(&html, pub, 2);
	FUZZ_ASSERT(!html.oom, "memory");
	if (html.s) {
		FUZZ_ASSERT(!strstr(html.s, MARKER),
			    "an internal passage reaches the page");
		FUZZ_ASSERT(!md_has_nocase(html.s, "<script") &&
				    !md_has_nocase(html.s, "<iframe") &&
				    !md_has_nocase(html.s, "href=\"javascript:"),
			    "no script in rendered Markdown");
	}
	sb_free(&text);
	sb_free(&html);
	free(pub);
	free(in);
	return 0;
}
