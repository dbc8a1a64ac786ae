"""PII redaction (utils/redact.py): each kind found, Java traces left whole, placeholders stable, linear time.

Every number here is made up for these tests; card and RRN check digits are computed by `_luhn_complete` /
`_rrn_complete` below, so no real card or person is named.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from utils.redact import RedactOptions, Redactor, luhn_ok, redact, rrn_checksum_ok

PLACEHOLDERS = ("<CARD>", "<RRN>", "<ACCOUNT>", "<EMAIL>", "<PHONE>", "<TOKEN>", "<SECRET>", "<IP>")


def _luhn_complete(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def _rrn_complete(first12: str) -> str:
    return next(first12 + d for d in "0123456789" if rrn_checksum_ok(first12 + d))


def _rrn_wrong(first12: str) -> str:
    return next(first12 + d for d in "0123456789" if not rrn_checksum_ok(first12 + d))


def _group(digits: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, position = [], 0
    for size in sizes:
        parts.append(digits[position: position + size])
        position += size
    return sep.join(parts)


VISA16 = _luhn_complete("453201234567890")
MASTER16 = _luhn_complete("542511223344556")
MASTER2 = _luhn_complete("222100000000001")
AMEX15 = _luhn_complete("37828012345678")
DOMESTIC16 = _luhn_complete("941012345678901")
UNION19 = _luhn_complete("621234567890123456"[:18])
VISA13 = _luhn_complete("412345678901")


def test_check_digit_helpers():
    assert luhn_ok("4532012345678902") and not luhn_ok("4532012345678903")
    assert rrn_checksum_ok("8503151234566") and not rrn_checksum_ok("8503151234567")


# ---------------------------------------------------------------------------------------------------------------
# Positive cases per kind


# Each text names one thing of its kind: redaction finds it once.
FOUND_ONCE: dict[str, list[str]] = {
    "<CARD>": [
        f"결제 요청 카드번호={_group(VISA16, (4, 4, 4, 4), '-')} 승인 거절",
        f"pan {_group(MASTER16, (4, 4, 4, 4), ' ')} declined",
        f"charge failed for {_group(AMEX15, (4, 6, 5), ' ')}",
        f"payload={{\"cardNumber\":\"{MASTER2}\"}}",
        f"GET /cards/{DOMESTIC16}/limits 404",
        f"unionpay {UNION19} rejected",
        f"old visa card {VISA13} expired",
    ],
    "<RRN>": [
        f"고객 주민등록번호: {_rrn_complete('850315123456')[:6]}-{_rrn_complete('850315123456')[6:]}",
        f"rrn={_rrn_wrong('211014312345')[:6]}-{_rrn_wrong('211014312345')[6:]}",  # post-2020 style: no check digit
        f"{_rrn_complete('030722412345')[:6]}-{_rrn_complete('030722412345')[6:]} 본인확인 실패",  # check digit alone
        f"residentNo {_rrn_wrong('790101123456')}",  # bare 13 digits after a context word
        f"외국인 ssn: {_rrn_complete('911111567890')[:6]}-{_rrn_complete('911111567890')[6:]}",
    ],
    "<ACCOUNT>": [
        "이체 실패: 출금계좌 110-234-567890",
        "account 1002-345-678901 frozen",
        "입금 123456-78-901234 처리",
        "acct 3333-12-3456789",
        "NH 301-2345-6789-01 한도초과",
        "계좌번호 12345678901234 조회",
        "toAccount=110234567890",
    ],
    "<EMAIL>": [
        "notify hong.gildong@example-bank.co.kr failed",
        "to=<ops+alerts@mail.example.com>",
        "mailto:k.lee@sub.example.org",
    ],
    "<PHONE>": [
        "SMS to 010-2345-6789 failed",
        "mobile=01098765432",
        "tel 011 234 5678",
        "지점 02-345-6789",
        "call (031) 234-5678",
        "070-1234-5678 busy",
        "+82 10-2345-6789",
        "+82-2-345-6789",
        "+1 415 555 0134",
        "+44 20 7946 0321",
        "+14155550134",
    ],
    "<TOKEN>": [
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLWhlcmU",
        "jwt eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJiYW5rIn0.AbC_dEf-123",
        "Authorization: Bearer 9f8e7d6c5b4a39281706",
        "Authorization: Basic YWxpY2U6czNjcmV0IQ==",
        "aws key AKIA2EXAMPLE7KEY9XYZ in env",
        "token ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 leaked",
        "OPENAI sk-proj-4bC9dE2fG7hJ1kL8mN3pQ6rS",
        "slack xoxb-1234567890-abcdefghij",
        "sessionId=3f2a9c0d1e2b3a4f5c6d7e8f9a0b1c2d",
        "signature: q8Zk2mN5pR7tV9xB1dF3hJ6lA4cE0gI=",
    ],
}


@pytest.mark.parametrize("placeholder, text", [(kind, text) for kind, texts in FOUND_ONCE.items() for text in texts])
def test_each_kind_found_once(placeholder, text):
    assert redact(text).count(placeholder) == 1, redact(text)


def test_card_keeps_its_surroundings():
    assert redact(f"card={VISA16}, amount=1000") == "card=<CARD>, amount=1000"


@pytest.mark.parametrize("text", [
    f"{_rrn_wrong('850315123456')[:6]}-{_rrn_wrong('850315123456')[6:]} lookup",  # valid date, no check, no word
    "주민등록번호 851332-1234567",  # no 32nd day
    "주민번호 850315-9234567",  # back part starting with 9: no such number
    "rrn 990229-1234567",  # 1999 was no leap year
])
def test_rrn_lookalikes_stay(text):
    assert "<RRN>" not in redact(text)


def test_numbers_a_planted_pii_hunt_found_leaking() -> None:
    """Each of these passed through un-redacted before 2026-12-06."""
    stored = _rrn_complete("880212134567")  # how a database column holds it: 13 digits, no dash, the word after
    assert redact(f"Duplicate entry '{stored}' for key 'uk_customer_rrn'") == (
        "Duplicate entry '<RRN>' for key 'uk_customer_rrn'")
    track = _luhn_complete("421489712328178")
    assert redact(f"swipe %B{track}^KIM/MINSU^2612") == "swipe %B<CARD>^KIM/MINSU^2612"  # magnetic-stripe track 1
    # Toss, Daegu, Citi formats: build numbers and id ranges share them, so only beside an account word
    assert redact("toAccountNo=1000-1234-5678, 계좌 508-10-123456-7, acct 123-45678-901") == (
        "toAccountNo=<ACCOUNT>, 계좌 <ACCOUNT>, acct <ACCOUNT>")
    assert redact("build 2024-0612-1530 started, requestId: 1234-5678-9012") == (
        "build 2024-0612-1530 started, requestId: 1234-5678-9012")
    assert redact("ACNO:11034567890 acntNo=30212345678") == "ACNO:<ACCOUNT> acntNo=<ACCOUNT>"
    assert redact("?email=choi.eunji%40woori.example") == "?email=<EMAIL>"  # URL-encoded
    assert redact("call 010.5678.1234 now") == "call <PHONE> now"


def test_xml_elements_doubly_escaped_json_and_phones_a_hunt_listed_as_leaking() -> None:
    """Each was listed as a known leak on 2026-12-06 and passed through un-redacted."""
    # SOAP / ISO 20022 bodies logged whole: the element names the value
    assert redact("<password>S3cretXml9</password><ns2:userPassword>Xm1Pw!</ns2:userPassword>") == (
        "<password><SECRET></password><ns2:userPassword><SECRET></ns2:userPassword>")
    assert redact("<pin>1234</pin><otpNo>551923</otpNo><ns1:cvv>448</ns1:cvv>") == (
        "<pin><SECRET></pin><otpNo><SECRET></otpNo><ns1:cvv><SECRET></ns1:cvv>")
    # a JSON body in a string field of a JSON event, logged as a JSON string: each quote behind three backslashes
    doubly = json.dumps(json.dumps(json.dumps({"password": "Dbl3scPw", "pin": "4821", "token": "tk_8f7e6d5c4b3a2910"})))
    assert "\\\\\\\"password" in doubly
    assert redact(doubly) == json.dumps(json.dumps(json.dumps(
        {"password": "<SECRET>", "pin": "<SECRET>", "token": "<SECRET>"})))
    # Korean mobiles with the prefix in parentheses, or the country code without its '+'
    assert redact("tel (010) 2345-6789, (010)2345-6789, 휴대폰 (010) 2345 6789, (010)-2345-6789, (010)23456789") == (
        "tel <PHONE>, <PHONE>, 휴대폰 <PHONE>, <PHONE>, <PHONE>")
    assert redact("to 82-10-2345-6789 / 0082-10-2345-6789 / 연락처: 82 10-2345-6789 / 82-(0)10-2345-6789") == (
        "to <PHONE> / <PHONE> / 연락처: <PHONE> / <PHONE>")
    # a review's further cases: attributes (WS-Security, SOAP encoding), CDATA, org.json's <\/, escaped XML
    assert redact('<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-'
                  'profile-1.0#PasswordText">Wss3cret!9</wsse:Password>').endswith(
        '#PasswordText"><SECRET></wsse:Password>')
    assert redact('<ns2:userPassword xsi:type="xsd:string">Xm1Pw!77</ns2:userPassword><pin xsi:type="xsd:string">'
                  '4821</pin>') == ('<ns2:userPassword xsi:type="xsd:string"><SECRET></ns2:userPassword>'
                                    '<pin xsi:type="xsd:string"><SECRET></pin>')
    assert redact("<password><![CDATA[Cd@taPw1]]></password><pin> 4821 </pin><password>a>b9X</password>") == (
        "<password><![CDATA[<SECRET>]]></password><pin> <SECRET> </pin><password><SECRET></password>")
    assert redact('{"payload":"<login><password>OrgJs0nPw<\\/password><pin>4821<\\/pin></login>"}') == (
        '{"payload":"<login><password><SECRET><\\/password><pin><SECRET><\\/pin></login>"}')
    assert redact("&lt;password&gt;EscXmlPw1&lt;/password&gt;&lt;pin&gt;4821&lt;/pin&gt;") == (
        "&lt;password&gt;<SECRET>&lt;/password&gt;&lt;pin&gt;<SECRET>&lt;/pin&gt;")
    assert redact("<otpValue>551923</otpValue><pinCd>4821</pinCd>") == (
        "<otpValue><SECRET></otpValue><pinCd><SECRET></pinCd>")
    # Gson escapes '=' in a value (HTML-safe by default); a card number glued to its word
    assert redact('{"password":"Pw\\u003d1Gson","pin":"4821"}') == '{"password":"<SECRET>","pin":"<SECRET>"}'
    card = _luhn_complete("411111111111111")
    assert redact(f"cardNo_{card} cardNumber{card}x CARD_NO={card}") == "cardNo_<CARD> cardNumber<CARD>x CARD_NO=<CARD>"
    assert redact(f"paymentCardNumber_{card} 카드번호_{card} visaPan{card}") == (
        "paymentCardNumber_<CARD> 카드번호_<CARD> visaPan<CARD>")
    assert redact('{\\"password\\":\\"Pw\\u003d1\\"}') == '{\\"password\\":\\"<SECRET>\\"}'
    # glued to another word, it is an id, even a card service's (a review's false positives of a first version)
    for ids in [f"order_{card} txn{card} card issued; batch_{card}", f"cardTxId_{card} cardinality_{card}",
                f"creditsRemaining{card} visaFileSeq{card} dashboardCardV{card} 헬스체크 req_{card}",
                f"discardedMsgIdKeys_{card} cardFingerprint_{card}ab9f0c1d2e",
                '{"password":"\\u003cmasked\\u003e"}']:
        assert redact(ids) == ids
    # a one-character password is still one; a value shaped like a reference inside a longer one is not skipped
    assert redact("password=1 pwd=0 password=$ecret9 password=a@b.c@") == (
        "password=<SECRET> pwd=<SECRET> password=<SECRET> password=<SECRET>")


def test_xml_and_phone_lookalikes_stay() -> None:
    for text in ["<pinned>true</pinned><passwordPolicy>strong</passwordPolicy><password/>",
                 "<password>${DB_PASSWORD}</password><pin>ON</pin><otp>600</otp>",
                 "<spin>1234</spin><pinCount>3</pinCount>",
                 "ids 82-1-2345-6789 8210-2345-6789 182-10-2345-6789 82-10-2345-67890",
                 "(0100) 2345-6789 (010) 23-4567",
                 # a review's false positives of the first version: columns of numbers, build ids, comparisons,
                 # flags
                 "cpu0 82 10 1234 5678 0 0 0 0 0", "partition 82 2 123 4567", "build 82-2-123-4567",
                 "WHERE t.otp_no>100000 AND t.pin_no>1000", "if (pinAttempts>3 || otp>999999) lock(); cvc>999",
                 "<ns2:isTempPassword>Y</ns2:isTempPassword><changePassword>N</changePassword>"
                 "<resetPassword>enabled</resetPassword>",
                 "<privateKey>~/.ssh/id_rsa</privateKey>", "isTempPassword=Y",
                 # ... and a second review's: SQL in a MyBatis mapper, a key word in another element's attributes,
                 # references to a secret
                 '<select id="countOtp">SELECT COUNT(*) FROM t_otp WHERE otp_no > 100000</select>',
                 "<delete>DELETE FROM t WHERE otp_code &gt; 20240612</delete>",
                 '<if test="pin_no != null">AND pin_no > 1000</if> WHERE otp_no > 100000\n  </select>',
                 '<Property name="otp ttl">300000</Property><span class="otp timer">180000</span>',
                 "<password>@db.password@</password><password>$DB_PASSWORD</password><password>%DB_PASS%</password>",
                 "<privateKey>classpath:keys/jwt-private.pem</privateKey><password>&lt;masked&gt;</password>",
                 "<privateKey>C:\\Users\\deploy\\.ssh\\id_rsa</privateKey> password=$DB_PASSWORD"]:
        assert redact(text) == text, text


def test_a_context_word_after_the_value_counts_after_a_duplicate_key_phrase() -> None:
    # MySQL's duplicate-key error names the column after the value
    assert redact("Duplicate entry '11098765432109' for key 'uk_deposit_account_no'") == (
        "Duplicate entry '<ACCOUNT>' for key 'uk_deposit_account_no'")
    # a format that needs its word within 16 characters before it still reads the whole column name after the phrase
    assert redact("Duplicate entry '1002-1234-5678' for key 'uk_deposit_account_no'") == (
        "Duplicate entry '<ACCOUNT>' for key 'uk_deposit_account_no'")


def test_a_final_reread_s_cases() -> None:
    old_visa = _luhn_complete("411111111111")  # 13 digits: a bare run needs a card word, a track's format is one
    assert redact(f"swipe %B{old_visa}^DOE/J^2612") == "swipe %B<CARD>^DOE/J^2612"
    assert redact("pin=2024-06-12 reset") == "pin=2024-06-12 reset"  # a date, not a PIN
    assert redact("processed 11098765432109 rows\naccount sync done") == "processed 11098765432109 rows\naccount sync done"
    # unquoted, the words after a number are about something else
    assert redact("offset 1234567890 for partition account-events-3") == "offset 1234567890 for partition account-events-3"
    assert redact(f"txId={_rrn_complete('240101123456')} done") == f"txId={_rrn_complete('240101123456')} done"


def test_epoch_millis_with_an_rrn_shape_and_check_digit_stay() -> None:
    millis = _rrn_complete("170123456789")  # epoch millis of late 2023; an RRN date shape and check digit too
    assert redact(f"at {millis} the job ended") == f"at {millis} the job ended"


def test_plain_digit_run_without_account_word_stays():
    assert redact("processed 110234567890 bytes") == "processed 110234567890 bytes"


@pytest.mark.parametrize("text, expected", [
    ("jdbc:mysql://app:S3cr3t!@db.bank.local:3306/core", "jdbc:mysql://app:<SECRET>@db.bank.local:3306/core"),
    ("https://svc:p%40ss@api.example.com/x", "https://svc:<SECRET>@api.example.com/x"),
    ("jdbc:sqlserver://db;user=sa;password=Pa55w0rd;encrypt=true", "jdbc:sqlserver://db;user=sa;password=<SECRET>;encrypt=true"),
    ("jdbc:postgresql://db/core?user=app&pwd=xyz&ssl=true", "jdbc:postgresql://db/core?user=app&pwd=<SECRET>&ssl=true"),
    ("jdbc:oracle:thin:scott/t1ger@db:1521:orcl", "jdbc:oracle:thin:scott/<SECRET>@db:1521:orcl"),
    ("password: hunter2", "password: <SECRET>"),
    ('{"password": "correct horse battery"}', '{"password": "<SECRET>"}'),
    ("User{name=kim, password=abc}", "User{name=kim, password=<SECRET>}"),
    ("client_secret=Zx9_rtY", "client_secret=<SECRET>"),
    ("spring.datasource.password=dbPass1", "spring.datasource.password=<SECRET>"),
    ("api_key=k-77f2", "api_key=<SECRET>"),
    ("accessToken=AbC123xyz789", "accessToken=<SECRET>"),
    ("비밀번호=qwer1234", "비밀번호=<SECRET>"),
    ("key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x\nq9Z=\n-----END RSA PRIVATE KEY-----\nnext",
     "key:\n<SECRET>\nnext"),
    # found by a planted-PII hunt (2026-12-06); each leaked before
    ('{\\"password\\":\\"Esc4pedPw88\\",\\"apiKey\\":\\"AbC123xyz789QwE\\",\\"token\\":\\"tk_8f7e6d5c4b3a2910\\"}',
     '{\\"password\\":\\"<SECRET>\\",\\"apiKey\\":\\"<SECRET>\\",\\"token\\":\\"<SECRET>\\"}'),  # escaped JSON
    ("redis://:R3disPw2024@cache:6379", "redis://:<SECRET>@cache:6379"),  # no user
    ("https://ops:s3cr/et9Q@mq.bank.example/x", "https://ops:<SECRET>@mq.bank.example/x"),  # a '/' in it
    ("?user=teller01&pass=Teller0Pw1 -Ddb.pass=DbP4ss DB_PASS=abc",
     "?user=teller01&pass=<SECRET> -Ddb.pass=<SECRET> DB_PASS=<SECRET>"),
    ("pin=739182 otp=551923 cvv=837 cvc2: 912 cvv2=448 otpCode=551923 user_pin=4821 pinNumber: 4821 인증번호: 551923",
     "pin=<SECRET> otp=<SECRET> cvv=<SECRET> cvc2: <SECRET> cvv2=<SECRET> otpCode=<SECRET> user_pin=<SECRET> "
     "pinNumber: <SECRET> 인증번호: <SECRET>"),
    ("postgres://app:pa;ss@db/x amqp://svc:Secr3t,pw@mq:5672", "postgres://app:<SECRET>@db/x amqp://svc:<SECRET>@mq:5672"),
    ('JSON parse error: {\\"pin\\":\\"4821\\"}', 'JSON parse error: {\\"pin\\":\\"<SECRET>\\"}'),
    ("Cookie: SESSION=ZjNhYjRjNWQtNmU3Zi00YTliLWIxYzItZDNlNGY1YTZiN2M4", "Cookie: SESSION=<TOKEN>"),
])
def test_secrets(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "password=${DB_PASSWORD}",
    "PWD=/home/build/workspace OLDPWD=/tmp",
    "password=null",
    "password: ******",
    "Unexpected token: IDENTIFIER at line 3",
    "Username or Password is Invalid",
    "New password was found in password history.",
    "Basic type 'null' expected but was 'String'.",
    "Basic authentication failed for BasicAuthFilter",
    "key: memo value: This is a very long test message",
    "spin=3; bypass=true; compass=N; COMPASS=S; mapping=1; pinned=true",  # short keys end other words
    # a second review's false positives of the first fixes: messages, class names, ports and paths, ids
    'javax.validation.ConstraintViolationException: transfer.request.pin: must match "\\d{6}"',
    "com.bank.auth.OtpException: otp=ExpiredOtpException at step 2",
    "PASS: com.bank.payment.PaymentServiceTest; pass=com.bank.auth.PassThroughFilter; mapPin=com.bank.geo.MapPin",
    "tests pass: 12 Pass=2 Fail=0 gpio pin: 4 firstPass: 12ms",
    "No handler for Request[uri=http://api:8080/pay?x=1,caller=com.bank.web.PayController@1a2b3c4d]",
    "GET http://localhost:8080/users/kim@example; docker://registry:5000/bank/api@sha256:abc",
    # ... and a third review's of the second
    '{"txId":"20240612153001","accountType":"SAVINGS"}',
    "Request[GET http://localhost:8080]@6d3af739 Connection[remote=http://10.0.0.7:9200]@7f3e2a1b{open}",
    "url=http://[::1]:8080/v1/item@latest ws://chat:9000@room",
    "SET otp:10023 EX 300; redis GET pin:1001:attempts; POST /api/otp: 200 OK; otp: 600 seconds",
    "INFO c.b.account.AccountController : transfer ref 1234-5678-9012 queued",
    "first-pass=3 second-pass=4 smoke_pass=42 ci.stage.pass=17 version=010.0010.0001",
])
def test_secret_lookalikes_stay(text):
    assert redact(text) == text


def test_ip_addresses_only_behind_the_option():
    text = "connect to 10.20.3.41:3306 and [fe80::1ff:fe23:4567:890a] failed"
    assert redact(text) == text
    assert redact(text, RedactOptions(ip_addresses=True)) == "connect to <IP>:3306 and [<IP>] failed"
    assert redact("2026-11-30 12:00:00", RedactOptions(ip_addresses=True)) == "2026-11-30 12:00:00"


def test_disabled():
    text = f"card {VISA16} password=x"
    assert redact(text, RedactOptions(enabled=False)) == text


# ---------------------------------------------------------------------------------------------------------------
# Negative cases: what a Java log is made of


JAVA_LOG = """\
2026-11-30 12:00:00,123 ERROR [pool-1-thread-3] c.b.core.TransferService - transfer 7 failed after 1532 ms
2026-11-30T12:00:00.123+09:00 WARN 1 --- [nio-8080-exec-10] o.s.w.s.DispatcherServlet : retry 3/5
java.lang.IllegalStateException: Index 7 out of bounds for length 7
\tat com.bank.core.TransferService.transfer(TransferService.java:123)
\tat com.bank.core.TransferService$$EnhancerBySpringCGLIB$$1a2b3c4d.transfer(<generated>)
\tat java.base/java.util.ArrayList.get(ArrayList.java:427)
\tat com.bank.Foo$$Lambda$1234/0x0000000800c0b440.apply(Unknown Source)
Caused by: java.sql.SQLException: lock wait timeout exceeded; try restarting transaction (errorCode=1205)
\t... 42 more
"main" #1 prio=5 os_prio=0 cpu=1532.11ms elapsed=86400.01s tid=0x00007f8c8c001000 nid=0x1a03 waiting on condition
request 550e8400-e29b-41d4-a716-446655440000 / 12345678-1234-1234-1234-123456789012 at epoch 1732960000120
started at 1732960000120123 us, 1732960000120123456 ns, snowflake 1789012345678901234, seq 0000000000000042
exchange ID-host-TX300-S7-45583-1467960374100-968-2 took PT1H30M; junit4545360540553368377 tmp dir
Long.MAX_VALUE 9223372036854775807 / Long.MIN_VALUE -9223372036854775808, hash 0x7fffffff, id=2026113012345678
version 3.2.1.0, spring-boot 2.7.18, jdk 17.0.9+9, localhost:8080, BatchWriterConfig@37073255, 1.0E+10
txId=20261130120000123456 elapsed 00:01:02.345 at 12:00:00 on 2026/11/30 amount 1,234,567,890 KRW
"""


def test_java_log_is_left_whole():
    redactor = Redactor()
    assert redactor.redact(JAVA_LOG) == JAVA_LOG, [(h, JAVA_LOG[h.start: h.end]) for h in redactor.find(JAVA_LOG)]
    assert not redactor.counts


def test_epoch_numbers_and_date_ids_are_never_cards():
    """Luhn passes one in ten random runs: epoch millis / micros / nanos and yyyyMMdd ids must not get through."""
    rng = random.Random(13)
    redactor = Redactor()
    for _ in range(3000):
        millis = rng.randrange(1_000_000_000_000, 2_100_000_000_000)
        date_id = f"20{rng.randrange(0, 40):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        date_id += str(rng.randrange(10**8, 10**9))
        line = f"ts={millis} us={millis}123 ns={millis}123456 tx={date_id}"
        assert redactor.redact(line) == line
    # A card word next to a 13-digit epoch millis does not make it a card (no card starts with 1).
    assert redact("cardService took 1732960000120 ms") == "cardService took 1732960000120 ms"


def test_luhn_valid_but_no_card_prefix_stays():
    number = _luhn_complete("700012345678901")
    assert luhn_ok(number) and redact(f"ref {number}") == f"ref {number}"


# ---------------------------------------------------------------------------------------------------------------
# Placeholders, idempotence, nested values


MIXED = (
    f"2026-11-30 12:00:00,123 ERROR [http-nio-8080-exec-1] c.b.PayService - card {_group(VISA16, (4, 4, 4, 4), '-')} "
    "of hong.gildong@example-bank.co.kr (010-2345-6789) to 출금계좌 110-234-567890 failed; "
    "url=jdbc:mysql://app:S3cr3t!@db.bank.local:3306/core password=hunter2 "
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLWhlcmU\n"
    "\tat com.bank.PayService.pay(PayService.java:88)\n"
)


def test_placeholders_are_stable_and_counted():
    redactor = Redactor()
    out = redactor.redact(MIXED)
    assert out == (
        "2026-11-30 12:00:00,123 ERROR [http-nio-8080-exec-1] c.b.PayService - card <CARD> "
        "of <EMAIL> (<PHONE>) to 출금계좌 <ACCOUNT> failed; "
        "url=jdbc:mysql://app:<SECRET>@db.bank.local:3306/core password=<SECRET> "
        "Authorization: Bearer <TOKEN>\n"
        "\tat com.bank.PayService.pay(PayService.java:88)\n"
    )
    assert dict(redactor.counts) == {"card": 1, "email": 1, "phone": 1, "account": 1, "secret": 2, "token": 1}
    assert Redactor().redact(MIXED) == out  # same input, same output: no numbering, no salt


def test_idempotent():
    once = redact(MIXED, RedactOptions(ip_addresses=True))
    redactor = Redactor(RedactOptions(ip_addresses=True))
    assert redactor.redact(once) == once
    assert not redactor.counts
    for placeholder in PLACEHOLDERS:
        assert redact(f"password={placeholder} x://u:{placeholder}@h {placeholder}") == (
            f"password={placeholder} x://u:{placeholder}@h {placeholder}")


def test_redact_value_walks_nested_rows():
    row = {
        "id": "row-1",
        "log": f"card {VISA16}",
        "frames": [{"line": 123, "text": "at com.x.Y.m(Y.java:123)"}, ("email", "kim@example.com")],
        "meta": {"count": 3, "ok": True, "owner": None, "tags": ["010-2345-6789"]},
    }
    redactor = Redactor()
    out = redactor.redact_value(row)
    assert out == {
        "id": "row-1",
        "log": "card <CARD>",
        "frames": [{"line": 123, "text": "at com.x.Y.m(Y.java:123)"}, ("email", "<EMAIL>")],
        "meta": {"count": 3, "ok": True, "owner": None, "tags": ["<PHONE>"]},
    }
    assert row["log"] == f"card {VISA16}"  # a copy: the caller's row is untouched
    assert redactor.counts == {"card": 1, "email": 1, "phone": 1}


# ---------------------------------------------------------------------------------------------------------------
# Linear time and imports


@pytest.mark.parametrize("text", [
    "1-" * 100_000, "7" * 200_000, "a.b-" * 50_000 + "@x", "+1 " * 50_000, "password=" * 20_000,
    "http://" + "a" * 100_000, "a:" * 100_000, "1234 " * 40_000, "key=" + "A" * 100_000, "eyJ" + "a" * 100_000,
    # XML elements: attributes stop at '&', so each key word's element is tried at one '>' or '&gt;' (with any
    # '&gt;' in them, a draft took 0.5 s on 100 KB of these)
    ("password x&gt;" + "b" * 20 + " ") * 8_000, ("pin a&gt;1234 " * 50 + "\n") * 500, "(010)" * 50_000,
])
def test_adversarial_inputs_stay_fast(text):
    started = time.perf_counter()
    redact(text, RedactOptions(ip_addresses=True))
    assert time.perf_counter() - started < 2.0


def test_import_stays_light():
    code = "import sys, utils.redact; print(sorted(m for m in ('torch', 'transformers', 'numpy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == "[]"


def test_digit_rules_searched_inside_digit_runs_find_what_a_whole_text_search_finds() -> None:
    """The `in_digit_runs` shortcut changes no hit: random digit-heavy texts (separators, context words, line
    breaks, placeholders' neighbours) give the same hits as searching every rule over the whole text."""
    import dataclasses

    shortcut = Redactor()
    whole = Redactor()
    whole.config = dataclasses.replace(whole.config, rules=tuple(
        dataclasses.replace(rule, in_digit_runs=False) for rule in whole.config.rules))
    assert any(rule.in_digit_runs for rule in shortcut.config.rules)
    rng = random.Random(7)
    pieces = ["0", "1", "2", "4", "5", "9", "-", " ", "(", ")", "\n", ".", "_", "a", "+", "카드 ", "계좌 ", "card ",
              "02", "010", "4111", "9901", "x@y.kr "]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(6, 60))) for _ in range(20_000)]
    texts += ["4111 1111 1111 1111", "(031) 123-4567", "계좌 1234567890", "900101-1234568", "010-1234-5678."]
    assert sum(bool(shortcut.find(text)) for text in texts) > 500  # the texts do hold hits
    for text in texts:
        assert shortcut.find(text) == whole.find(text), text


