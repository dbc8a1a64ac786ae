"""Shared test fixtures: paths to our own trace fixtures and to the real dev set beside the checkout."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # the scripts and `utils` import from the repository root
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The wording memory caches its statements' vectors (utils/stage1/wording.py): in a cache of the tests' own, shared by
# the scripts they run, so the user's cache is left alone and the vectors are computed once across sessions.
os.environ["XDG_CACHE_HOME"] = str(Path(tempfile.gettempdir()) / f"java-exception-analyzer-test-cache-{os.getuid()}")

TRACE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "traces"
# Real Bugs.jar traces, for measuring only; present for developers and CI at ../shared, absent for users.
DEV_SET_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bugsjar_dev.jsonl"


@pytest.fixture
def trace_fixture():
    """Reads one of tests/fixtures/traces/ by file name."""

    def read(name: str) -> str:
        return (TRACE_FIXTURES / name).read_text(encoding="utf-8")

    return read


@pytest.fixture(scope="session")
def dev_set_path() -> Path:
    """../shared/data/bugsjar_dev.jsonl; the test is skipped when it is absent, and fails instead under
    REQUIRE_DEV_SET=1 (set by .ci/run when it sees the file: a skip there means the path is read wrong)."""
    if not DEV_SET_PATH.is_file():
        if os.environ.get("REQUIRE_DEV_SET") == "1":
            pytest.fail(f"{DEV_SET_PATH} not found, but REQUIRE_DEV_SET=1 says the dev set is beside this checkout")
        pytest.skip(f"{DEV_SET_PATH} not available (../shared is only beside developer and CI checkouts)")
    return DEV_SET_PATH


@pytest.fixture(scope="session")
def dev_set_rows(dev_set_path: Path) -> list[dict]:
    """The dev set's rows, read once per session."""
    with open(dev_set_path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> Path:
    """A tiny randomly initialised BERT encoder (seed 0) with the real offline MiniLM tokenizer: real token ids, tiny
    compute. Shared read-only by every test that trains or loads a stage-1 model from an encoder path."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from utils.models.checkpoints import default_encoder_path

    directory = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=37)
    BertModel(config).save_pretrained(directory)
    AutoTokenizer.from_pretrained(default_encoder_path()).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_stage1(tiny_encoder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny mean-pooling classifier over the project's labels, saved as train_stage1.py saves one (untrained)."""
    import torch
    from transformers import AutoConfig, AutoTokenizer

    from utils.labels import load_label_set
    from utils.models.checkpoints import TASK_CLASSIFY, save_model_dir
    from utils.stage1.classifier import MeanPoolingForSequenceClassification

    label_set = load_label_set()
    config = AutoConfig.from_pretrained(tiny_encoder, num_labels=len(label_set), id2label=label_set.id2label,
                                        label2id=label_set.label2id)
    torch.manual_seed(0)
    model = MeanPoolingForSequenceClassification.from_pretrained(tiny_encoder, config=config)
    directory = tmp_path_factory.mktemp("tiny-stage1")
    metadata = {"task": TASK_CLASSIFY, "label_names": label_set.names, "max_length": 64,
                "input_options": {"max_frames": 8, "max_message_chars": 300, "mask_exception_names": False}}
    save_model_dir(model, AutoTokenizer.from_pretrained(tiny_encoder), directory, metadata)
    return directory
