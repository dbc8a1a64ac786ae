"""Render the failure-group report for examples/ plus a generated log, screenshot it in headless Chromium and
check the picture (the README's docs/report.png).

    python scripts/screenshot_report.py                   # docs/report.png, English labels
    python scripts/screenshot_report.py --language ko --output /tmp/report_ko.png --html /tmp/report_ko.html

Needs Chromium (Debian: `apt-get install -y chromium`); without it the script says so and exits 2. The generated
log repeats five of the examples' failures over the examples' own weeks (2026-03-14 to 2026-05-02), with
timestamps, so the timeline has something to show; it is written to a temporary directory, never into the repo.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
WINDOW = (1280, 1800)
MIN_COLOURS = 32  # a rendered report has text, badges and a chart: far more colours than a blank or error page

# Each failure: the logger line's message, then the trace. The frames and messages are those of examples/, so the
# generated traces join the examples' groups (the report then lists two sources for a group).
FAILURES = {
    "timeout": ("c.b.payments.service.PaymentService - 결제 정산 실패 transferId=TX-{n:06d}", """\
org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection; nested exception is java.sql.SQLException: I/O error while reading from the ledger database
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)
\tat com.bank.payments.service.PaymentService.settle(PaymentService.java:142)
\tat com.bank.payments.web.PaymentController.create(PaymentController.java:58)
\tat java.base/java.lang.Thread.run(Thread.java:833)
Caused by: java.sql.SQLException: I/O error while reading from the ledger database
\tat com.mysql.cj.jdbc.ConnectionImpl.execSQL(ConnectionImpl.java:763)
\t... 3 more
Caused by: java.net.SocketTimeoutException: Read timed out
\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:283)
\tat com.mysql.cj.protocol.ReadAheadInputStream.fill(ReadAheadInputStream.java:107)
\t... 5 more"""),  # noqa: E501 (a real trace's lines are long)
    "npe": ("com.bank.settlement.DailySettlementJob - 일일 정산 배치 처리 중 오류 발생", """\
java.lang.NullPointerException: Cannot invoke "com.bank.account.domain.Account.getBalance()" because "account" is null
\tat com.bank.settlement.service.SettlementService.applyInterest(SettlementService.java:211)
\tat com.bank.settlement.service.SettlementService.settleAccount(SettlementService.java:174)
\tat com.bank.settlement.DailySettlementJob.lambda$execute$0(DailySettlementJob.java:81)
\tat java.base/java.util.ArrayList.forEach(ArrayList.java:1511)
\tat com.bank.settlement.DailySettlementJob.execute(DailySettlementJob.java:79)"""),
    "refused": ("com.bank.core.config.DataSourceHealthCheck - DB 연결 확인 실패", """\
com.zaxxer.hikari.pool.HikariPool$PoolInitializationException: Failed to initialize pool: Connection refused
\tat com.zaxxer.hikari.pool.HikariPool.throwPoolInitializationException(HikariPool.java:596)
\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:100)
\tat com.bank.core.config.DataSourceHealthCheck.verify(DataSourceHealthCheck.java:29)
Caused by: java.net.ConnectException: Connection refused
\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)
\tat org.postgresql.core.PGStream.createSocket(PGStream.java:243)
\t... 3 more"""),
    "duplicate": ("com.bank.transfer.service.TransferService - 이체 처리 실패", """\
org.springframework.dao.DataIntegrityViolationException: could not execute statement; SQL [n/a]; constraint [uk_transfer_idempotency_key]
\tat com.bank.transfer.service.TransferService.transfer(TransferService.java:96)
\tat com.bank.transfer.web.TransferController.post(TransferController.java:41)
Caused by: java.sql.SQLIntegrityConstraintViolationException: Duplicate entry 'IDEM-{n:06x}' for key 'uk_transfer_idempotency_key'
\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:117)
\tat com.bank.transfer.repository.TransferJdbcRepository.insert(TransferJdbcRepository.java:73)
\t... 2 more"""),  # noqa: E501
    "number": ("com.bank.batch.importer.StatementImportJob - 거래내역 파일 파싱 실패", """\
