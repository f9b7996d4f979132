/* sha256.c - see sha256.h. */
#include "core/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int lht_sha256_file(const char *path, char hex[65], lht_err *err)
{
    unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    EVP_MD_CTX *ctx = NULL;
    FILE *fp = NULL;
    size_t n;
    int rc = LHT_OK;

    fp = fopen(path, "rb");
    if (fp == NULL)
        return lht_err_set(err, LHT_EIO, "%s: %s", path, strerror(errno));
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = lht_err_set(err, LHT_ENOMEM, "%s: cannot start sha256", path);
        goto done;
    }
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    if (ferror(fp)) {
        rc = lht_err_set(err, LHT_EIO, "%s: read error", path);
        goto done;
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    for (i = 0; i < mdlen && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[64] = '\0';
done:
    EVP_MD_CTX_free(ctx);
    fclose(fp);
    return rc;
}

int lht_sha256_buf(const void *p, size_t n, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;

    if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1)
        return LHT_ENOMEM;
    for (i = 0; i < mdlen && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[64] = '\0';
    return LHT_OK;
}
