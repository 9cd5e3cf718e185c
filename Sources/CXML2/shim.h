#ifndef CXML2_SHIM_H
#define CXML2_SHIM_H
/* libxml2 and Foundation clash over ICU headers when both are visible in one module. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlwriter.h>
#endif
