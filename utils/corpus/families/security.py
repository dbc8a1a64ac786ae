"""Security: SecurityException (Spring Security, JWT, Java security manager, jar signing), GeneralSecurityException
(JCA/JCE crypto: padding, keys, algorithms) and SSLException (TLS handshakes and certificate checks)."""

from __future__ import annotations

from typing import Any

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template


def secure(
    c: Ctx,
    exception: str,
    message: str | None,
    throw: list[StackFrame],
    roles: tuple[str, ...],
    *texts: str,
    **options: Any,
) -> Incident:
    """`texts`: what the frame did and the fix, each in English then Korean."""
    return c.fail_in_role(roles, exception, message, throw, texts, "site.what", **options)


# --------------------------------------------------------------------------------------------- SecurityException


@template("SecurityException", "sec.access_denied", codebases=("bank",), contexts=("web", "test"))
def access_denied(c: Ctx) -> Incident:
    throw = c.chain(".throw_2") if c.chance(0.5) else c.chain(".throw_3")
    throw += c.chain(".throw")
    role = c.pick(("ROLE_TELLER_MANAGER", "ROLE_ADMIN", "ROLE_SETTLEMENT", "ROLE_AUDITOR"))
    return secure(
        c,
        "org.springframework.security.access.AccessDeniedException",
        c.pick(("Access is denied", "Access Denied")),
        throw,
        ("controller", "service"),
        *c.pair(".what", role=role),
        *c.pair(".fix", role=role),
    )


