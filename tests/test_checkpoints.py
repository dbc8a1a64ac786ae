"""Saving model dirs with metadata and loading them through `load_model`, including every clear-error path."""

from __future__ import annotations

import json
import os

import pytest
import torch
from transformers import (
    AutoConfig,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    ElectraConfig,
    ElectraForSequenceClassification,
    T5Config,
    T5ForConditionalGeneration,
)

from utils.models.checkpoints import (
    HUB_PROBE_SECONDS,
    METADATA_FILE,
    TASK_CLASSIFY,
    TASK_GENERATE,
    ModelLoadError,
    cache_only_if_hub_unreachable,
    default_encoder_path,
    load_model,
    read_metadata,
    save_model_dir,
)
from utils.stage1.classifier import MeanPoolingForSequenceClassification

LABELS = ["NullPointerException", "IllegalStateException", "Other"]
STAGE1 = {"task": TASK_CLASSIFY, "label_names": LABELS}  # the least metadata a stage-1 dir has
TINY = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 37}


@pytest.fixture(scope="module")
def tokenizer():
    # The real offline MiniLM vocabulary with tiny randomly initialised models: real token ids, tiny compute.
    return AutoTokenizer.from_pretrained(default_encoder_path())


def _classifier(kind: str, labels: list[str]):
    label_kwargs = {"num_labels": len(labels), "id2label": dict(enumerate(labels))}
    label_kwargs["label2id"] = {name: i for i, name in enumerate(labels)}
    torch.manual_seed(0)
    bert = BertConfig(vocab_size=30522, **TINY, **label_kwargs)
    electra = ElectraConfig(vocab_size=30522, **TINY, embedding_size=16, **label_kwargs)
    if kind == "bert":
        return BertForSequenceClassification(bert)
    if kind == "electra":
        return ElectraForSequenceClassification(electra)
    return MeanPoolingForSequenceClassification(bert if kind == "mean-bert" else electra)


@pytest.mark.parametrize("kind", ["bert", "electra", "mean-bert", "mean-electra"])
def test_classifier_round_trip(tmp_path, tokenizer, kind: str) -> None:
    model = _classifier(kind, LABELS).eval()
    save_model_dir(model, tokenizer, tmp_path, {"task": TASK_CLASSIFY, "label_names": LABELS})
    loaded = load_model(tmp_path, expected_task=TASK_CLASSIFY, expected_labels=LABELS)
    assert type(loaded.model) is type(model)
    assert loaded.label_names == LABELS and loaded.task == TASK_CLASSIFY
    assert loaded.metadata.label_names == LABELS and "transformers" in loaded.metadata.library_versions
    batch = tokenizer(["java.lang.NullPointerException at com.bank.Ledger.post"], return_tensors="pt")
    with torch.inference_mode():
        assert torch.allclose(model(**batch).logits, loaded.model(**batch).logits, atol=1e-6)


def test_config_and_weights_that_do_not_fit(tmp_path, tokenizer) -> None:
    save_model_dir(_classifier("bert", LABELS), tokenizer, tmp_path, STAGE1)
    config = json.loads((tmp_path / "config.json").read_text())
    config["id2label"] = {str(i): f"L{i}" for i in range(5)}
    config["label2id"] = {f"L{i}": i for i in range(5)}
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        ModelLoadError,
        match=r"do not fit its config.json: classifier\.\w+ is \[3.*\] in the weights "
        r"but \[5.*\] in the model",
    ):
        load_model(tmp_path)


def test_label_set_mismatch(tmp_path, tokenizer) -> None:
    save_model_dir(_classifier("bert", LABELS), tokenizer, tmp_path, STAGE1)
    with pytest.raises(
        ModelLoadError,
        match=r"predicts 3 labels .* asked for has 3 .* only in the model: "
        r"\['IllegalStateException'\], only in the label set: \['ClassCastException'\]",
    ):
        load_model(tmp_path, expected_labels=["NullPointerException", "ClassCastException", "Other"])
    with pytest.raises(ModelLoadError, match="same names in a different order"):
        load_model(tmp_path, expected_labels=list(reversed(LABELS)))


