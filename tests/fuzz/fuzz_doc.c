/*
 * fuzz_doc.c: the document model. The input is up to three documents
 * (dossier.md, advies.md, reactie.md) separated by a line "%%%%". Each
 * is parsed; what parses must format and parse back to the same text,
 * and a dossier assembled from them goes through validation, the
 * publication rule and the public view, which may only exist for a
 * published, public dossier.
 */
#include "archive/archive_int.h"
#include "fuzz_common.h"

static archive_vocab *doc_vocab;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char values[] =
		"- id: privacy\n  label: Privacy\n  question: Wie ziet wat?\n"
		"- id: autonomie\n  label: Autonomie\n  question: Wie kiest?\n"
		"  synonyms: [zelfbeschikking]\n";

	(void)argc;
	(void)argv;
	if (archive_vocab_parse(&doc_vocab, "values.yml", values,
				sizeof(values) - 1) != 0)
		abort();
	return 0;
}

static void doc_problem(const char *file, const char *field,
			  const char *message, void *ctx)
{
	FUZZ_ASSERT(file && field && message && *message,
		    "a problem names file, field and message");
	(*(int *)ctx)++;
}

static int doc_every_id_public(const char *id, void *ctx)
{
	(void)ctx;
	return archive_id_parse(id, NULL, NULL) == 0;
}

/* Whether a line of text, spaces and tabs around it aside, opens an
 * internal passage. */
static int doc_has_intern_line(const char *text)
{
	const char *marker = "<!-- intern -->";
	size_t m = strlen(marker);

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		const char *s = p, *e = p + n;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if ((size_t)(e - s) == m && memcmp(s, marker, m) == 0)
			return 1;
		p += n + (p[n] == '\n');
	}
	return 0;
}

/* Parses one document; checks that formatting it is lossless. */
static archive_doc *doc_parse_checked(const char *path, const char *text)
{
	archive_doc *doc = NULL, *again = NULL;
	char *out = NULL, *out2 = NULL;
	size_t len, len2;

	if (archive_doc_parse(&doc, path, text, strlen(text)) != 0) {
		FUZZ_ASSERT(*archive_error_last(),
			    "a refused document has a message");
		return NULL;
	}
	FUZZ_ASSERT(archive_doc_format(&out, &len, doc) == 0,
		    "a parsed document formats");
	FUZZ_ASSERT(archive_doc_parse(&again, path, out, len) == 0,
		    "a formatted document parses");
	FUZZ_ASSERT(strcmp(archive_doc_body(doc), archive_doc_body(again)) == 0,
		    "formatting keeps the body");
	FUZZ_ASSERT(archive_doc_format(&out2, &len2, again) == 0 &&
			    len == len2 && memcmp(out, out2, len) == 0,
		    "formatting is stable");
	archive_doc_free(again);
	free(out);
	free(out2);
	return doc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *part[3] = { text, NULL, NULL };
	archive_doc *doc, *advice = NULL, *response = NULL;
	archive_dossier *d = NULL;
	archive_public *view = NULL;
	int problems = 0, pub;

	for (int i = 1; i < 3; i++) {
		char *sep = strstr(part[i - 1], "\n%%%%\n");

		if (!sep)
			break;
		*sep = '\0';
		part[i] = sep + 6;
	}
	doc = doc_parse_checked("dossiers/2026/2026-004/dossier.md", part[0]);
	if (part[1])
		advice = doc_parse_checked("dossiers/2026/2026-004/advies.md", part[1]);
	if (part[2])
		response = doc_parse_checked("dossiers/2026/2026-004/reactie.md", part[2]);
	if (advice)
		archive_advice_validate(advice, doc_problem, &problems);
	if (response)
		archive_response_validate(response, doc_problem, &problems);
	if (!doc) {
		archive_doc_free(advice);
		archive_doc_free(response);
		free(text);
		return 0;
	}
	if (archive_dossier_from_docs(&d, "2026-004", doc, advice, response)) {
		free(text);
		return 0;
	}
	archive_dossier_validate(d, doc_vocab, doc_problem, &problems);
	pub = archive_dossier_is_public(d, "2026-11-23");
	if (pub) {
		const char *st = archive_dossier_get(d, "status");
		const char *vis = archive_dossier_get(d, "visibility");

		FUZZ_ASSERT(st && !strcmp(st, "published") && vis &&
				    !strcmp(vis, "public"),
			    "only published, public dossiers are public");
	}
	if (archive_public_view(&view, d, "ECE", "2026-11-23", doc_every_id_public,
				NULL) == 0) {
		FUZZ_ASSERT(!view || pub, "a public view only when public");
		if (view && view->advice)
			FUZZ_ASSERT(!doc_has_intern_line(view->advice),
				    "no internal passage in the public view");
		if (view && view->response)
			FUZZ_ASSERT(!doc_has_intern_line(view->response),
				    "no internal passage in the public view");
		archive_public_free(view);
	} else {
		FUZZ_ASSERT(*archive_error_last(), "a failure has a message");
	}
	archive_dossier_free(d);
	free(text);
	return 0;
}
