/*
 * fuzz_values.c: a committee's values.yml. Whatever the file holds, the
 * loader either refuses it with a message naming values.yml or gives a
 * vocabulary in which every value has an id, a label and a question and
 * every id is found again.
 */
#include "archive/archive_int.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	archive_vocab *v = NULL;

	if (archive_vocab_parse(&v, "values.yml", (const char *)data, size)) {
		FUZZ_ASSERT(!v && strstr(archive_error_last(), "values.yml"),
			    "a refused vocabulary names values.yml");
		return 0;
	}
	for (size_t i = 0; i < archive_vocab_count(v); i++) {
		const archive_node *n = archive_vocab_at(v, i);
		const char *id = archive_node_get_scalar(n, "id");

		FUZZ_ASSERT(id && archive_node_get_scalar(n, "label") &&
				    archive_node_get_scalar(n, "question"),
			    "every value has id, label and question");
		FUZZ_ASSERT(archive_vocab_find(v, id) == n, "ids are unique");
	}
	archive_vocab_free(v);
	return 0;
}
