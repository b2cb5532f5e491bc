/*
 * fuzz_id.c: dossier ids, dates, archive paths and mentions of dossiers
 * in a text. An id that parses names exactly one folder and one citation
 * that lead back to it; a path that archive_path_check accepts stays in
 * the archive; every mention found is a valid id.
 */
#include "archive/archive_int.h"
#include "fuzz_common.h"

static int id_mention_ok(const char *id, void *ctx)
{
	FUZZ_ASSERT(archive_id_parse(id, NULL, NULL) == 0,
		    "a mention is a valid dossier id");
	(*(int *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *dir, *cite, want[64];
	int year, seq, y, m, d, mentions = 0;

	if (archive_id_parse(s, &year, &seq) == 0) {
		FUZZ_ASSERT(year >= 0 && year <= 9999 && seq >= 0,
			    "id parts in range");
		dir = archive_id_dir(s);
		FUZZ_ASSERT(dir, "a valid id has a folder");
		snprintf(want, sizeof(want), "dossiers/%.4s/", s);
		FUZZ_ASSERT(strncmp(dir, want, strlen(want)) == 0 &&
				    strcmp(dir + strlen(want), s) == 0,
			    "the folder is dossiers/YYYY/ID");
		FUZZ_ASSERT(archive_path_check(dir) == 0,
			    "the folder is a valid archive path");
		cite = archive_id_citation("ECE", s);
		FUZZ_ASSERT(cite, "a valid id has a citation");
		snprintf(want, sizeof(want), "ECE:%d:%d", year, seq);
		FUZZ_ASSERT(strcmp(cite, want) == 0, "citation CODE:YYYY:N");
		free(dir);
		free(cite);
	} else {
		FUZZ_ASSERT(!archive_id_dir(s) && !archive_id_citation("ECE", s),
			    "no folder or citation for an invalid id");
	}
	if (archive_date_parse(s, &y, &m, &d) == 0) {
		char back[11];

		FUZZ_ASSERT(m >= 1 && m <= 12 && d >= 1 && d <= 31,
			    "a date has a real month and day");
		snprintf(back, sizeof(back), "%04d-%02d-%02d", y, m, d);
		FUZZ_ASSERT(strcmp(back, s) == 0, "a date is YYYY-MM-DD");
		FUZZ_ASSERT(archive_date_days(y, m, d) <
				    archive_date_days(y, m, d) + 1,
			    "days");
	}
	if (archive_path_check(s) == 0) {
		FUZZ_ASSERT(s[0] != '/' && !strstr(s, "//"),
			    "an accepted path is relative");
		FUZZ_ASSERT(strcmp(s, "..") && strncmp(s, "../", 3) &&
				    !strstr(s, "/../") &&
				    (strlen(s) < 3 ||
				     strcmp(s + strlen(s) - 3, "/..")),
			    "an accepted path stays inside the archive");
	}
	archive_text_mentions(s, "ECE", id_mention_ok, &mentions);
	free(s);
	return 0;
}
