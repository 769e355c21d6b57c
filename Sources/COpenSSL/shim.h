// OpenSSL 3 from Debian's libssl-dev, for Redis over TLS (rediss://).
// Several of its calls are macros, which Swift cannot call: small inline functions wrap them.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

static inline long petal_ssl_set_sni(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }
static inline long petal_ssl_ctx_min_tls12(SSL_CTX *context) { return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION); }
static inline long petal_ssl_ctx_set_modes(SSL_CTX *context) {
    // A write may finish in several calls with a moved buffer; SSL_read retries past non-data records.
    return SSL_CTX_set_mode(context, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_AUTO_RETRY);
}
