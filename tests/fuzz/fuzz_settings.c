/*
 * fuzz_settings.c: a committee's mores.yml. The loader refuses it with a
 * message naming mores.yml or gives settings with a citation code, which
 * validation then checks without failing on any shape of the file.
 */
#include "archive/archive_int.h"
#include "fuzz_common.h"

static void settings_problem(const char *file, const char *field,
			  const char *message, void *ctx)
{
	FUZZ_ASSERT(file && field && message && *message,
		    "a problem names file, field and message");
	(*(int *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	archive_node *settings = NULL;
	int problems = 0;

	if (archive_settings_parse(&settings, (const char *)data, size)) {
		FUZZ_ASSERT(!settings &&
				    strstr(archive_error_last(), "mores.yml"),
			    "refused settings name mores.yml");
		return 0;
	}
	FUZZ_ASSERT(archive_node_get_scalar(settings, "code"),
		    "settings have a code");
	archive_settings_validate(settings, "mores.yml", settings_problem,
				  &problems);
	archive_node_free(settings);
	return 0;
}
