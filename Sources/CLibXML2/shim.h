// libxml2's HTML parser and XPath, for tests that check rendered pages.
// Debian builds libxml2 with ICU, whose types clash with Foundation's: leave ICU out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

// xmlFree is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void petal_xml_free(void *pointer) { xmlFree(pointer); }
