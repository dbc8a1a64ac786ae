"""Security: SecurityException (Spring Security, JWT, Java security manager, jar signing), GeneralSecurityException
(JCA/JCE crypto: padding, keys, algorithms) and SSLException (TLS handshakes and certificate checks)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template


def secure(
    c: Ctx,
    exception: str,
    message: str | None,
    throw: list[StackFrame],
    roles: tuple[str, ...],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    **options,
) -> Incident:
    site = c.frame(c.pick(roles))
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method}: {what_en}", f"{site.method}: {what_ko}"),
        fix=c.t(fix_en, fix_ko),
        **options,
    )


# --------------------------------------------------------------------------------------------- SecurityException


@template("SecurityException", "sec.access_denied", codebases=("bank",), contexts=("web", "test"))
def access_denied(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [
            c.lib("org.springframework.security.access.vote.AffirmativeBased.decide", 73),
            c.lib(
                "org.springframework.security.access.intercept.AbstractSecurityInterceptor.attemptAuthorization", 239
            ),
            c.lib("org.springframework.security.access.intercept.AbstractSecurityInterceptor.beforeInvocation", 208),
            c.lib("org.springframework.security.access.intercept.aopalliance.MethodSecurityInterceptor.invoke", 58),
        ]
    else:
        throw = [
            c.lib(
                "org.springframework.security.authorization.method.AuthorizationManagerBeforeMethodInterceptor.attemptAuthorization",
                257,
            ),
            c.lib(
                "org.springframework.security.authorization.method.AuthorizationManagerBeforeMethodInterceptor.invoke",
                198,
            ),
        ]
    throw += [
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept", 708),
    ]
    role = c.pick(("ROLE_TELLER_MANAGER", "ROLE_ADMIN", "ROLE_SETTLEMENT", "ROLE_AUDITOR"))
    return secure(
        c,
        "org.springframework.security.access.AccessDeniedException",
        c.pick(("Access is denied", "Access Denied")),
        throw,
        ("controller", "service"),
        f"the caller lacks the authority required by @PreAuthorize/@Secured ({role})",
        f"호출자에게 @PreAuthorize/@Secured가 요구하는 권한({role})이 없음",
        f"Grant {role} to the user/client if intended, or fix the security expression on the method",
        f"의도된 경우 사용자/클라이언트에 {role} 권한을 부여하거나 메서드 보안 표현식을 수정",
    )


@template("SecurityException", "sec.bad_credentials", codebases=("bank",))
def bad_credentials(c: Ctx) -> Incident:
    throw = [
        c.lib(
            "org.springframework.security.authentication.dao.DaoAuthenticationProvider.additionalAuthenticationChecks",
            79,
        ),
        c.lib(
            "org.springframework.security.authentication.dao.AbstractUserDetailsAuthenticationProvider.authenticate",
            147,
        ),
        c.lib("org.springframework.security.authentication.ProviderManager.authenticate", 182),
        c.lib("org.springframework.security.authentication.ProviderManager.authenticate", 201),
    ]
    return secure(
        c,
        "org.springframework.security.authentication.BadCredentialsException",
        "Bad credentials",
        throw,
        ("service", "controller", "support"),
        "the submitted password does not match (wrong password or encoder mismatch)",
        "제출한 비밀번호가 일치하지 않음 (잘못된 비밀번호 또는 PasswordEncoder 불일치)",
        "Verify the credentials; if passwords were migrated, use a DelegatingPasswordEncoder with the right id",
        "자격 증명을 확인하고 비밀번호 마이그레이션 시 올바른 id의 DelegatingPasswordEncoder 사용",
    )


@template("SecurityException", "sec.jwt_expired")
def jwt_expired(c: Ctx) -> Incident:
    expired = f"{c.date()}T0{c.randint(1, 9)}:{c.randint(10, 59)}:{c.randint(10, 59)}Z"
    message = (
        f"JWT expired at {expired}. Current time: "
        f"{c.date()}T1{c.randint(0, 9)}:{c.randint(10, 59)}:{c.randint(10, 59)}Z, "
        f"a difference of {c.randint(1000, 90000000)} milliseconds.  Allowed clock skew: 0 milliseconds."
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
        "the access token presented by the client has expired",
        "클라이언트가 보낸 액세스 토큰이 만료됨",
        "Have the client refresh the token (and return 401 instead of 500); allow a small clock skew if servers drift",
        "클라이언트가 토큰을 갱신하도록 하고(500 대신 401 응답) 서버 시계 차이가 있으면 허용 오차 설정",
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
        "JWT signature does not match locally computed signature. JWT validity cannot be asserted and should not "
        "be trusted.",
        throw,
        ("support", "config"),
        "the token was signed with a different key than the one configured here",
        "토큰이 여기 설정된 키와 다른 키로 서명됨",
        "Use the same signing key/JWKS as the issuer (check environment-specific secrets)",
        "발급자와 같은 서명 키/JWKS를 사용 (환경별 시크릿 확인)",
    )


@template("SecurityException", "sec.access_control")
def access_control(c: Ctx) -> Incident:
    target = c.pick(
        (
            '"java.io.FilePermission" "/etc/bank/keystore.jks" "read"',
            '"java.util.PropertyPermission" "user.home" "read"',
            '"java.net.SocketPermission" "10.20.3.41:443" "connect,resolve"',
            '"java.lang.RuntimePermission" "exitVM.0"',
        )
    )
    throw = [
        c.j("java.security.AccessControlContext.checkPermission", (472, 472, 485, 485)),
        c.j("java.security.AccessController.checkPermission", (884, 897, 1068, 1071)),
        c.j("java.lang.SecurityManager.checkPermission", (549, 322, 411, 411)),
    ]
    return secure(
        c,
        "java.security.AccessControlException",
        f"access denied ({target})",
        throw,
        ("support", "util", "client"),
        "the security manager policy does not grant this permission",
        "보안 관리자 정책이 해당 권한을 허용하지 않음",
        "Grant the permission in the policy file for this codebase, or move the access to trusted code",
        "정책 파일에 해당 코드베이스 권한을 추가하거나 신뢰된 코드로 접근을 옮김",
    )


@template("SecurityException", "sec.jar_signature", contexts=("main", "test"))
def jar_signature(c: Ctx) -> Incident:
    throw = [
        c.j("sun.security.util.SignatureFileVerifier.processImpl", (330, 340, 340, 356)),
        c.j("sun.security.util.SignatureFileVerifier.process", (263, 281, 281, 297)),
        c.j("java.util.jar.JarVerifier.processEntry", (318, 327, 327, 327)),
        c.j("java.util.jar.JarVerifier.update", (230, 239, 239, 239)),
        c.j("java.util.jar.JarFile.initializeVerifier", (383, 760, 760, 760)),
    ]
    return secure(
        c,
        "java.lang.SecurityException",
        "Invalid signature file digest for Manifest main attributes",
        throw,
        ("config", "support"),
        "a repackaged (shaded/fat) jar still carries a signed dependency's .SF/.RSA files",
        "셰이딩/팻 jar에 서명된 의존성의 .SF/.RSA 파일이 남아 있음",
        "Exclude META-INF/*.SF, *.DSA, *.RSA when shading/repackaging",
        "셰이딩/리패키징 시 META-INF/*.SF, *.DSA, *.RSA를 제외",
    )


@template("SecurityException", "sec.app_authorization")
def app_authorization(c: Ctx) -> Incident:
    account = c.account_no() if c.bank else c.pick(("/admin", "tenant-7", "bucket/reports"))
    message = c.pick(
        (
            c.t(f"Caller is not the owner of account {account}", f"계좌 {account}에 대한 접근 권한이 없습니다"),
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
        cause=c.t(
            f"{caller.method} accessed {account} on behalf of a user who does not own it",
            f"{caller.method}가 소유자가 아닌 사용자를 대신해 {account}에 접근",
        ),
        fix=c.t(
            "Return 403 to the client; if legitimate, fix the ownership/tenant lookup used by the check",
            "클라이언트에 403으로 응답하고, 정상 요청이면 소유자/테넌트 조회 로직을 수정",
        ),
    )


@template("SecurityException", "sec.insufficient_authentication", codebases=("bank",), contexts=("web",))
def insufficient_authentication(c: Ctx) -> Incident:
    throw = [
        c.lib("org.springframework.security.web.access.ExceptionTranslationFilter.handleAccessDeniedException", 197),
        c.lib("org.springframework.security.web.access.ExceptionTranslationFilter.handleSpringSecurityException", 178),
        c.lib("org.springframework.security.web.access.ExceptionTranslationFilter.doFilter", 147),
    ]
    return secure(
        c,
        "org.springframework.security.authentication.InsufficientAuthenticationException",
        "Full authentication is required to access this resource",
        throw,
        ("controller",),
        "the request reached a protected endpoint without a valid session/token",
        "유효한 세션/토큰 없이 보호된 엔드포인트에 접근",
        "Send the Authorization header (or permit the endpoint explicitly if it must be public)",
        "Authorization 헤더를 보내거나 공개 엔드포인트면 명시적으로 허용",
    )


# -------------------------------------------------------------------------------------- GeneralSecurityException


def cipher_final(c: Ctx) -> list[StackFrame]:
    return [
        c.j("com.sun.crypto.provider.CipherCore.doFinal", (853, 934, 934, 940)),
        c.j("com.sun.crypto.provider.AESCipher.engineDoFinal", (446, 446, 456, 456)),
        c.j("javax.crypto.Cipher.doFinal", (2168, 2208, 2205, 2244)),
    ]


@template("GeneralSecurityException", "gse.bad_padding")
def bad_padding(c: Ctx) -> Incident:
    message = (
        "Given final block not properly padded. Such issues can arise if a bad key is used during decryption."
        if c.jdk.at_least(8)
        else "Given final block not properly padded"
    )
    throw = [
        c.j("com.sun.crypto.provider.CipherCore.unpad", (975, 975, 975, 980)),
        c.j("com.sun.crypto.provider.CipherCore.fillOutputBuffer", (1056, 1062, 1062, 1068)),
        *cipher_final(c),
    ]
    return secure(
        c,
        "javax.crypto.BadPaddingException",
        message,
        throw,
        ("util", "support", "client"),
        "decrypts data with a different key/IV than it was encrypted with (or corrupted ciphertext)",
        "암호화할 때와 다른 키/IV로 복호화 (또는 손상된 암호문)",
        "Use the same key, IV and transformation on both sides (check environment key rotation/encoding)",
        "양쪽에서 같은 키/IV/변환 방식을 사용 (환경별 키 교체/인코딩 확인)",
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
        "AES-GCM authentication failed: wrong key/IV or tampered/truncated ciphertext",
        "AES-GCM 인증 실패: 키/IV 불일치 또는 변조/잘린 암호문",
        "Store and send the IV with the ciphertext, use the right key, and reject tampered data",
        "IV를 암호문과 함께 저장/전송하고 올바른 키를 사용",
    )


@template("GeneralSecurityException", "gse.block_size")
def block_size(c: Ctx) -> Incident:
    throw = [
        c.j("com.sun.crypto.provider.CipherCore.prepareInputBuffer", (1005, 1005, 1005, 1011)),
        c.j("com.sun.crypto.provider.CipherCore.doFinal", (848, 848, 848, 854)),
        c.j("com.sun.crypto.provider.AESCipher.engineDoFinal", (446, 446, 456, 456)),
        c.j("javax.crypto.Cipher.doFinal", (2168, 2208, 2205, 2244)),
    ]
    return secure(
        c,
        "javax.crypto.IllegalBlockSizeException",
        "Input length must be multiple of 16 when decrypting with padded cipher",
        throw,
        ("util", "support", "gateway"),
        "decrypts input whose length is not a multiple of the block (e.g. Base64 text not decoded, truncated data)",
        "블록 크기의 배수가 아닌 입력을 복호화 (Base64 디코딩 누락, 잘린 데이터 등)",
        "Decode the transport encoding (Base64/hex) before decrypting and check for truncation",
        "복호화 전에 Base64/hex 디코딩을 하고 데이터 잘림을 확인",
    )


@template("GeneralSecurityException", "gse.invalid_key")
def invalid_key(c: Ctx) -> Incident:
    if c.jdk.version <= 8 and c.chance(0.5):
        message = "Illegal key size or default parameters"
        throw = [
            c.j("javax.crypto.Cipher.checkCryptoPerm", 1039),
            c.j("javax.crypto.Cipher.implInit", 805),
            c.j("javax.crypto.Cipher.chooseProvider", 864),
            c.j("javax.crypto.Cipher.init", 1396),
            c.j("javax.crypto.Cipher.init", 1327),
        ]
        what = (
            "the JDK's limited crypto policy forbids 256-bit AES",
            "JDK 제한 암호 정책이 256비트 AES를 허용하지 않음",
        )
        fix = (
            "Enable the unlimited crypto policy (crypto.policy=unlimited, or a newer JDK 8 update)",
            "무제한 암호 정책(crypto.policy=unlimited) 사용 또는 JDK 8 업데이트",
        )
    else:
        length = c.pick((15, 20, 24 + 1, 31, 33))
        message = f"Invalid AES key length: {length} bytes"
        throw = [
            c.j("com.sun.crypto.provider.AESCrypt.init", (87, 91, 90, 90)),
            c.j("com.sun.crypto.provider.CipherBlockChaining.init", (93, 93, 93, 93)),
            c.j("com.sun.crypto.provider.CipherCore.init", (591, 592, 592, 595)),
            c.j("com.sun.crypto.provider.AESCipher.engineInit", (346, 346, 346, 346)),
            c.j("javax.crypto.Cipher.init", (1394, 1444, 1445, 1497)),
            c.j("javax.crypto.Cipher.init", (1327, 1375, 1376, 1428)),
        ]
        what = (
            f"builds an AES key of {length} bytes (key text used directly instead of decoding/deriving it)",
            f"{length}바이트 AES 키를 생성 (키 문자열을 디코딩/파생 없이 그대로 사용)",
        )
        fix = (
            "Use a 16/24/32-byte key: decode the configured key (Base64/hex) or derive it properly",
            "16/24/32바이트 키 사용: 설정 키를 디코딩하거나 올바르게 파생",
        )
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
        throw = [
            c.j("sun.security.jca.GetInstance.getInstance", (159, 159, 159, 159)),
            c.j("java.security.Security.getImpl", (695, 700, 700, 700)),
            c.j("java.security.MessageDigest.getInstance", (167, 178, 180, 180)),
        ]
        exception = "java.security.NoSuchAlgorithmException"
    return secure(
        c,
        exception,
        message,
        throw,
        ("util", "support", "config"),
        f"requests {name}, which no installed security provider implements (e.g. BouncyCastle not registered)",
        f"설치된 보안 프로바이더가 지원하지 않는 {name} 요청 (BouncyCastle 미등록 등)",
        "Register the provider that implements it (Security.addProvider) or use a supported transformation",
        "해당 알고리즘을 구현한 프로바이더를 등록(Security.addProvider)하거나 지원되는 방식 사용",
    )


@template("GeneralSecurityException", "gse.key_spec")
def key_spec(c: Ctx) -> Incident:
    root_message = c.pick(
        (
            "IOException : algid parse error, not a sequence",
            "IOException : DerInputStream.getLength(): lengthTag=111, too big.",
            "invalid key format",
        )
    )
    deep = [
        c.j("sun.security.pkcs.PKCS8Key.decode", (351, 350, 249, 249))
        if c.chance(0.5)
        else c.j("sun.security.rsa.RSAPrivateCrtKeyImpl.<init>", (184, 184, 180, 180)),
        c.j("sun.security.rsa.RSAKeyFactory.generatePrivate", (315, 315, 319, 319)),
        c.j("sun.security.rsa.RSAKeyFactory.engineGeneratePrivate", (213, 213, 217, 217)),
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
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"{site.method} loads a private key that is not PKCS#8 DER (PEM headers left in, or PKCS#1 format)",
            f"{site.method}에서 PKCS#8 DER 형식이 아닌 개인키를 로드 (PEM 헤더 포함 또는 PKCS#1 형식)",
        ),
        fix=c.t(
            "Strip the PEM header/footer and Base64-decode, or convert the key to PKCS#8 (openssl pkcs8 -topk8)",
            "PEM 헤더/푸터를 제거하고 Base64 디코딩하거나 키를 PKCS#8로 변환(openssl pkcs8 -topk8)",
        ),
    )


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
            c.pick(
                (
                    "Password verification failed",
                    "Get Key failed: Given final block not properly padded. Such issues can arise if a bad key "
                    "is used during decryption.",
                )
            ),
            [site],
            [
                c.j("sun.security.pkcs12.PKCS12KeyStore.engineGetKey", (337, 441, 441, 445)),
                c.j("java.security.KeyStore.getKey", (1023, 1057, 1057, 1057)),
            ],
            cause=c.t(
                "The key password differs from the keystore password / the configured one",
                "키 비밀번호가 키스토어 비밀번호/설정값과 다름",
            ),
            fix=c.t(
                "Configure the correct key password (key-password) for the alias",
                "별칭에 맞는 키 비밀번호(key-password)를 설정",
            ),
        )
    return c.fail(
        "java.security.KeyStoreException",
        c.pick(("PKCS12 not found", "JKS not found", "Uninitialized keystore")),
        [site],
        [c.j("java.security.KeyStore.getInstance", (851, 870, 878, 878))]
        if c.chance(0.5)
        else load[:0] + [c.j("java.security.KeyStore.aliases", (1233, 1262, 1256, 1256))],
        cause=c.t(
            f"{site.method} uses a keystore type/state that is not available (wrong type or not loaded)",
            f"{site.method}에서 지원되지 않거나 로드되지 않은 키스토어 사용",
        ),
        fix=c.t(
            "Load the keystore before use and set the right type (PKCS12/JKS)",
            "사용 전에 키스토어를 load하고 올바른 타입(PKCS12/JKS) 지정",
        ),
    )


@template("GeneralSecurityException", "gse.signature_verify")
def signature_verify(c: Ctx) -> Incident:
    message = c.pick(
        (
            "Signature length not correct: got 255 but was expecting 256",
            "Signature encoding error",
            "Invalid encoding for signature",
            "error decoding signature bytes.",
        )
    )
    throw = [
        c.j("sun.security.rsa.RSASignature.engineVerify", (189, 215, 226, 236))
        if "length" in message
        else c.j("sun.security.ec.ECDSASignature.engineVerify", (0, 477, 380, 380)),
        c.j("java.security.Signature$Delegate.engineVerify", (1222, 1394, 1435, 1435)),
        c.j("java.security.Signature.verify", (652, 789, 789, 789)),
    ]
    throw = [f for f in throw if f.line != 0]
    return secure(
        c,
        "java.security.SignatureException",
        message,
        throw,
        ("util", "support", "gateway"),
        "verifies a signature whose bytes were altered in transit (encoding/trimming, e.g. a lost leading zero byte)",
        "전송 중 변형된 서명 바이트를 검증 (인코딩/자르기, 선행 0 바이트 손실 등)",
        "Transport signatures as Base64 bytes (not numbers/strings that drop zeros) and check the algorithm",
        "서명은 Base64 바이트로 전송하고(0 손실 방지) 알고리즘을 확인",
    )


# ------------------------------------------------------------------------------------------------------ SSLException


def handshake_frames(c: Ctx) -> list[StackFrame]:
    if c.jdk.version <= 8:
        return [
            c.j("sun.security.ssl.Alerts.getSSLException", 192),
            c.j("sun.security.ssl.SSLSocketImpl.fatal", 1946),
            c.j("sun.security.ssl.Handshaker.fatalSE", 316),
            c.j("sun.security.ssl.Handshaker.fatalSE", 310),
            c.j("sun.security.ssl.ClientHandshaker.serverCertificate", 1639),
            c.j("sun.security.ssl.ClientHandshaker.processMessage", 223),
            c.j("sun.security.ssl.Handshaker.processLoop", 1037),
            c.j("sun.security.ssl.Handshaker.process_record", 965),
            c.j("sun.security.ssl.SSLSocketImpl.readRecord", 1064),
            c.j("sun.security.ssl.SSLSocketImpl.performInitialHandshake", 1367),
            c.j("sun.security.ssl.SSLSocketImpl.startHandshake", 1395),
            c.j("sun.security.ssl.SSLSocketImpl.startHandshake", 1379),
        ]
    return [
        c.j("sun.security.ssl.Alert.createSSLException", (0, 131, 131, 130)),
        c.j("sun.security.ssl.TransportContext.fatal", (0, 324, 371, 378)),
        c.j("sun.security.ssl.TransportContext.fatal", (0, 267, 314, 321)),
        c.j("sun.security.ssl.TransportContext.fatal", (0, 262, 309, 316)),
        c.j("sun.security.ssl.CertificateMessage$T13CertificateConsumer.checkServerCerts", (0, 1339, 1357, 1357)),
        c.j("sun.security.ssl.CertificateMessage$T13CertificateConsumer.onConsumeCertificate", (0, 1214, 1232, 1232)),
        c.j("sun.security.ssl.CertificateMessage$T13CertificateConsumer.consume", (0, 1157, 1175, 1175)),
        c.j("sun.security.ssl.SSLHandshake.consume", (0, 396, 396, 396)),
        c.j("sun.security.ssl.HandshakeContext.dispatch", (0, 444, 480, 480)),
        c.j("sun.security.ssl.TransportContext.dispatch", (0, 182, 206, 206)),
        c.j("sun.security.ssl.SSLTransport.decode", (0, 171, 172, 172)),
        c.j("sun.security.ssl.SSLSocketImpl.decode", (0, 1408, 1506, 1489)),
        c.j("sun.security.ssl.SSLSocketImpl.readHandshakeRecord", (0, 1314, 1421, 1404)),
        c.j("sun.security.ssl.SSLSocketImpl.startHandshake", (0, 440, 456, 451)),
        c.j("sun.security.ssl.SSLSocketImpl.startHandshake", (0, 411, 427, 422)),
    ]


def https_call(c: Ctx) -> list[StackFrame]:
    return [
        c.lib("org.apache.http.conn.ssl.SSLConnectionSocketFactory.createLayeredSocket", 436),
        c.lib("org.apache.http.conn.ssl.SSLConnectionSocketFactory.connectSocket", 384),
        c.lib("org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect", 142),
        c.lib("org.apache.http.impl.conn.PoolingHttpClientConnectionManager.connect", 376),
        c.lib("org.apache.http.impl.execchain.MainClientExec.establishRoute", 393),
        *stacks.http_client_execute(c),
    ]


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
        cause=c.t(f"{site.method}: {what_en}", f"{site.method}: {what_ko}"),
        fix=c.t(fix_en, fix_ko),
    )


@template("SSLException", "ssl.pkix_path")
def pkix_path(c: Ctx) -> Incident:
    pkix = (
        "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find "
        "valid certification path to requested target"
    )
    validator = [
        c.j("sun.security.validator.PKIXValidator.doBuild", (397, 439, 439, 439)),
        c.j("sun.security.validator.PKIXValidator.engineValidate", (302, 306, 306, 306)),
        c.j("sun.security.validator.Validator.validate", (260, 264, 264, 264)),
        c.j("sun.security.ssl.X509TrustManagerImpl.validate", (324, 313, 313, 313)),
        c.j("sun.security.ssl.X509TrustManagerImpl.checkTrusted", (229, 222, 222, 222)),
        c.j("sun.security.ssl.X509TrustManagerImpl.checkServerTrusted", (124, 129, 129, 129)),
    ]
    builder = [
        c.j("sun.security.provider.certpath.SunCertPathBuilder.build", (141, 141, 148, 148)),
        c.j("sun.security.provider.certpath.SunCertPathBuilder.engineBuild", (126, 126, 129, 129)),
        c.j("java.security.cert.CertPathBuilder.build", (280, 297, 297, 297)),
        validator[0],
    ]
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
        "the server's certificate chain is not trusted by the JVM truststore (private CA / missing intermediate)",
        "서버 인증서 체인을 JVM truststore가 신뢰하지 않음 (사설 CA / 중간 인증서 누락)",
        "Import the CA into the truststore used by the app (or the server must send its intermediate certificate)",
        "앱이 사용하는 truststore에 CA를 등록 (또는 서버가 중간 인증서를 함께 전송하도록 설정)",
    )


@template("SSLException", "ssl.handshake_failure")
def handshake_failure(c: Ctx) -> Incident:
    message = c.pick(
        (
            "Received fatal alert: handshake_failure",
            "No appropriate protocol (protocol is disabled or cipher suites are inappropriate)",
            "Received fatal alert: protocol_version",
            "No negotiable cipher suite",
        )
    )
    return ssl_incident(
        c,
        [("javax.net.ssl.SSLHandshakeException", message, [])],
        "client and server share no TLS protocol/cipher suite (TLS 1.0/1.1 disabled, old server)",
        "클라이언트와 서버가 공통 TLS 프로토콜/암호군이 없음 (TLS 1.0/1.1 비활성화, 구형 서버)",
        "Align TLS versions/cipher suites (upgrade the server or enable the required protocol deliberately)",
        "TLS 버전/암호군을 맞춤 (서버 업그레이드 또는 필요한 프로토콜을 의도적으로 허용)",
    )


@template("SSLException", "ssl.hostname_mismatch")
def hostname_mismatch(c: Ctx) -> Incident:
    host = c.host()
    if c.chance(0.5):
        return ssl_incident(
            c,
            [
                (
                    "javax.net.ssl.SSLPeerUnverifiedException",
                    f"Certificate for <{host}> doesn't match any of the subject alternative names: [*.example.com, "
                    "example.com]",
                    [c.lib("org.apache.http.conn.ssl.SSLConnectionSocketFactory.verifyHostname", 507)],
                )
            ],
            f"the certificate presented by {host} is not issued for that host name",
            f"{host}가 제시한 인증서가 해당 호스트명용이 아님",
            "Call the host name on the certificate (or get a certificate with the right SAN); never disable "
            "verification",
            "인증서에 있는 호스트명으로 호출하거나 올바른 SAN 인증서를 발급 (검증 비활성화 금지)",
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
                [
                    c.j("sun.security.util.HostnameChecker.matchIP", (168, 165, 165, 165)),
                    c.j("sun.security.util.HostnameChecker.match", (94, 101, 101, 101)),
                ],
            ),
        ],
        "the server is called by IP address but its certificate lists only DNS names",
        "서버를 IP로 호출했는데 인증서에는 DNS 이름만 있음",
        "Use the DNS name from the certificate, or add the IP as a SAN",
        "인증서의 DNS 이름으로 호출하거나 IP를 SAN에 추가",
    )


@template("SSLException", "ssl.certificate_expired")
def certificate_expired(c: Ctx) -> Incident:
    when = (
        f"{c.pick(('Mon', 'Tue', 'Sun', 'Fri'))} {c.pick(('Mar', 'Jan', 'Oct'))} {c.randint(10, 28)} 23:59:59 "
        f"KST {c.randint(2019, 2024)}"
    )
    deep = [
        c.j("sun.security.x509.CertificateValidity.valid", (274, 277, 277, 277)),
        c.j("sun.security.x509.X509CertImpl.checkValidity", (675, 629, 630, 630)),
    ]
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
        "the server (or an intermediate) certificate has expired",
        "서버(또는 중간) 인증서가 만료됨",
        "Renew and install the certificate on the server; monitor expiry dates",
        "서버 인증서를 갱신/설치하고 만료일을 모니터링",
    )


@template("SSLException", "ssl.plaintext")
def plaintext(c: Ctx) -> Incident:
    frames = (
        [c.j("sun.security.ssl.InputRecord.handleUnknownRecord", 710), c.j("sun.security.ssl.InputRecord.read", 527)]
        if c.jdk.version <= 8
        else [
            c.j("sun.security.ssl.SSLSocketInputRecord.handleUnknownRecord", (0, 439, 456, 451)),
            c.j("sun.security.ssl.SSLSocketInputRecord.decode", (0, 184, 175, 170)),
            c.j("sun.security.ssl.SSLTransport.decode", (0, 108, 110, 111)),
        ]
    )
    return ssl_incident(
        c,
        [("javax.net.ssl.SSLException", "Unrecognized SSL message, plaintext connection?", frames)],
        "speaks TLS to a port that answers plain HTTP (https:// URL for an http endpoint)",
        "평문 HTTP 포트에 TLS로 접속 (http 엔드포인트에 https:// 사용)",
        "Use the right scheme/port (http vs https) for the endpoint",
        "엔드포인트에 맞는 스킴/포트(http/https) 사용",
    )


@template("SSLException", "ssl.bad_certificate_alert")
def bad_certificate_alert(c: Ctx) -> Incident:
    message = c.pick(
        (
            "Received fatal alert: bad_certificate",
            "Received fatal alert: certificate_unknown",
            "Received fatal alert: unknown_ca",
        )
    )
    return ssl_incident(
        c,
        [("javax.net.ssl.SSLHandshakeException", message, [])],
        "the server rejected the client certificate (mutual TLS with a wrong/missing client cert)",
        "서버가 클라이언트 인증서를 거부 (mTLS 인증서 누락/불일치)",
        "Configure the client keystore with the certificate the server expects (and its chain)",
        "서버가 요구하는 클라이언트 인증서(체인 포함)를 keystore에 설정",
    )


@template("SSLException", "ssl.resttemplate_wrapped", codebases=("bank",))
def resttemplate_wrapped(c: Ctx) -> Incident:
    site = c.frame("client")
    url = c.url().replace("http://", "https://")
    base = c.call_stack([site], [*handshake_frames(c), *https_call(c), *stacks.rest_template_http(c)])
    message = (
        "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to "
        "find valid certification path to requested target"
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
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"The HTTPS call to {url} fails the certificate check (untrusted CA)",
            f"{url} HTTPS 호출이 인증서 검증에 실패 (신뢰되지 않은 CA)",
        ),
        fix=c.t(
            "Add the partner's CA to the truststore configured for RestTemplate's HTTP client",
            "RestTemplate HTTP 클라이언트의 truststore에 상대 기관 CA를 추가",
        ),
    )


@template("SSLException", "ssl.trust_anchors", contexts=("main", "test", "web"))
def trust_anchors(c: Ctx) -> Incident:
    return ssl_incident(
        c,
        [
            (
                "javax.net.ssl.SSLException",
                "java.lang.RuntimeException: Unexpected error: java.security.InvalidAlgorithmParameterException: "
                "the trustAnchors parameter must be non-empty",
                [],
            )
        ],
        "the configured truststore is empty or unreadable (wrong path/password/type)",
        "설정된 truststore가 비어 있거나 읽을 수 없음 (경로/비밀번호/타입 오류)",
        "Point javax.net.ssl.trustStore to a valid store with the right password/type",
        "javax.net.ssl.trustStore를 올바른 비밀번호/타입의 유효한 저장소로 지정",
    )
