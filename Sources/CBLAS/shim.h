#ifndef FTUNE_CBLAS_SHIM_H
#define FTUNE_CBLAS_SHIM_H
#include <cblas.h>
#endif