def test_a_digit_run_remembered_as_quiet_is_read_again_where_its_neighbours_differ() -> None:
    # Runs no digit rule matches are remembered with the characters the patterns' look-arounds read: the same digits
    # after a letter (no card: `x4...` is an id) and after a space (a card) are two runs, each decided by the rules.
    redactor = Redactor()
    for _ in range(3):
        assert redactor.redact(f"2026-11-30 10:00:00 ref=x{DOMESTIC16} ok") == f"2026-11-30 10:00:00 ref=x{DOMESTIC16} ok"
    assert redactor.redact(f"2026-11-30 10:00:00 card {DOMESTIC16} ok") == "2026-11-30 10:00:00 card <CARD> ok"
    assert redactor.counts == {"card": 1}


def test_anchored_rules_find_what_a_full_scan_finds() -> None:
    """Rules marked `anchored` (configs/redact.yaml) are tried only where a key word occurs; on ASCII texts full of
    key words in every case and spacing, inside words, overlapping and at the edges, they find exactly the hits of
    trying every position (and non-ASCII texts take the full scan)."""
    from dataclasses import replace

    anchored = Redactor(RedactOptions())
    assert sum(rule.anchored for rule in anchored._rules) >= 6
    full = Redactor(RedactOptions())
    full._rules = [replace(rule, anchored=False) for rule in full._rules]
    rng = random.Random(7)
    words = ["token", "Token", "accessToken", "oauth", "AUTH", "auth_token", "credentials", "password", "PWD",
             "passwd", "secret", "api_key", "apiKey", "key", "sessionId", "JSESSIONID", "signature", "cookie", "hmac",
             "Bearer", "basic", "task-", "sk-", "SK-", "ghp_", "xoxb-", "AKIA", "AIza", "sk_live_", "rk_live_",
             "eyJ", "AuthService", "keyStore"]
    seps = ["=", ": ", ":", " = ", '":"', "='", "\n", "  :\t", "=\"", " "]
    values = ["abc", "4f2a9c0d1e2b3a4f5e6d7c8b9a0f1e2d3c4b", "Zm9vYmFyYmF6cXV4cXV1eA==", "null", "${secret}",
              "sk-proj-AbCdEfGhIjKlMnOpQrStUv12", "q8Zk3LmN0pQrStUvWxYz12Ab", "'p@ss w0rd'", "hunter2hunter2",
              "eyJhbGciOi.eyJzdWIiOiIx.sig_x", "AKIAABCDEFGHIJKLMNOP", "x" * 30, ""]
    for _ in range(400):
        text = "".join(rng.choice(words) + rng.choice(seps) + rng.choice(values) + rng.choice(["", " ", ", ", "\n"])
                       for _ in range(rng.randint(1, 12)))
        assert anchored.find(text) == full.find(text), text
        assert anchored.find(text + " 한") == full.find(text + " 한"), text