@template("SecurityException", "sec.bad_credentials", codebases=("bank",))
def bad_credentials(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return secure(
        c,
        "org.springframework.security.authentication.BadCredentialsException",
        "Bad credentials",
        throw,
        ("service", "controller", "support"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SecurityException", "sec.jwt_expired")
def jwt_expired(c: Ctx) -> Incident:
    expired = f"{c.date()}T0{c.randint(1, 9)}:{c.randint(10, 59)}:{c.randint(10, 59)}Z"
    message = (
        c.message(
            ".message",
            expired=expired,
            date=c.date(),
            number=c.randint(0, 9),
            number_2=c.randint(10, 59),
            number_3=c.randint(10, 59),
            number_4=c.randint(1000, 90000000),
        )
    )
    throw = [
        c.lib("io.jsonwebtoken.impl.DefaultJwtParser.parse", c.pick((385, 682))),
        c.lib("io.jsonwebtoken.impl.DefaultJwtParser.parse", c.pick((541, 800))),
        c.lib("io.jsonwebtoken.impl.DefaultJwtParser.parseClaimsJws", c.pick((601, 835))),
    ]
    return secure(
        c,
        "io.jsonwebtoken.ExpiredJwtException",
        message,
        throw,
        ("support", "config", "service"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SecurityException", "sec.jwt_signature")
def jwt_signature(c: Ctx) -> Incident:
    throw = [
        c.lib("io.jsonwebtoken.impl.DefaultJwtParser.parse", c.pick((354, 411))),
        c.lib("io.jsonwebtoken.impl.DefaultJwtParser.parse", c.pick((541, 800))),
        c.lib("io.jsonwebtoken.impl.DefaultJwtParser.parseClaimsJws", c.pick((601, 835))),
    ]
    return secure(
        c,
        "io.jsonwebtoken.security.SignatureException",
        c.message(".result"),
        throw,
        ("support", "config"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SecurityException", "sec.access_control")
def access_control(c: Ctx) -> Incident:
    target = c.pick(c.values(".target"))
    throw = c.chain(".throw")
    return secure(
        c,
        "java.security.AccessControlException",
        f"access denied ({target})",
        throw,
        ("support", "util", "client"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SecurityException", "sec.jar_signature", contexts=("main", "test"))
def jar_signature(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return secure(
        c,
        "java.lang.SecurityException",
        "Invalid signature file digest for Manifest main attributes",
        throw,
        ("config", "support"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SecurityException", "sec.app_authorization")
def app_authorization(c: Ctx) -> Incident:
    account = c.account_no() if c.bank else c.pick(("/admin", "tenant-7", "bucket/reports"))
    message = c.pick(
        (
            c.text(".message", account=account),
            f"Tenant mismatch for resource {account}",
            f"Permission denied: {account}",
        )
    )
    owner = c.app(
        c.pick(("support", "service")), c.pick(("OwnershipChecker", "AccessGuard", "PermissionEvaluator", None))
    )
    site = owner.at(c.pick(("check", "verifyOwner", "assertAccess")), c.code.line())
    caller = c.frame(c.pick(("service", "controller")))
    return c.fail(
        "java.lang.SecurityException",
        message,
        [site, caller],
        fault=1,
        cause=c.text(".cause", caller=caller, account=account),
        fix=c.text(".fix"),
    )


@template("SecurityException", "sec.insufficient_authentication", codebases=("bank",), contexts=("web",))
def insufficient_authentication(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return secure(
        c,
        "org.springframework.security.authentication.InsufficientAuthenticationException",
        "Full authentication is required to access this resource",
        throw,
        ("controller",),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


# -------------------------------------------------------------------------------------- GeneralSecurityException


def cipher_final(c: Ctx) -> list[StackFrame]:
    return c.chain("security.cipher_final.result")


@template("GeneralSecurityException", "gse.bad_padding")
def bad_padding(c: Ctx) -> Incident:
    message = (
        "Given final block not properly padded. Such issues can arise if a bad key is used during decryption."
        if c.jdk.at_least(8)
        else "Given final block not properly padded"
    )
    throw = [*c.chain(".throw"), *cipher_final(c)]
    return secure(
        c,
        "javax.crypto.BadPaddingException",
        message,
        throw,
        ("util", "support", "client"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("GeneralSecurityException", "gse.aead_tag")
def aead_tag(c: Ctx) -> Incident:
    message = "Tag mismatch!" if c.jdk.version <= 11 else "Tag mismatch"
    throw = [
        c.j("com.sun.crypto.provider.GaloisCounterMode.decryptFinal", (571, 620, 1595, 1616))
        if c.jdk.version <= 11
        else c.j("com.sun.crypto.provider.GaloisCounterMode$GCMDecrypt.doFinal", (0, 0, 1595, 1616)),
        c.j("com.sun.crypto.provider.CipherCore.finalNoPadding", (1116, 1116, 1116, 1116))
        if c.jdk.version <= 11
        else c.j("com.sun.crypto.provider.GaloisCounterMode.engineDoFinal", (0, 0, 457, 457)),
        c.j("javax.crypto.Cipher.doFinal", (2168, 2208, 2205, 2244)),
    ]
    return secure(
        c,
        "javax.crypto.AEADBadTagException",
        message,
        throw,
        ("util", "support"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("GeneralSecurityException", "gse.block_size")
def block_size(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return secure(
        c,
        "javax.crypto.IllegalBlockSizeException",
        "Input length must be multiple of 16 when decrypting with padded cipher",
        throw,
        ("util", "support", "gateway"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("GeneralSecurityException", "gse.invalid_key")
def invalid_key(c: Ctx) -> Incident:
    if c.jdk.version <= 8 and c.chance(0.5):
        message = "Illegal key size or default parameters"
        throw = c.chain(".throw")
        what = c.pair(".what")
        fix = c.pair(".fix")
    else:
        length = c.pick((15, 20, 24 + 1, 31, 33))
        message = f"Invalid AES key length: {length} bytes"
        throw = c.chain(".throw_2")
        what = c.pair(".what_2", length=length)
        fix = c.pair(".fix_2")
    return secure(c, "java.security.InvalidKeyException", message, throw, ("util", "support", "config"), *what, *fix)


@template("GeneralSecurityException", "gse.no_such_algorithm")
def no_such_algorithm(c: Ctx) -> Incident:
    name = c.pick(
        ("AES/GCM/PKCS5Padding", "SEED/CBC/PKCS5Padding", "ARIA/CBC/PKCS5Padding", "SHA3-256", "HmacSHA512/256")
    )
    if "/" in name:
        message = f"Cannot find any provider supporting {name}"
        throw = [c.j("javax.crypto.Cipher.getInstance", (539, 565, 574, 580))]
        exception = "java.security.NoSuchAlgorithmException"
    else:
        message = f"{name} MessageDigest not available"
        throw = c.chain(".throw")
        exception = "java.security.NoSuchAlgorithmException"
    return secure(
        c,
        exception,
        message,
        throw,
        ("util", "support", "config"),
        *c.pair(".what", name=name),
        *c.pair(".fix"),
    )


@template("GeneralSecurityException", "gse.key_spec")
def key_spec(c: Ctx) -> Incident:
    root_message = c.pick(c.values(".root_message"))
    deep = [
        c.j("sun.security.pkcs.PKCS8Key.decode", (351, 350, 249, 249))
        if c.chance(0.5)
        else c.j("sun.security.rsa.RSAPrivateCrtKeyImpl.<init>", (184, 184, 180, 180)),
        *c.chain(".deep"),
    ]
    site = c.frame(c.pick(("util", "config", "support")))
    stack = c.call_stack([site], [*deep, c.j("java.security.KeyFactory.generatePrivate", (372, 390, 390, 390))])
    root = Thrown("java.security.InvalidKeyException", root_message, stack)
    wrap = Wrap(
        "java.security.spec.InvalidKeySpecException",
        lambda inner: inner.to_string(),
        at="sun.security.rsa.RSAKeyFactory.engineGeneratePrivate",
        line_delta=4,
    )
    return c.incident([root], wraps=[wrap], top=[site], cause=c.text(".cause", site=site), fix=c.text(".fix"))


@template("GeneralSecurityException", "gse.keystore_password")
def keystore_password(c: Ctx) -> Incident:
    site = c.frame(c.pick(("config", "client", "support")))
    load = [
        c.j("sun.security.provider.JavaKeyStore.engineLoad", (780, 815, 815, 815))
        if c.chance(0.5)
        else c.j("sun.security.pkcs12.PKCS12KeyStore.engineLoad", (2108, 2158, 2118, 2118)),
        c.j("java.security.KeyStore.load", (1445, 1479, 1473, 1473)),
    ]
    if c.chance(0.5):
        return c.fail(
            "java.security.UnrecoverableKeyException",
            c.pick(c.values(".result_2")),
            [site],
            c.chain(".result"),
            cause=c.text(".cause_2"),
            fix=c.text(".fix_2"),
        )
    return c.fail(
        "java.security.KeyStoreException",
        c.pick(("PKCS12 not found", "JKS not found", "Uninitialized keystore")),
        [site],
        [c.j("java.security.KeyStore.getInstance", (851, 870, 878, 878))]
        if c.chance(0.5)
        else load[:0] + [c.j("java.security.KeyStore.aliases", (1233, 1262, 1256, 1256))],
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("GeneralSecurityException", "gse.signature_verify")
def signature_verify(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    throw = [
        c.j("sun.security.rsa.RSASignature.engineVerify", (189, 215, 226, 236))
        if "length" in message
        else c.j("sun.security.ec.ECDSASignature.engineVerify", (0, 477, 380, 380)),
        *c.chain(".throw"),
    ]
    throw = [f for f in throw if f.line != 0]
    return secure(
        c,
        "java.security.SignatureException",
        message,
        throw,
        ("util", "support", "gateway"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


# ------------------------------------------------------------------------------------------------------ SSLException


def handshake_frames(c: Ctx) -> list[StackFrame]:
    if c.jdk.version <= 8:
        return c.chain("security.handshake_frames.result_2")
    return c.chain("security.handshake_frames.result")


def https_call(c: Ctx) -> list[StackFrame]:
    return [*c.chain("security.https_call.result"), *stacks.http_client_execute(c)]


def ssl_incident(
    c: Ctx, chain_specs: list[tuple[str, str, list[StackFrame]]], what_en: str, what_ko: str, fix_en: str, fix_ko: str
) -> Incident:
    """`chain_specs`: (exception, message, frames above the handshake), top to root (nested validator causes)."""
    site = c.frame(c.pick(("client", "gateway", "support")))
    base = c.call_stack([site], [*handshake_frames(c), *https_call(c)])
    chain = []
    for index, (exception, message, extra) in enumerate(chain_specs):
        chain.append(Thrown(exception, message, [*extra, *base[index:]] if index else [*extra, *base]))
    return c.incident(
        chain,
        top=[site],
        fault=site,
        cause=c.text("security.ssl_incident.cause", site=site, what_en=what_en, what_ko=what_ko),
        fix=c.t(fix_en, fix_ko),
    )


@template("SSLException", "ssl.pkix_path")
def pkix_path(c: Ctx) -> Incident:
    pkix = (
        c.message(".pkix")
    )
    validator = c.chain(".validator")
    builder = [*c.chain(".builder"), validator[0]]
    return ssl_incident(
        c,
        [
            ("javax.net.ssl.SSLHandshakeException", pkix, []),
            ("sun.security.validator.ValidatorException", pkix, validator),
            (
                "sun.security.provider.certpath.SunCertPathBuilderException",
                "unable to find valid certification path to requested target",
                builder,
            ),
        ],
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SSLException", "ssl.handshake_failure")
def handshake_failure(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    return ssl_incident(c, [("javax.net.ssl.SSLHandshakeException", message, [])], *c.pair(".what"), *c.pair(".fix"))


@template("SSLException", "ssl.hostname_mismatch")
def hostname_mismatch(c: Ctx) -> Incident:
    host = c.host()
    if c.chance(0.5):
        return ssl_incident(
            c,
            [
                (
                    "javax.net.ssl.SSLPeerUnverifiedException",
                    c.message(".result_2", host=host),
                    [c.lib("org.apache.http.conn.ssl.SSLConnectionSocketFactory.verifyHostname", 507)],
                )
            ],
            *c.pair(".what_2", host=host),
            *c.pair(".fix_2"),
        )
    return ssl_incident(
        c,
        [
            (
                "javax.net.ssl.SSLHandshakeException",
                f"No subject alternative names matching IP address {host} found",
                [],
            ),
            (
                "java.security.cert.CertificateException",
                f"No subject alternative names matching IP address {host} found",
                c.chain(".result"),
            ),
        ],
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SSLException", "ssl.certificate_expired")
def certificate_expired(c: Ctx) -> Incident:
    when = (
        c.message(
            ".when",
            choice=c.pick(('Mon', 'Tue', 'Sun', 'Fri')),
            choice_2=c.pick(('Mar', 'Jan', 'Oct')),
            number=c.randint(10, 28),
            number_2=c.randint(2019, 2024),
        )
    )
    deep = c.chain(".deep")
    return ssl_incident(
        c,
        [
            (
                "javax.net.ssl.SSLHandshakeException",
                "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed",
                [],
            ),
            ("java.security.cert.CertificateExpiredException", f"NotAfter: {when}", deep),
        ],
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SSLException", "ssl.plaintext")
def plaintext(c: Ctx) -> Incident:
    frames = (
        c.chain(".frames")
        if c.jdk.version <= 8
        else c.chain(".frames_2")
    )
    return ssl_incident(
        c,
        [("javax.net.ssl.SSLException", "Unrecognized SSL message, plaintext connection?", frames)],
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("SSLException", "ssl.bad_certificate_alert")
def bad_certificate_alert(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    return ssl_incident(c, [("javax.net.ssl.SSLHandshakeException", message, [])], *c.pair(".what"), *c.pair(".fix"))


@template("SSLException", "ssl.resttemplate_wrapped", codebases=("bank",))
def resttemplate_wrapped(c: Ctx) -> Incident:
    site = c.frame("client")
    url = c.url().replace("http://", "https://")
    base = c.call_stack([site], [*handshake_frames(c), *https_call(c), *stacks.rest_template_http(c)])
    message = (
        c.message(".message")
    )
    root = Thrown("javax.net.ssl.SSLHandshakeException", message, base)
    wrap = Wrap(
        "org.springframework.web.client.ResourceAccessException",
        lambda inner: (
            f'I/O error on POST request for "{url}": {inner.message}; nested exception is {inner.to_string()}'
        ),
        at="org.springframework.web.client.RestTemplate.doExecute",
        line_delta=9,
    )
    return c.incident([root], wraps=[wrap], top=[site], cause=c.text(".cause", url=url), fix=c.text(".fix"))


@template("SSLException", "ssl.trust_anchors", contexts=("main", "test", "web"))
def trust_anchors(c: Ctx) -> Incident:
    return ssl_incident(
        c,
        [("javax.net.ssl.SSLException", c.message(".result"), [])],
        *c.pair(".what"),
        *c.pair(".fix"),
    )
