/* Memory of long-lived, mostly idle rc processes (the container monitor). */
#ifndef RC_UTIL_MEMORY_H
#define RC_UTIL_MEMORY_H

/* Give back what an idle process holds but does not need: free heap memory
 * (malloc_trim), and the pages of its read-only file mappings (code and
 * constants of rc and its libraries, kept in the page cache for everyone)
 * that start-up touched: they are unmapped and come back on the next use,
 * so only what the process goes on running stays resident.  Mappings that
 * hold private copies (relocated data, anything written) are never
 * touched.  Best effort: silent on failure. */
void rc_memory_trim(void);

#endif
