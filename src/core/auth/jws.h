/*
 * JWS helpers shared inside src/core/auth (the signing API is in auth.h).
 */
#ifndef KUBE_CORE_AUTH_JWS_H
#define KUBE_CORE_AUTH_JWS_H

#include "core/auth/auth.h"

/* Unpadded base64url of @p n bytes (new string) or NULL. */
char *kube__b64url(const unsigned char *in, size_t n);

/* Decode @p n characters of unpadded base64url; a new buffer (free()) with
 * *outlen bytes, or NULL when malformed. */
unsigned char *kube__b64url_decode(const char *in, size_t n, size_t *outlen);

/* upstream's key id: base64url(SHA-256(DER SubjectPublicKeyInfo)), new string. */
char *kube__jws_kid(EVP_PKEY *key);

#endif