def test_the_prefilter_scan_finds_the_literals_the_in_tests_find() -> None:
    """Where Hyperscan is installed the prefilter literals are found in one pass over the lowered text's bytes: the
    same literals as one `in` test each, with Hangul, a lone surrogate and literals at the text's two ends; and the
    same hits from `find`."""
    redactor = Redactor(RedactOptions(ip_addresses=True))
    if redactor._literal_scanner is None:
        pytest.skip("hyperscan is not installed here (requirements.txt installs it on x86-64 Linux)")
    plain = Redactor(RedactOptions(ip_addresses=True))
    plain._literal_scanner = None
    rng = random.Random(11)
    pieces = [*redactor._literals, "비밀번호=secret1 ", "결제 ", "\udc80", "token: abcdefgh12 ", "x", " ", "\n",
              "a.b@c.io", "10.0.0.1:8080 ", "AuthService task-1 "]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        lowered = text.lower()
        assert redactor._present(lowered) == {literal for literal in plain._literals if literal in lowered}, text
        assert redactor.find(text) == plain.find(text), text


def test_a_redactor_pickles_and_finds_the_same() -> None:
    """A redactor goes to a spawned worker by pickle: its Hyperscan database (which cannot be pickled) is made again."""
    import pickle

    redactor = Redactor(RedactOptions())
    text = "token: abcdefgh12345 mail a.b@example.com AuthService task-1"
    copy = pickle.loads(pickle.dumps(redactor))
    assert copy.find(text) == redactor.find(text) and copy.find(text)


