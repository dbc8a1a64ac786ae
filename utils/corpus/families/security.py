"""Security: SecurityException (Spring Security, JWT, Java security manager, jar signing), GeneralSecurityException
(JCA/JCE crypto: padding, keys, algorithms) and SSLException (TLS handshakes and certificate checks).

The regular templates are declared in utils/corpus/templates/security.yaml; the SSL failures with nested causes
(validator exceptions under the handshake's) are built here."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper
from utils.corpus.model import Incident, Thrown, template
from utils.corpus.tables import tables

NESTED = tables().maps["ssl.nested"]  # a failure -> its exceptions, top to root cause (see security.yaml)


@helper("https_url")
def https_url(c: Ctx) -> str:
    """A URL the client calls over TLS."""
    return c.url().replace("http://", "https://")


def ssl_incident(c: Ctx, failure: str, **slots: str) -> Incident:
    """The exceptions of `failure` (security.yaml: ssl.nested) over one handshake stack at an HTTPS call of the
    application; each cause's stack starts one handshake frame further down. Texts: `<failure>.what`, `.fix`."""
    site = c.frame(c.pick(c.values("ssl.site_roles")))
    handshake = c.chain("ssl.https_handshake.jdk8" if c.jdk.version <= 8 else "ssl.https_handshake")
    base = c.call_stack([site], handshake)
    chain: list[Thrown] = []
    for index, (cls, spec) in enumerate(NESTED[failure].items()):
        above = c.chain(spec["frames"]) if "frames" in spec else []
        chain.append(Thrown(cls, c.message(spec["message"], **slots), [*above, *base[index:]]))
    what = c.text(f"{failure}.what", **slots)
    return c.incident(
        chain,
        top=[site],
        fault=site,
        cause=c.text("site.what", site=site, what=what),
        fix=c.text(f"{failure}.fix"),
    )


@template("SSLException", "ssl.pkix_path")
def pkix_path(c: Ctx) -> Incident:
    return ssl_incident(c, "ssl.pkix_path")


@template("SSLException", "ssl.hostname_mismatch")
def hostname_mismatch(c: Ctx) -> Incident:
    host = c.host()
    if c.chance(0.5):  # the certificate passes the JDK's checks but not HttpClient's host name verifier
        return ssl_incident(c, "ssl.hostname_mismatch.verifier", host=host)
    return ssl_incident(c, "ssl.hostname_mismatch", host=host)


@template("SSLException", "ssl.certificate_expired")
def certificate_expired(c: Ctx) -> Incident:
    day, month = c.pick(c.values(".days")), c.pick(c.values(".months"))
    when = c.message(".when", day=day, month=month, date=c.randint(10, 28), year=c.randint(2019, 2024))
    return ssl_incident(c, "ssl.certificate_expired", when=when)
