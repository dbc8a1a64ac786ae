"""Security: SecurityException (Spring Security, JWT, Java security manager, jar signing), GeneralSecurityException
(JCA/JCE crypto: padding, keys, algorithms) and SSLException (TLS handshakes and certificate checks).

The regular templates are declared in utils/corpus/templates/security.yaml; these build chains by hand."""

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


# -------------------------------------------------------------------------------------- GeneralSecurityException


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