def test_a_scan_never_uses_another_databases_scratch() -> None:
    """Scratches are kept per thread by database; a freed database's id may be a new one's, whose scan the old
    scratch would fail (hyperscan.InvalidError)."""
    from utils import literal_scan

    first = literal_scan.literal_database([b"abc"], single_match=True)
    second = literal_scan.literal_database([b"xyz", b"longer literal"], single_match=True)
    if first is None:
        pytest.skip("hyperscan is not installed here (requirements.txt installs it on x86-64 Linux)")
    found: list[int] = []
    assert literal_scan.scan(first, b"abc", lambda index, *_: found.append(index))
    literal_scan._SCRATCH.by_database[id(second)] = literal_scan._SCRATCH.by_database[id(first)]  # as if id reused
    assert literal_scan.scan(second, b"a longer literal", lambda index, *_: found.append(index))
    assert found == [0, 1]


def test_a_rule_that_requires_nothing_is_tried_on_every_text(tmp_path: Path) -> None:
    """Texts with no prefilter literal and no digit run are done early, where every rule needs one of them; a user
    rule with neither (an employee code) is still tried on every text, and its hits counted."""
    import yaml

    from utils.redact import DEFAULT_REDACT_PATH

    config = yaml.safe_load(DEFAULT_REDACT_PATH.read_text(encoding="utf-8"))
    config["rules"].append({"name": "employee_code", "kind": "secret", "pattern": r"\bEMP[A-Z]{4}\b"})
    path = tmp_path / "redact.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    redactor = Redactor(RedactOptions(config_path=str(path)))
    assert redactor.redact("approved by EMPKIMS today") == "approved by <SECRET> today"
    assert redactor.redact_found("no code here") == ("no code here", [])
    assert Redactor().redact("approved by EMPKIMS today") == "approved by EMPKIMS today"
    assert redactor.counts == {"secret": 1}
