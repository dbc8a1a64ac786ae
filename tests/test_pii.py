"""No PII persisted: planted values go through import -> training -> the push directory -> predict -> report, and
not one of them appears in any file written (nor in what predict.py prints)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import build_corpus
import train_stage1

REPO = Path(__file__).resolve().parents[1]

# Values written for this test (card numbers pass Luhn; the RRN has a valid date and its check digit).
PLANTED = {
    "card": "4539 1488 0343 6467",
    "rrn": "900101-1234568",
    "account": "110-234-567890",
    "email": "kim.minji@acmebank.co.kr",
    "phone": "010-2345-6789",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyNDIifQ.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu",
    "bearer": "Bearer a8f3k2m9q7w1e5r4t6y8u0i2o4p6",
    "jdbc_password": "S3cr3tPa55",
    "url_password": "hunter2pass",
    # shapes added on 2026-12-06: an XML element, a Gson-escaped JSON value, a mobile in parentheses
    "xml_password": "XmlPa55w0rd",
    "pin": "482913",
    "gson_password": "Gs0nSecretPw",
    "phone_parenthesised": "(010) 3456-7890",
}


def planted_logs(directory: Path) -> Path:
    directory.mkdir(parents=True)
    p = PLANTED
    rows = []
    for index in range(12):
        project = ("payments", "accounts", "cards")[index % 3]
        rows.append({"id": f"{project}-{index}", "project": project, "log": (
            f"2026-11-30 10:00:0{index % 10} ERROR [exec-{index}] com.acme.pay.PayService - payment failed for "
            f"card {p['card']} customer {p['email']} phone {p['phone']} 주민번호 {p['rrn']} 계좌 {p['account']}\n"
            f"java.lang.IllegalStateException: token rejected: {p['jwt']} header Authorization: {p['bearer']}\n"
            f"\tat com.acme.pay.PayService.charge{index % 4}(PayService.java:{40 + index})\n"
            f"\tat com.acme.pay.PayController.pay(PayController.java:21)\n"
            f"Caused by: java.sql.SQLException: cannot connect jdbc:postgresql://db:5432/pay?user=app&password="
            f"{p['jdbc_password']} via https://svc:{p['url_password']}@gw.acme.test/api\n"
            f"\tat com.acme.pay.Db.open(Db.java:12)\n"
            f"2026-11-30 10:00:0{index % 10} WARN [exec-{index}] com.acme.pay.Soap - request <ns2:password>"
            f"{p['xml_password']}</ns2:password><pin>{p['pin']}</pin> body {{\"password\":\"{p['gson_password']}"
            f"\\u003d\"}} cardNo_{p['card'].replace(' ', '')} tel {p['phone_parenthesised']}\n"
        )})
    (directory / "rows.jsonl").write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                                          encoding="utf-8")
    (directory / "app.log").write_text(rows[0]["log"] + rows[1]["log"], encoding="utf-8")
    return directory


def leaks(root: Path) -> list[str]:
    """`file: kind` for every planted value found in any file under `root` (binary files as bytes)."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for kind, value in PLANTED.items():
            if value.encode("utf-8") in data or value.replace(" ", "").encode() in data:
                found.append(f"{path.relative_to(root)}: {kind}")
    return found


def test_planted_pii_never_reaches_a_written_file(tmp_path: Path, tiny_encoder: Path) -> None:
    logs = planted_logs(tmp_path / "inputs")
    out = tmp_path / "written"
    corpus, model, cache = out / "corpus", out / "push_dir", out / "cache"
    build_corpus.main(["--quick", "--real_logs", str(logs), "--output_dir", str(corpus)])
    assert json.loads((corpus / "real_logs_report.json").read_text())["redacted"]["card"] > 0
    train_stage1.main(["--model_name_or_path", str(tiny_encoder), "--train_file", str(corpus / "train.jsonl"),
                       "--validation_file", str(corpus / "validation.jsonl"), "--output_dir", str(model),
                       "--feature_cache_dir", str(cache), "--freeze_encoder", "--max_length", "64",
                       "--num_train_epochs", "1", "--max_train_samples", "200", "--max_eval_samples", "60"])
    assert (model / "README.md").is_file() and (model / "analyzer_metadata.json").is_file()  # what a push sends
    records = out / "analysis.jsonl"
    result = subprocess.run(
        [sys.executable, str(REPO / "predict.py"), "--input", str(logs / "rows.jsonl"), str(logs / "app.log"),
         "--model", str(model), "--no_stage2", "--output", str(records)],
        capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = subprocess.run(
        [sys.executable, str(REPO / "predict.py"), "--input", str(logs / "app.log"), "--model", str(model),
         "--no_stage2"], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert summary.returncode == 0, summary.stderr
    (out / "summary.txt").write_text(summary.stdout + summary.stderr, encoding="utf-8")
    assert len(records.read_text().splitlines()) == 14
    assert "<TOKEN>" in records.read_text() and "<SECRET>" in summary.stdout
    assert leaks(out) == []
    # the control: the same scan finds every planted value in the inputs
    assert len({line.split(": ")[1] for line in leaks(logs)}) == len(PLANTED)


def test_redaction_can_be_turned_off_for_predict(tmp_path: Path) -> None:
    logs = planted_logs(tmp_path / "inputs")
    for flag, kept in (("true", False), ("false", True)):
        output = tmp_path / f"redact-{flag}.jsonl"
        result = subprocess.run(
            [sys.executable, str(REPO / "predict.py"), "--input", str(logs / "app.log"), "--no_model", "--redact",
             flag, "--output", str(output)], capture_output=True, text=True, cwd=REPO, timeout=300)
        assert result.returncode == 0, result.stderr
        assert (PLANTED["jwt"] in output.read_text(encoding="utf-8")) is kept
