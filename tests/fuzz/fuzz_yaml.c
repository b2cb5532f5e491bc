/*
 * fuzz_yaml.c: YAML front matter, parsed and written back. Whatever the
 * parser accepts, the emitter must write as YAML that parses to the yaml_same
 * tree, and writing that tree again gives the yaml_same text: a document
 * that mores rewrites (case set, case move) never changes meaning.
 */
#include "archive/archive.h"
#include "fuzz_common.h"

/* Whether two trees hold the yaml_same kinds, keys and scalars. */
static int yaml_same(const archive_node *a, const archive_node *b)
{
	const char *sa, *sb;

	if (archive_node_kind_of(a) != archive_node_kind_of(b) ||
	    archive_node_count(a) != archive_node_count(b))
		return 0;
	if (archive_node_kind_of(a) == ARCHIVE_NODE_SCALAR) {
		sa = archive_node_scalar(a);
		sb = archive_node_scalar(b);
		if (!sa || !sb)
			return !sa && !sb;
		return strcmp(sa, sb) == 0;
	}
	for (size_t i = 0; i < archive_node_count(a); i++) {
		if (archive_node_kind_of(a) == ARCHIVE_NODE_MAP &&
		    strcmp(archive_node_key_at(a, i),
			   archive_node_key_at(b, i)) != 0)
			return 0;
		if (!yaml_same(archive_node_at(a, i), archive_node_at(b, i)))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	archive_node *n = NULL, *again = NULL, *copy;
	char *text = fuzz_string(data, size), *yaml = NULL, *yaml2 = NULL;
	size_t len, len2;

	if (archive_yaml_parse(&n, "fuzz.yml", text, strlen(text), 1) != 0) {
		FUZZ_ASSERT(archive_error_code() < 0 && *archive_error_last(),
			    "a refused YAML text has a message");
		free(text);
		return 0;
	}
	copy = archive_node_copy(n);
	FUZZ_ASSERT(copy && yaml_same(n, copy), "a copy equals its original");
	FUZZ_ASSERT(archive_yaml_emit(&yaml, &len, n) == 0,
		    "a parsed tree can be written");
	FUZZ_ASSERT(strlen(yaml) == len, "emitted length");
	FUZZ_ASSERT(archive_yaml_parse(&again, "again.yml", yaml, len, 1) == 0,
		    "written YAML parses again");
	FUZZ_ASSERT(yaml_same(n, again), "written YAML means the same");
	FUZZ_ASSERT(archive_yaml_emit(&yaml2, &len2, again) == 0 &&
			    len2 == len && memcmp(yaml, yaml2, len) == 0,
		    "writing is stable");
	archive_node_free(n);
	archive_node_free(copy);
	archive_node_free(again);
	free(yaml);
	free(yaml2);
	free(text);
	return 0;
}
