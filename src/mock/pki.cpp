// generate_pki: a throw-away CA and server certificate made with the OpenSSL 3
// API, so tests need neither the openssl CLI nor files on disk.
#include "mock/mock_server.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace bwvoice::mock {
namespace {

struct Free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIO* p) const { BIO_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

[[noreturn]] void fail(const char* what) {
    const unsigned long code = ERR_get_error();
    char reason[256] = "no OpenSSL error queued";
    if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    throw std::runtime_error(std::string("generate_pki: ") + what + ": " + reason);
}

void check(int result, const char* what) {
    if (result <= 0) fail(what);
}

Owned<EVP_PKEY> new_p256_key() {
    Owned<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) fail("EC P-256 key generation");
    return key;
}

void set_common_name(X509_NAME* name, const std::string& common_name) {
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("bwvoice-mock"),
                                     -1, -1, 0),
          "subject O");
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0),
          "subject CN");
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    Owned<X509_EXTENSION> extension(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!extension) fail("certificate extension");
    check(X509_add_ext(cert, extension.get(), -1), "adding an extension");
}

/// A certificate with everything but extensions and the signature.
Owned<X509> new_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer, int valid_days,
                            int not_before_days_ago) {
    Owned<X509> cert(X509_new());
    if (!cert) fail("X509_new");
    check(X509_set_version(cert.get(), X509_VERSION_3), "version");

    // Random serials: every generate_pki call makes a CA with the same name,
    // and issuer+serial must still tell their certificates apart.
    Owned<BIGNUM> serial(BN_new());
    if (!serial) fail("BN_new");
    check(BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "serial");
    if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) fail("serial");

    constexpr long day = 24L * 60 * 60;
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -not_before_days_ago * day) == nullptr) fail("notBefore");
    if (X509_gmtime_adj(X509_getm_notAfter(cert.get()), (static_cast<long>(valid_days) - not_before_days_ago) * day) ==
        nullptr)
        fail("notAfter");

    set_common_name(X509_get_subject_name(cert.get()), common_name);
    check(X509_set_issuer_name(cert.get(),
                               issuer != nullptr ? X509_get_subject_name(issuer) : X509_get_subject_name(cert.get())),
          "issuer");
    check(X509_set_pubkey(cert.get(), key), "public key");
    return cert;
}

std::string pem_of(X509* cert) {
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio) fail("BIO_new");
    check(PEM_write_bio_X509(bio.get(), cert), "PEM certificate");
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(bio.get(), &mem);
    return std::string(mem->data, mem->length);
}

std::string pem_of(EVP_PKEY* key) {
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio) fail("BIO_new");
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "PEM key");
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(bio.get(), &mem);
    return std::string(mem->data, mem->length);
}

std::string subject_alt_names(const std::vector<std::string>& dns_names, const std::vector<std::string>& ips) {
    std::string out;
    for (const auto& name : dns_names) out += (out.empty() ? "DNS:" : ",DNS:") + name;
    for (const auto& ip : ips) out += (out.empty() ? "IP:" : ",IP:") + ip;
    return out;
}

}  // namespace

Pki generate_pki(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                 int valid_days, int not_before_days_ago) {
    const auto ca_key = new_p256_key();
    const auto ca = new_certificate(ca_key.get(), "bwvoice-mock test CA", nullptr, valid_days, not_before_days_ago);
    // Subject key ID first: the server certificate's authority key ID copies it.
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()), "signing the CA");

    const auto server_key = new_p256_key();
    const std::string common_name = !dns_names.empty()      ? dns_names.front()
                                    : !ip_addresses.empty() ? ip_addresses.front()
                                                            : "localhost";
    const auto server = new_certificate(server_key.get(), common_name, ca.get(), valid_days, not_before_days_ago);
    add_extension(server.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    if (const std::string sans = subject_alt_names(dns_names, ip_addresses); !sans.empty())
        add_extension(server.get(), ca.get(), NID_subject_alt_name, sans);
    check(X509_sign(server.get(), ca_key.get(), EVP_sha256()), "signing the server certificate");

    return Pki{pem_of(ca.get()), pem_of(server.get()), pem_of(server_key.get())};
}

}  // namespace bwvoice::mock
