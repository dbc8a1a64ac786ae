"""What travels from predict.py's parse process to the parent, and what a repeat's record is made of: frames of a
cached run once, then as references (utils/pipeline/batch_codec.py), and repeats without their texts
(predict._lighten). The parent must read back what the child parsed, across batches, across the frame cache starting
over and across the parent's frames reaching their cap."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import predict
from tests.test_streaming import styled_log
from utils.labels import load_label_set
from utils.parsing import log_sources
from utils.parsing.log_sources import DocumentStream, LogDocument
from utils.pipeline import repeat_cache
from utils.pipeline.analyze import AnalyzedTrace, Analyzer, AnalyzerOptions
from utils.pipeline.batch_codec import BatchCodec
from utils.pipeline.record import GROUP_RECORD_FIELDS, to_record
from utils.pipeline.repeat_cache import FrameBlocks
from utils.redact import RedactOptions, Redactor


def _batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, light: bool = False,
             repeats: int = 60) -> tuple[FrameBlocks, list[list[AnalyzedTrace]]]:
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(predict, "BATCH_CHARS", 5000)  # many batches: the same runs of frames in several
    log = tmp_path / "app.log"
    log.write_text(styled_log(repeats), encoding="utf-8")
    blocks = FrameBlocks(Redactor(RedactOptions()))
    batches = list(predict.parsed_batches(DocumentStream([str(log)]), load_label_set(), blocks.redactor,
                                          light_repeats=light, frame_blocks=blocks))
    return blocks, batches


def _frames(batch: list[AnalyzedTrace]) -> list[list[tuple]]:
    return [[(frame.class_name, frame.method, frame.file, frame.line, frame.is_library, frame.raw)
             for frame in item.trace.full_stack()] for item in batch]


def test_frames_travel_once_then_as_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks, batches = _batches(tmp_path, monkeypatch)
    assert len(batches) > 5 and blocks.frame_refs
    child, parent = BatchCodec(blocks), BatchCodec(blocks)  # each process has its own copy after the fork
    read = [parent.loads(child.dumps(batch)) for batch in batches]
    assert [_frames(batch) for batch in read] == [_frames(batch) for batch in batches]
    assert [[item.trace.text for item in batch] for batch in read] == [[item.trace.text for item in batch]
                                                                         for batch in batches]
    # sent again, a batch's runs are references to the frame objects the parent has read: nothing new is sent
    last = max(batches[len(batches) // 2:], key=len)
    sent = set(child.sent)
    data = child.dumps(last)
    assert child.sent == sent and len(data) < len(pickle.dumps(last, protocol=pickle.HIGHEST_PROTOCOL))
    seen = {id(frame) for batch in read for item in batch for frame in item.trace.full_stack()}
    again = parent.loads(data)
    assert _frames(again) == _frames(last)
    assert any(id(frame) in seen for item in again for frame in item.trace.full_stack())


def test_the_parent_follows_the_cache_starting_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repeat_cache, "MAX_CACHED_BLOCKS", 2)  # the child's cache starts over again and again
    child_blocks = FrameBlocks(Redactor(RedactOptions()))
    parent = BatchCodec(child_blocks)
    child = BatchCodec(child_blocks)
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(predict, "BATCH_CHARS", 5000)
    log = tmp_path / "app.log"
    log.write_text(styled_log(80), encoding="utf-8")
    read, expected = [], []
    # each batch is sent as soon as it is parsed, as the parse process does (later parses clear the cache)
    for batch in predict.parsed_batches(DocumentStream([str(log)]), load_label_set(), child_blocks.redactor,
                                        frame_blocks=child_blocks):
        expected.append(_frames(batch))
        read.append(_frames(parent.loads(child.dumps(batch))))
    assert child_blocks.generation > 3
    assert read == expected
    assert len(parent.received) <= sum(len(block.frames) for block in child_blocks.blocks.values())


def test_a_codec_batch_is_not_read_as_plain_pickle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks, batches = _batches(tmp_path, monkeypatch, repeats=10)
    data = BatchCodec(blocks).dumps(batches[0])
    with pytest.raises(pickle.UnpicklingError, match="BatchCodec.loads"):
        pickle.loads(data)


def test_repeats_travel_without_their_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, full = _batches(tmp_path, monkeypatch)
    _, light = _batches(tmp_path, monkeypatch, light=True)
    full_items = [item for batch in full for item in batch]
    light_items = [item for batch in light for item in batch]
    assert [item.group for item in light_items] == [item.group for item in full_items]
    first: set[str] = set()
    lightened = 0
    for whole, item in zip(full_items, light_items):
        group = item.group.id if item.group is not None else None
        if group is not None and group in first:  # a repeat: no texts, the rest as parsed
            assert item.trace.text == "" and item.document.text == "" and whole.trace.text
            assert (item.document.id, item.document.source) == (whole.document.id, whole.document.source)
            lightened += 1
        else:  # a group's first trace, threads, traces without an exception: whole
            assert item.trace.text == whole.trace.text and item.document.text == whole.document.text
        if group is not None:
            first.add(group)
        assert _frames([item]) == _frames([whole])
    assert lightened > len(light_items) // 2


def test_a_record_without_its_groups_fields_keeps_their_keys_in_order() -> None:
    """predict.py makes a known group's repeat with `to_record(shared=False)`: the writer puts in the group's encoded
    fields by key, so the keys and their order must be those of the whole record, and its own fields the same."""
    log = (Path(__file__).resolve().parents[1] / "examples" / "account_service_npe.log").read_text(encoding="utf-8")
    analyzed = Analyzer(AnalyzerOptions(no_model=True)).analyze([LogDocument(id="x", source="x.log", text=log)])
    item = next(item for item in analyzed if item.trace.has_exception)
    item.explanation = "type=NullPointerException; cause=c; location=l; fix=f"
    whole, light = to_record(item), to_record(item, shared=False)
    assert list(whole) == list(light) and whole["candidates"] and whole["explanation_fields"]
    assert {key for key in whole if whole[key] != light[key]} <= set(GROUP_RECORD_FIELDS)
    assert light["candidates"] is None and light["explanation_fields"] is None and light["location"] is None


def test_the_parents_frames_stay_under_their_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log of many distinct runs must not grow the parent with the child's whole cache: past `MAX_SENT_FRAMES` a
    new epoch starts, the parent drops its frames and the child sends them in full again."""
    from utils.pipeline import batch_codec

    monkeypatch.setattr(batch_codec, "MAX_SENT_FRAMES", 5)
    blocks, batches = _batches(tmp_path, monkeypatch)
    child, parent = BatchCodec(blocks), BatchCodec(blocks)
    most = 0
    for batch in batches:
        assert _frames(parent.loads(child.dumps(batch))) == _frames(batch)
        most = max(most, len(parent.received))
    assert child.epoch > 3
    assert most <= 5 + max(len(item.trace.full_stack()) for batch in batches for item in batch) * max(map(len, batches))