def test_stage_mixups_are_refused(tmp_path, tokenizer) -> None:
    stage2_dir, stage1_dir = tmp_path / "stage2", tmp_path / "stage1"
    t5 = T5ForConditionalGeneration(
        T5Config(vocab_size=30522, d_model=16, d_ff=32, d_kv=8, num_layers=1, num_heads=2, decoder_start_token_id=0)
    )
    save_model_dir(t5, tokenizer, stage2_dir, {"task": TASK_GENERATE})
    save_model_dir(_classifier("bert", LABELS), tokenizer, stage1_dir, STAGE1)
    with pytest.raises(ModelLoadError, match="is a stage-2 generation model but a stage-1 classification model was"):
        load_model(stage2_dir, expected_task=TASK_CLASSIFY)
    with pytest.raises(ModelLoadError, match="is a stage-1 classification model but a stage-2 generation model was"):
        load_model(stage1_dir, expected_task=TASK_GENERATE)
    assert type(load_model(stage2_dir, expected_task=TASK_GENERATE).model) is T5ForConditionalGeneration
    # Without metadata the task comes from config.architectures.
    (stage2_dir / METADATA_FILE).unlink()
    with pytest.raises(ModelLoadError, match="is a stage-2 generation model"):
        load_model(stage2_dir, expected_task=TASK_CLASSIFY)


def test_missing_and_incomplete_directories(tmp_path, tokenizer) -> None:
    with pytest.raises(ModelLoadError, match="No model at .*not a model directory here"):
        load_model(tmp_path / "models" / "stage1")
    save_model_dir(_classifier("bert", LABELS), tokenizer, tmp_path, STAGE1)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="is incomplete: it has no weights file"):
        load_model(tmp_path)
    (tmp_path / "config.json").unlink()
    with pytest.raises(ModelLoadError, match="is incomplete: it has no config.json"):
        load_model(tmp_path)