java.lang.NumberFormatException: For input string: "12,500"
\tat java.base/java.lang.NumberFormatException.forInputString(NumberFormatException.java:67)
\tat java.base/java.lang.Long.parseLong(Long.java:711)
\tat com.bank.batch.importer.StatementLineParser.parseAmount(StatementLineParser.java:58)
\tat com.bank.batch.importer.StatementLineParser.parse(StatementLineParser.java:31)"""),
}


def failure_times(rng: random.Random, start: datetime, days: int) -> list[tuple[datetime, str]]:
    """A story a reader can see in the chart: timeouts every business day, a database outage on one morning,
    NPEs from a release on day 37 on, duplicate keys now and then, a month-end batch that trips on a number."""
    events: list[tuple[datetime, str]] = []
    for day in range(days):
        date = start + timedelta(days=day)
        weekday = date.weekday() < 5
        for _ in range(rng.randint(2, 6) if weekday else rng.randint(0, 1)):
            events.append((date + timedelta(hours=rng.uniform(9, 18)), "timeout"))
        if day == 24:  # the outage: a burst within two hours
            events += [(date + timedelta(hours=rng.uniform(9, 11)), "refused") for _ in range(26)]
        if day >= 37:
            events += [(date + timedelta(hours=2, minutes=rng.uniform(0, 40)), "npe") for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.3:
            events.append((date + timedelta(hours=rng.uniform(0, 24)), "duplicate"))
        if (date + timedelta(days=1)).day == 1:
            events += [(date + timedelta(hours=23, minutes=rng.uniform(0, 50)), "number") for _ in range(5)]
    return sorted(events)


def write_generated_log(path: Path, seed: int = 14) -> int:
    rng = random.Random(seed)
    lines = []
    events = failure_times(rng, datetime(2026, 3, 14), 50)
    for number, (moment, kind) in enumerate(events):
        message, trace = FAILURES[kind]
        stamp = moment.strftime("%Y-%m-%d %H:%M:%S") + f",{moment.microsecond // 1000:03d}"
        lines.append(f"{stamp} ERROR [worker-{number % 8}] {message.format(n=number)}")
        lines.append(trace.format(n=number * 7919) if "{n" in trace else trace)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(events)


def find_chromium(given: str | None) -> str | None:
    for candidate in ([given] if given else CHROMIUM_CANDIDATES):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def render_html(work: Path, html: Path, language: str) -> int:
    """predict.py --report in `work`, where examples/ is linked and logs/ holds the generated log, so the report
    names its sources as a user's run would (`examples/...`, `logs/...`), not by temporary paths."""
    (work / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    (work / "logs").mkdir()
    traces = write_generated_log(work / "logs" / "payments-app.log")
    inputs = sorted(f"examples/{path.name}" for path in (REPO / "examples").iterdir()
                    if path.suffix in (".log", ".jsonl"))
    command = [sys.executable, str(REPO / "predict.py"), "--input", *inputs, "logs/payments-app.log", "--no_model",
               "--report", str(html), "--report_language", language]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not html.is_file():
        raise SystemExit(f"error: predict.py --report failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return traces


def screenshot(chromium: str, html: Path, png: Path, profile: Path) -> None:
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", "--force-device-scale-factor=1", f"--user-data-dir={profile}",
               f"--screenshot={png}", f"--window-size={WINDOW[0]},{WINDOW[1]}", html.resolve().as_uri()]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired as error:
        raise SystemExit(f"error: {chromium} did not finish the screenshot in 180 s") from error
    if done.returncode != 0 or not png.is_file():
        raise SystemExit(f"error: {chromium} wrote no screenshot ({done.returncode}):\n{done.stderr[-2000:]}")


def check_png(png: Path) -> str:
    """Raise when the picture is not a plausible rendered page; else a one-line description of it."""
    size = png.stat().st_size
    if size < 20_000:
        raise SystemExit(f"error: {png} is only {size} bytes: the page did not render")
    try:
        from PIL import Image

        with Image.open(png) as image:
            width, height = image.size
            colours = len(image.convert("RGB").getcolors(maxcolors=1 << 24) or [])
    except ImportError:  # matplotlib's own reader (it needs no Pillow for PNG)
        import matplotlib.image
        import numpy as np

        pixels = matplotlib.image.imread(png)
        height, width = pixels.shape[:2]
        colours = len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0))
    if (width, height) != WINDOW:
        raise SystemExit(f"error: {png} is {width}x{height}, expected {WINDOW[0]}x{WINDOW[1]}")
    if colours < MIN_COLOURS:
        raise SystemExit(f"error: {png} has only {colours} colour(s): a blank or error page")
    return f"{width}x{height}, {size // 1024} KiB, {colours} colours"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "report.png")
    parser.add_argument("--language", choices=("en", "ko"), default="en")
    parser.add_argument("--html", type=Path, help="also keep the rendered HTML here")
    parser.add_argument("--chromium", help="the browser binary (default: /usr/bin/chromium or on PATH)")
    args = parser.parse_args(argv)
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print(f"error: Chromium not found ({args.chromium or ', '.join(CHROMIUM_CANDIDATES)}); on Debian: "
              "apt-get install -y chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="report-shot-") as temp:
        temp_dir = Path(temp)
        html, png = temp_dir / "report.html", temp_dir / "report.png"
        traces = render_html(temp_dir, html, args.language)
        screenshot(chromium, html, png, temp_dir / "profile")
        described = check_png(png)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, args.output)
        if args.html:
            shutil.copyfile(html, args.html)
    print(f"wrote {args.output} ({described}) from examples/ and a generated log of {traces} traces")
    return 0


if __name__ == "__main__":
    sys.exit(main())
