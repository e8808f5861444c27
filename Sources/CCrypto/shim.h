#ifndef FTUNE_CCRYPTO_SHIM_H
#define FTUNE_CCRYPTO_SHIM_H
// OpenSSL's libcrypto, for the SHA-256 and MD5 checks of downloaded weight files.
#include <openssl/evp.h>
#endif