def test_save_keeps_other_files_and_removes_stale_weights(tmp_path, tokenizer) -> None:
    (tmp_path / "trainer_state.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"stale weights of an older save")
    save_model_dir(_classifier("bert", LABELS), tokenizer, tmp_path, {**STAGE1, "metrics": {"top1": 0.5}})
    names = {path.name for path in tmp_path.iterdir()}
    assert "trainer_state.json" in names and "pytorch_model.bin" not in names
    assert {"config.json", "model.safetensors", METADATA_FILE} <= names
    assert not [name for name in names if name.startswith(".")]  # staging dir cleaned up
    assert read_metadata(tmp_path).metrics == {"top1": 0.5}
    with pytest.raises(ValueError, match="needs a 'task'"):
        save_model_dir(_classifier("bert", LABELS), tokenizer, tmp_path, {})


def test_mean_pooling_encoder_uses_sdpa_and_falls_back_to_eager(tmp_path, tokenizer) -> None:
    # The wrapper once left its encoder on eager attention (~1.5x slower encoding on CPU than SDPA).
    model = _classifier("mean-bert", LABELS).eval()
    assert model.encoder.config._attn_implementation == "sdpa"
    save_model_dir(model, tokenizer, tmp_path / "model", STAGE1)
    reloaded = load_model(tmp_path / "model", expected_task=TASK_CLASSIFY).model
    assert reloaded.encoder.config._attn_implementation == "sdpa"

    eager = MeanPoolingForSequenceClassification.from_pretrained(
        tmp_path / "model", config=AutoConfig.from_pretrained(tmp_path / "model"), attn_implementation="eager")
    assert eager.encoder.config._attn_implementation == "eager"
    batch = tokenizer(["a b c", "a longer second text"], padding=True, return_tensors="pt")
    with torch.no_grad():
        torch.testing.assert_close(reloaded(**batch).logits, eager.eval()(**batch).logits, atol=1e-5, rtol=1e-4)

    from transformers import DebertaV2Config  # an encoder class without SDPA

    deberta = MeanPoolingForSequenceClassification(DebertaV2Config(vocab_size=30522, **TINY, num_labels=3))
    assert deberta.encoder.config._attn_implementation == "eager"
    assert deberta(**batch).logits.shape == (2, 3)


def test_an_interrupted_run_is_no_model_and_says_so(tmp_path, tiny_encoder) -> None:
    # Before: predict.py --model <run dir> took its checkpoint-5 (half trained) for a fold member and loaded it.
    import shutil
    from pathlib import Path

    from utils.models.checkpoints import ModelLoadError as LoadError
    from utils.pipeline.analyze import expand_model_dirs

    run = tmp_path / "run"
    shutil.copytree(tiny_encoder, run / "checkpoint-5")
    (run / "run_arguments.json").write_text("{}", encoding="utf-8")
    assert expand_model_dirs([str(run)]) == [str(run)]
    with pytest.raises(LoadError, match=r"it has no config.json \(a run that did not finish: it holds checkpoint-5;"):
        load_model(run)
    # a folds dir keeps its members, and leaves a checkpoint beside them out
    shutil.copytree(tiny_encoder, run / "fold_0")
    assert [Path(member).name for member in expand_model_dirs([str(run)])] == ["fold_0"]


@pytest.fixture
def hub_online(monkeypatch: pytest.MonkeyPatch):
    """The Hub client as on a machine that believes it is online (the suite runs with HF_HUB_OFFLINE=1) at the
    public endpoint, no proxy, and a record of the probes made; each test says whether a probe connects."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", "https://huggingface.co")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return constants, []


def _unreachable(probes: list):
    def connect(address, timeout):
        probes.append((address, timeout))
        raise OSError("Name or service not known")
    return connect


def test_an_unreachable_hub_fails_a_hub_id_at_once_from_the_cache(hub_online, monkeypatch) -> None:
    """Before: a misspelt Hub id on a machine with no way out cost the Hub client's retries (25 s here) before
    its one line; now one probe of the endpoint, then the cache only, while the model loads and not after."""
    constants, probes = hub_online
    monkeypatch.setattr("socket.create_connection", _unreachable(probes))
    offline_during_load = []

    def from_pretrained(source, *args, **kwargs):
        offline_during_load.append(constants.HF_HUB_OFFLINE)
        raise OSError(f"{source} is not in the cached files")

    monkeypatch.setattr("transformers.AutoConfig.from_pretrained", from_pretrained)
    with pytest.raises(ModelLoadError, match="^No model at 'acme/java-exc-typer-v9'"):
        load_model("acme/java-exc-typer-v9")
    assert probes == [(("huggingface.co", 443), HUB_PROBE_SECONDS)]
    assert offline_during_load == [True]
    assert constants.HF_HUB_OFFLINE is False and "HF_HUB_OFFLINE" not in os.environ  # a later push tries again


def test_a_base_model_is_looked_for_in_the_cache_when_the_hub_does_not_answer(hub_online, monkeypatch) -> None:
    from utils.models.training import base_model_errors

    constants, probes = hub_online
    monkeypatch.setattr("socket.create_connection", _unreachable(probes))
    with pytest.raises(SystemExit, match="^--model_name_or_path acme/bert: not a model directory here"), \
            base_model_errors("acme/bert"):
        assert constants.HF_HUB_OFFLINE is True
        raise OSError("acme/bert is not in the cached files")
    assert len(probes) == 1 and constants.HF_HUB_OFFLINE is False


@pytest.mark.parametrize("proxy", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "HTTP_PROXY"])
def test_a_configured_proxy_is_not_probed_around(hub_online, monkeypatch, proxy: str) -> None:
    constants, probes = hub_online
    monkeypatch.setattr("socket.create_connection", _unreachable(probes))
    monkeypatch.setenv(proxy, "http://proxy.bank.internal:3128")
    with cache_only_if_hub_unreachable("acme/typer") as cache_only:
        assert cache_only is False and constants.HF_HUB_OFFLINE is False
    assert probes == []


def test_a_reachable_hub_and_local_paths_are_left_alone(hub_online, monkeypatch, tmp_path) -> None:
    constants, probes = hub_online

    class Connection:
        def close(self) -> None:
            pass

    monkeypatch.setattr("socket.create_connection", lambda address, timeout: probes.append(address) or Connection())
    with cache_only_if_hub_unreachable("acme/typer") as cache_only:
        assert cache_only is False and probes == [("huggingface.co", 443)]
    for path in (str(tmp_path), "/opt/models/missing", "./models/stage1", "C:\\models\\stage1"):
        with cache_only_if_hub_unreachable(path) as cache_only:
            assert cache_only is False
    assert len(probes) == 1  # paths, there or not, are never Hub ids
    monkeypatch.setattr(constants, "ENDPOINT", "https://hub.bank.internal:notaport")
    with cache_only_if_hub_unreachable("acme/typer") as cache_only:  # the client says what is wrong with it
        assert cache_only is False
