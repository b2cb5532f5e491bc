/*
 * fuzz_query.c: the search query language. Whatever a person types,
 * search_parse either refuses it with a message or returns an FTS5 query
 * that SQLite accepts on the index's own tables and Dutch tokenizer: a
 * query never reaches the index as an SQL or FTS5 syntax error.
 */
#include "fuzz_common.h"
#include "search/search_int.h"

static sqlite3 *query_db;
static sqlite3_stmt *query_match;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sqlite3_open(":memory:", &query_db) != SQLITE_OK ||
	    search_register_dutch(query_db) != SQLITE_OK ||
	    sqlite3_exec(query_db,
			 "CREATE VIRTUAL TABLE staff USING fts5(title, body,"
			 " tokenize='dutch');"
			 "INSERT INTO staff VALUES('Slimme camera''s',"
			 " 'Sensoren in de openbare ruimte tellen drukte.');",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(query_db, "SELECT rowid FROM staff WHERE staff MATCH ?",
			       -1, &query_match, NULL) != SQLITE_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = fuzz_string(data, size), *fts = NULL;
	int rc;

	if (search_parse(&fts, q) != 0) {
		FUZZ_ASSERT(archive_error_code() == ARCHIVE_EINVALID &&
				    strncmp(archive_error_last(), "search: ", 8) == 0,
			    "a refused query says what to change");
		FUZZ_ASSERT(!fts, "no query on failure");
		free(q);
		return 0;
	}
	sqlite3_bind_text(query_match, 1, fts, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(query_match)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		fprintf(stderr, "query %s: %s\n", fts, sqlite3_errmsg(query_db));
	FUZZ_ASSERT(rc == SQLITE_DONE, "a parsed query runs");
	sqlite3_reset(query_match);
	sqlite3_clear_bindings(query_match);
	free(fts);
	free(q);
	return 0;
}
